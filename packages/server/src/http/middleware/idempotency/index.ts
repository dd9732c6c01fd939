/**
 * idempotency: an `Idempotency-Key` makes a merchant operation safe to retry. The first successful
 * answer for a key is stored and replayed (`Idempotent-Replayed: true`) for the same key; the key
 * with a different request (method, path or body) is `idempotency_key_reused` (409). Failures are
 * not stored, so a failed attempt may be retried with the same key. Work for one key runs one at a
 * time across every server instance (the store's `idempotency:<key>` lock, behind an in-process
 * one), and its answer is stored before the lock is released, so a concurrent retry on another
 * instance waits for it and replays it instead of reaching the provider again.
 */
import type { MiddlewareHandler } from 'hono';
import { KeyedMutex } from '../../../locks.js';
import { ApiError } from '../../../errors.js';
import type { Store } from '../../../store/store.js';
import type { HttpEnv } from '../env.js';

export interface IdempotencyOptions {
  store: Store;
  now: () => Date;
}

/** One per server: every idempotent route shares its locks (keys are not per route). */
export function idempotency({ store, now }: IdempotencyOptions): MiddlewareHandler<HttpEnv> {
  const locks = new KeyedMutex();
  return async (c, next) => {
    const { headers, fingerprint } = c.get('input');
    const key = headers['idempotency-key'];
    if (typeof key !== 'string' || key === '') return next();
    return locks.run(key, () =>
      store.withLock(`idempotency:${key}`, async () => {
        const existing = await store.getIdempotency(key);
        if (existing) {
          if (existing.fingerprint !== fingerprint) {
            throw new ApiError('idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
          }
          return new Response(existing.responseBody, {
            status: existing.statusCode,
            headers: { 'content-type': 'application/json', 'Idempotent-Replayed': 'true' },
          });
        }
        await next();
        if (c.error || !c.res.ok) return;
        await store.saveIdempotency({
          key,
          fingerprint,
          statusCode: c.res.status,
          responseBody: await c.res.clone().text(),
          createdAt: now().toISOString(),
        });
      }),
    );
  };
}
