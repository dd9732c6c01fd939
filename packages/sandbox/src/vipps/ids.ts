/** Identifiers the emulator mints, shaped like the real ones where the spec constrains them. */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

/** Unguessable token for the landing page and the sandbox phone (stands in for Vipps' signed token). */
export function newUserToken(): string {
  return randomBytes(24).toString('base64url');
}

/** eCom transactionId: the spec's TransactionInfo pattern is ^\d{10,}$. */
export function newTransactionId(): string {
  return `5${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
}

/** ePayment pspReference: a numeric string like the examples in Vipps' docs. */
export function newPspReference(): string {
  return `${randomInt(1, 10)}${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
}

/** W3C traceparent-style trace id, as the ePayment API puts in `traceId`. */
export function newTraceId(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

export function newUuid(): string {
  return randomUUID();
}

/** Opaque access token: standard base64 (the spec declares `format: byte`). */
export function newAccessToken(): string {
  return randomBytes(48).toString('base64');
}

/** Webhook secret: base64 like the secrets in Vipps' request-authentication guide. */
export function newWebhookSecret(): string {
  return randomBytes(64).toString('base64');
}
