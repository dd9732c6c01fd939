/**
 * Identifiers we send to Vipps, all derived (never random) so a retry of the same thing sends the
 * same value:
 * - eCom orderId / ePayment reference from our payment id and the shop's prefix;
 * - the ePayment create Idempotency-Key from our payment id;
 * - eCom X-Request-Id / ePayment Idempotency-Key for capture/refund/cancel from the merchant's key;
 * - eCom callback authTokens and ePayment Express shipping-callback tokens from a server secret
 *   (HMAC), verifiable without storing anything.
 */
import { createHash, createHmac } from 'node:crypto';
import { matchesAnySecret } from '../../security/crypto.js';

/** eCom orderId pattern; ePayment references additionally need ≥ 8 characters (ours always have ≥ 34). */
export const ORDER_ID_PATTERN = /^[a-zA-Z0-9-]{1,50}$/;
const PAYMENT_ID_BODY = /^pay_([A-Za-z0-9_-]+)$/;

/**
 * The 32 hex characters identifying a payment: the 16 random bytes of a `pay_` id (reversible, so
 * support can map an orderId back to our payment), or, for any other id, the first 31 hex of its
 * SHA-256 after an `h` (a different shape, so the two kinds can never be equal).
 */
export function paymentKey(paymentId: string): string {
  const body = PAYMENT_ID_BODY.exec(paymentId)?.[1];
  if (body && body.length === 22) {
    const bytes = Buffer.from(body, 'base64url');
    // Only canonical encodings are reversible (the last character carries 4 unused bits).
    if (bytes.length === 16 && bytes.toString('base64url') === body) return bytes.toString('hex');
  }
  return `h${createHash('sha256').update(paymentId, 'utf8').digest('hex').slice(0, 31)}`;
}

/**
 * `{prefix}-{paymentKey}`: ≤ 16 + 1 + 32 = 49 characters of [a-zA-Z0-9-]. The key never contains
 * '-', so different prefixes can never produce the same orderId, and each payment (= one attempt)
 * has its own: reusing an orderId is Vipps error 34.
 */
export function deriveOrderId(prefix: string, paymentId: string): string {
  const orderId = `${prefix}-${paymentKey(paymentId)}`;
  if (!ORDER_ID_PATTERN.test(orderId)) throw new Error('order prefix does not fit the Vipps orderId pattern');
  return orderId;
}

/** ePayment create: the same attempt (our payment id) always sends the same Idempotency-Key (≤ 50). */
export function createIdempotencyKey(paymentId: string): string {
  return `pwb-create-${paymentKey(paymentId)}`;
}

const SAFE_OPERATION_KEY = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * The merchant's operation key as Vipps accepts it (eCom X-Request-Id ≤ 40, ePayment
 * Idempotency-Key ≤ 50): verbatim when it already fits, otherwise a stable hash of it.
 */
export function operationKey(key: string): string {
  if (SAFE_OPERATION_KEY.test(key)) return key;
  return `k-${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 37)}`;
}

/**
 * eCom `authToken` for one order: HMAC-SHA256(server secret, msn + orderId). Vipps echoes it in the
 * callback's Authorization header. Derived rather than random-and-stored: nothing to persist, works
 * across restarts and instances, and a leaked token only vouches for its own order.
 */
export function deriveAuthToken(secret: string, merchantSerialNumber: string, orderId: string): string {
  return createHmac('sha256', secret)
    .update(`vipps-ecom-callback\n${merchantSerialNumber}\n${orderId}`, 'utf8')
    .digest('base64url');
}

/** Constant-time check of a callback's token against every configured secret (rotation). */
export function verifyAuthToken(
  secrets: readonly string[],
  merchantSerialNumber: string,
  orderId: string,
  presented: string,
): boolean {
  const expected = secrets.map((secret) => deriveAuthToken(secret, merchantSerialNumber, orderId));
  return expected.length > 0 && matchesAnySecret(presented, expected);
}

/**
 * The token in an express payment's `consentRemovalPrefix` path: Vipps sends no Authorization
 * header with a consent removal (ms_import.yaml), so the URL it calls carries the proof, one per
 * order, derived like the authToken but under its own label (a leaked one is not an authToken).
 */
export function deriveConsentToken(secret: string, merchantSerialNumber: string, orderId: string): string {
  return createHmac('sha256', secret)
    .update(`vipps-ecom-consent-removal\n${merchantSerialNumber}\n${orderId}`, 'utf8')
    .digest('base64url');
}

export function verifyConsentToken(
  secrets: readonly string[],
  merchantSerialNumber: string,
  orderId: string,
  presented: string,
): boolean {
  const expected = secrets.map((secret) => deriveConsentToken(secret, merchantSerialNumber, orderId));
  return expected.length > 0 && matchesAnySecret(presented, expected);
}

/**
 * ePayment Express: the `callbackAuthorizationToken` of one payment's dynamic shipping callback,
 * which Vipps sends back verbatim as `Authorization`. Derived like the eCom authToken (per
 * reference, under its own label), so nothing is stored and every instance can verify it.
 */
export function deriveShippingToken(secret: string, merchantSerialNumber: string, reference: string): string {
  return createHmac('sha256', secret)
    .update(`vipps-epayment-shipping-callback\n${merchantSerialNumber}\n${reference}`, 'utf8')
    .digest('base64url');
}

export function verifyShippingToken(
  secrets: readonly string[],
  merchantSerialNumber: string,
  reference: string,
  presented: string,
): boolean {
  const expected = secrets.map((secret) => deriveShippingToken(secret, merchantSerialNumber, reference));
  return expected.length > 0 && matchesAnySecret(presented, expected);
}
