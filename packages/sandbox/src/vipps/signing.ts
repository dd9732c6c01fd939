/**
 * Webhook request signing exactly as Vipps MobilePay documents it ("Request authentication",
 * Webhooks API): x-ms-content-sha256 = base64(sha256(body)); the string to sign is
 * `POST\n{pathAndQuery}\n{x-ms-date};{host};{content hash}`; Authorization =
 * `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={base64 HMAC-SHA256(secret, toSign)}`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface WebhookSignatureInput {
  /** The secret returned when the webhook was registered (used as UTF-8 text, as in Vipps' samples). */
  secret: string;
  /** The full URL the request is sent to. */
  url: string;
  /** The exact request body. */
  body: string;
  /** RFC 1123 date, e.g. `Thu, 30 Mar 2023 08:38:32 GMT`. */
  date: string;
}

export interface WebhookSignatureHeaders {
  'x-ms-date': string;
  'x-ms-content-sha256': string;
  authorization: string;
}

export function signVippsWebhook(input: WebhookSignatureInput): WebhookSignatureHeaders {
  const contentHash = createHash('sha256').update(input.body, 'utf8').digest('base64');
  const url = new URL(input.url);
  const toSign = `POST\n${url.pathname}${url.search}\n${input.date};${url.host};${contentHash}`;
  const signature = createHmac('sha256', input.secret).update(toSign, 'utf8').digest('base64');
  return {
    'x-ms-date': input.date,
    'x-ms-content-sha256': contentHash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}

export interface WebhookVerificationInput {
  secret: string;
  /** Method, path and query as received. */
  method: string;
  pathAndQuery: string;
  /** The Host header as received. */
  host: string;
  headers: { get(name: string): string | null };
  body: string;
}

/** Checks a received webhook the way a merchant should: content hash first, then the HMAC. */
export function verifyVippsWebhook(input: WebhookVerificationInput): boolean {
  const date = input.headers.get('x-ms-date');
  const contentHash = input.headers.get('x-ms-content-sha256');
  const authorization = input.headers.get('authorization');
  if (!date || !contentHash || !authorization || input.method.toUpperCase() !== 'POST') return false;
  const expectedHash = createHash('sha256').update(input.body, 'utf8').digest('base64');
  if (!safeEqual(expectedHash, contentHash)) return false;
  const toSign = `POST\n${input.pathAndQuery}\n${date};${input.host};${contentHash}`;
  const signature = createHmac('sha256', input.secret).update(toSign, 'utf8').digest('base64');
  return safeEqual(
    authorization,
    `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  );
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
