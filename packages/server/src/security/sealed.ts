/**
 * Sealing a session's client token under the merchant API key that created it, for idempotent
 * session creation: a replay must hand back the same token, but only the hash of a token is kept
 * in clear, so the token itself is stored encrypted (AES-256-GCM) with a key derived (HKDF-SHA256)
 * from the merchant's API key and the idempotency key. Only a request made with that same API key
 * can open it: a database reader cannot, and neither can another merchant key on the server.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const SALT = 'pay-with-bank/session-idempotency/v1';

function keyFor(apiKey: string, context: string): Buffer {
  return Buffer.from(hkdfSync('sha256', apiKey, SALT, context, 32));
}

/** A stable, non-reversible id of an API key (which key created a record), never the key itself. */
export function apiKeyId(apiKey: string): string {
  return createHash('sha256').update(`${SALT}/key-id/${apiKey}`, 'utf8').digest('hex').slice(0, 32);
}

/** `iv.tag.ciphertext`, base64url each. `context` (the idempotency key) is bound as associated data. */
export function seal(secret: string, apiKey: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(apiKey, context), iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url')).join('.');
}

/** The sealed secret, or null when it was not sealed with this API key and context (or was altered). */
export function unseal(sealed: string, apiKey: string, context: string): string | null {
  const parts = sealed.split('.');
  if (parts.length !== 3) return null;
  const [iv, tag, ciphertext] = parts.map((part) => Buffer.from(part, 'base64url')) as [Buffer, Buffer, Buffer];
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(apiKey, context), iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
