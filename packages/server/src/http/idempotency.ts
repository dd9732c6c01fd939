/**
 * Idempotency-Key handling for merchant operations: the first successful result is stored and
 * replayed for the same key; the same key with a different request is refused. Work for one key
 * is serialised in-process so two concurrent retries do not both reach the provider.
 */
import { ApiError } from '../errors.js';
import { KeyedMutex } from '../core/locks.js';
import type { Store } from '../store/store.js';
import type { HandlerResult } from './route.js';

const keyLocks = new KeyedMutex();

export async function withIdempotency(
  store: Store,
  key: string | undefined,
  fingerprint: string,
  work: () => Promise<HandlerResult & { status: number }>,
): Promise<HandlerResult> {
  if (!key) return work();
  return keyLocks.run(key, async () => {
    const existing = await store.getIdempotency(key);
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        throw new ApiError('idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
      }
      return {
        status: existing.statusCode,
        body: JSON.parse(existing.responseBody),
        headers: { 'Idempotent-Replayed': 'true' },
      };
    }
    const result = await work();
    // Only successes are stored: a failed attempt may be retried with the same key.
    await store.saveIdempotency({
      key,
      fingerprint,
      statusCode: result.status,
      responseBody: JSON.stringify(result.body),
      createdAt: new Date().toISOString(),
    });
    return result;
  });
}
