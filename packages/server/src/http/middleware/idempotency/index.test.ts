import { ApiErrorBody } from '@pay-with-bank/protocol';
import { Hono, type MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../errors.js';
import { MemoryStore } from '../../../store/memory.js';
import type { HttpEnv } from '../env.js';
import { idempotency } from './index.js';

const AT = new Date('2030-01-15T12:00:00.000Z');

/**
 * One server's worth: the middleware (one per server) on two routes, behind a stand-in for validate
 * (the key comes from the header, the fingerprint from path and body), before a handler that counts
 * its runs, may fail, and may wait for a gate.
 */
function serverWith(store = new MemoryStore()) {
  const runs: string[] = [];
  let gate: Promise<void> = Promise.resolve();
  const state = { fail: false };
  const input: MiddlewareHandler<HttpEnv> = async (c, next) => {
    const body = await c.req.text();
    const key = c.req.header('idempotency-key');
    c.set('input', {
      params: {},
      query: {},
      headers: key === undefined ? {} : { 'idempotency-key': key },
      body,
      request: c.req.raw,
      fingerprint: `${c.req.path} ${body}`,
      wildcard: '',
    });
    await next();
  };
  const app = new Hono<HttpEnv>();
  const idempotent = idempotency({ store, now: () => AT });
  for (const path of ['/capture', '/refund']) {
    app.post(path, input, idempotent, async (c) => {
      runs.push(path);
      await gate;
      if (state.fail) throw new ApiError('provider_unavailable', 'Try later.');
      return c.json({ run: runs.length }, 200, { 'x-handler': 'yes' });
    });
  }
  app.onError((error, c) => (error instanceof ApiError ? c.json(error.toBody(), 409) : c.text(String(error), 500)));
  const send = async (path: string, key: string | null, body = '{"amount":1}') =>
    app.request(path, { method: 'POST', body, headers: key === null ? {} : { 'idempotency-key': key } });
  return {
    send,
    runs,
    store,
    state,
    hold() {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      return () => open();
    },
  };
}

describe('idempotency middleware', () => {
  it('without a key runs every time and stores nothing', async () => {
    const s = serverWith();
    await s.send('/capture', null);
    await s.send('/capture', null);
    expect(s.runs).toHaveLength(2);
    expect((await s.store.stats()).idempotencyKeys).toBe(0);
  });

  it('replays the first success for the same key and request, stored at the injected clock', async () => {
    const s = serverWith();
    const first = await s.send('/capture', 'key-0001');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await s.send('/capture', 'key-0001');
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toBe('application/json');
    expect(await again.text()).toBe(await first.text());
    expect(s.runs).toEqual(['/capture']);
    expect(await s.store.getIdempotency('key-0001')).toMatchObject({
      statusCode: 200,
      responseBody: '{"run":1}',
      createdAt: AT.toISOString(),
    });
  });

  it('refuses the key for another request: another body, or another route', async () => {
    const s = serverWith();
    await s.send('/capture', 'key-0001');
    for (const [path, body] of [
      ['/capture', '{"amount":2}'],
      ['/refund', '{"amount":1}'],
    ] as const) {
      const res = await s.send(path, 'key-0001', body);
      expect(ApiErrorBody.parse(await res.json()).error).toMatchObject({
        code: 'idempotency_key_reused',
        message: 'This Idempotency-Key was used for a different request.',
      });
    }
    expect(s.runs).toEqual(['/capture']);
  });

  it('does not store a failure: a retry with the key runs again', async () => {
    const s = serverWith();
    s.state.fail = true;
    expect((await s.send('/capture', 'key-0001')).status).toBe(409);
    s.state.fail = false;
    expect((await s.send('/capture', 'key-0001')).status).toBe(200);
    expect(s.runs).toHaveLength(2);
  });

  it('runs concurrent requests with one key one at a time: the provider is reached once', async () => {
    const s = serverWith();
    const open = s.hold();
    const pending = [0, 1, 2].map(() => s.send('/capture', 'key-0001'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(s.runs).toHaveLength(1);
    open();
    const answers = await Promise.all(pending);
    expect(answers.map((r) => r.headers.get('idempotent-replayed'))).toEqual([null, 'true', 'true']);
    expect(s.runs).toHaveLength(1);
  });

  it('holds its locks per server instance: another server is not blocked by this one', async () => {
    const a = serverWith();
    const b = serverWith();
    const open = a.hold();
    const waiting = a.send('/capture', 'key-0001');
    await new Promise((resolve) => setTimeout(resolve, 10));
    const other = b.send('/capture', 'key-0001').then((res) => res.status);
    const blocked = new Promise((resolve) => setTimeout(() => resolve('blocked'), 1000));
    expect(await Promise.race([other, blocked])).toBe(200);
    open();
    expect((await waiting).status).toBe(200);
  });
});
