/** Random ids, client tokens and constant-time comparisons. */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of browser client tokens: makes them recognisable in logs (and redactable) and in secret scanners. */
export const CLIENT_TOKEN_PREFIX = 'pwb_ct_';
export const CLIENT_TOKEN_PATTERN = /^pwb_ct_[A-Za-z0-9_-]{43}$/;

function randomBase64Url(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export const newSessionId = (): string => `cs_${randomBase64Url(16)}`;
export const newPaymentId = (): string => `pay_${randomBase64Url(16)}`;
export const newEventId = (): string => `evt_${randomBase64Url(16)}`;
export const newRandomId = (prefix: string): string => `${prefix}_${randomBase64Url(16)}`;

/** 32 random bytes, base64url, with a prefix. Only its hash is stored. */
export function newClientToken(): string {
  return `${CLIENT_TOKEN_PREFIX}${randomBase64Url(32)}`;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function hmacSha256Hex(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value, 'utf8').digest('hex');
}

/** Compare two strings without leaking where they differ or (by hashing first) their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** True when `candidate` equals any of `secrets`; checks all of them so timing does not reveal which. */
export function matchesAnySecret(candidate: string, secrets: readonly string[]): boolean {
  let matched = false;
  for (const secret of secrets) {
    if (constantTimeEqual(candidate, secret)) matched = true;
  }
  return matched;
}
