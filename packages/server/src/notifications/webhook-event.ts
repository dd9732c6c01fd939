/**
 * What a merchant calls on each delivery to its webhook endpoint: verify the signature over the
 * raw body, then parse and validate the signed body as a MerchantEvent, all in one call (the way
 * Stripe's `constructEvent` does). The event id, type and payment come from the signed body only;
 * the `Pwb-Event-Id` / `Pwb-Event-Type` headers are conveniences for routing and logs, and a
 * delivery whose headers disagree with its signed body is refused (a captured delivery re-sent
 * with a fresh event id header would otherwise slip past deduplication).
 *
 * Importable without the server: `@pay-with-bank/server/webhooks` pulls in node:crypto and the
 * protocol's schemas, nothing else.
 */
import { MerchantEvent, ShippingRequest } from '@pay-with-bank/protocol';
import { SIGNATURE_HEADER, verifyWebhookSignature, type VerifyOptions } from './signature.js';

export const EVENT_ID_HEADER = 'Pwb-Event-Id';
export const EVENT_TYPE_HEADER = 'Pwb-Event-Type';

export type WebhookVerificationReason =
  /** No `Pwb-Signature` header, or no secret configured. */
  | 'missing_signature'
  /** The signature is not valid for this body and secret, or too old / too far in the future. */
  | 'invalid_signature'
  /** Signed, but not a payment notification this version understands. */
  | 'invalid_payload'
  /** `Pwb-Event-Id` or `Pwb-Event-Type` says something else than the signed body. */
  | 'header_mismatch';

export class WebhookVerificationError extends Error {
  constructor(
    readonly reason: WebhookVerificationReason,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/** Fetch `Headers`, or Node's `IncomingHttpHeaders` (lower-case keys, values possibly arrays). */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

function header(headers: WebhookHeaders, name: string): string | null {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const value = (headers as Record<string, string | readonly string[] | undefined>)[name.toLowerCase()];
  if (value === undefined) return null;
  return typeof value === 'string' ? value : value.join(', ');
}

/**
 * Verify a delivery and return its event. Throws WebhookVerificationError (with a `reason`) when
 * the delivery must not be believed; answer it with a 400 and do nothing else. Deduplicate on the
 * returned `event.id`: deliveries are at least once, and a redelivery has the same id and body.
 *
 * @param rawBody the request body exactly as received (bytes decoded as UTF-8), not re-serialised JSON
 * @param secret PWB_WEBHOOK_SECRET, or several while rotating it (any one verifies)
 */
export function constructWebhookEvent(
  rawBody: string,
  headers: WebhookHeaders,
  secret: string | readonly string[],
  options: VerifyOptions = {},
): MerchantEvent {
  const json = verifiedJson(rawBody, headers, secret, options);
  const parsed = MerchantEvent.safeParse(json);
  if (!parsed.success) {
    throw new WebhookVerificationError('invalid_payload', 'The signed body is not a payment notification.');
  }
  const event = parsed.data;
  for (const [name, signed] of [
    [EVENT_ID_HEADER, event.id],
    [EVENT_TYPE_HEADER, event.type],
  ] as const) {
    const value = header(headers, name);
    if (value !== null && value !== signed) {
      throw new WebhookVerificationError('header_mismatch', `The ${name} header does not match the signed body.`);
    }
  }
  return event;
}

/**
 * What a merchant's express shipping URL calls on each request from the server: verify the
 * signature (the same `Pwb-Signature` and webhook secret as the webhooks) over the raw body, then
 * parse and validate it as a ShippingRequest (`{ sessionId, reference, currency, address }`). Answer
 * a verified request with 200 and `{ "options": [ … ] }` (a ShippingResponse) within the server's
 * time limit (PWB_SHIPPING_TIMEOUT_MS); a request that throws must be answered with a 400.
 * A webhook delivery is not a shipping request, nor the reverse: their signed bodies differ.
 */
export function constructShippingRequest(
  rawBody: string,
  headers: WebhookHeaders,
  secret: string | readonly string[],
  options: VerifyOptions = {},
): ShippingRequest {
  const parsed = ShippingRequest.safeParse(verifiedJson(rawBody, headers, secret, options));
  if (!parsed.success) {
    throw new WebhookVerificationError('invalid_payload', 'The signed body is not a shipping request.');
  }
  return parsed.data;
}

/** The signed body as JSON, after the signature checked out against one of the secrets. */
function verifiedJson(
  rawBody: string,
  headers: WebhookHeaders,
  secret: string | readonly string[],
  options: VerifyOptions,
): unknown {
  // Several secrets while rotating PWB_WEBHOOK_SECRET: the old and the new one both verify.
  const secrets = (typeof secret === 'string' ? [secret] : [...secret]).filter((s) => s.length > 0);
  const signature = header(headers, SIGNATURE_HEADER);
  if (!signature || secrets.length === 0) {
    throw new WebhookVerificationError('missing_signature', `The ${SIGNATURE_HEADER} header is missing.`);
  }
  if (!secrets.some((candidate) => verifyWebhookSignature(candidate, signature, rawBody, options))) {
    throw new WebhookVerificationError(
      'invalid_signature',
      `The ${SIGNATURE_HEADER} signature does not match this body and secret, or is outside the time tolerance.`,
    );
  }
  try {
    return JSON.parse(rawBody);
  } catch {
    throw new WebhookVerificationError('invalid_payload', 'The signed body is not JSON.');
  }
}

export { SIGNATURE_HEADER, verifyWebhookSignature, type VerifyOptions } from './signature.js';
