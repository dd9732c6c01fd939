/**
 * Merchant webhook signatures: `Pwb-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * Merchants verify with verifyWebhookSignature (exported from the package), using the raw body.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Pwb-Signature';

export function signWebhook(secret: string, body: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

export interface VerifyOptions {
  /** Reject signatures older (or further in the future) than this. Default 300 s. */
  toleranceSeconds?: number;
  /** Current time (tests). */
  now?: Date;
}

/**
 * True when `header` carries a valid signature of `body` (the raw request body, exactly as received)
 * made with `secret` within the tolerance. Several v1 entries are allowed (secret rotation).
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  options: VerifyOptions = {},
): boolean {
  if (!header || !secret) return false;
  const tolerance = options.toleranceSeconds ?? 300;
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === null || signatures.length === 0) return false;
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - timestamp) > tolerance) return false;
  const expected = Buffer.from(
    createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex'),
    'utf8',
  );
  let valid = false;
  for (const signature of signatures) {
    const candidate = Buffer.from(signature, 'utf8');
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) valid = true;
  }
  return valid;
}
