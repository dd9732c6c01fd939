import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../errors.js';
import type { SessionRecord } from '../../../store/store.js';
import type { HttpEnv } from '../env.js';
import { RateLimits } from './index.js';
import { FixedWindowLimiter } from './limiter.js';

function clock() {
  let ms = Date.parse('2030-01-15T12:00:00.000Z');
  return { now: () => new Date(ms), advance: (by: number) => (ms += by) };
}

/** What @hono/node-server passes as env: the socket. */
const from = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

function limitsWith(perSession: number, perAddress: number, trustedProxyHeader: string | null = null) {
  const time = clock();
  const limits = new RateLimits({
    perSessionPerMinute: perSession,
    perAddressPerMinute: perAddress,
    clientAddress: { trustedProxyHeader },
    now: time.now,
  });
  const app = new Hono<HttpEnv>();
  app.get('/address', limits.checkoutAddress, (c) => c.text('ok'));
  // Stands in for the auth middleware: the session id comes from a header here.
  app.get(
    '/session',
    async (c, next) => {
      c.set('auth', { kind: 'client', session: { id: c.req.header('x-session') } as SessionRecord, clientToken: 't' });
      await next();
    },
    limits.checkoutSession,
    (c) => c.text('ok'),
  );
  app.get('/refused', async (c) => {
    await limits.failedAuth(c);
    return c.text('counted');
  });
  app.onError((error, c) =>
    error instanceof ApiError
      ? c.json({ code: error.code, message: error.message }, 429, error.headers)
      : c.text(String(error), 500),
  );
  return { app, time };
}

async function statuses(requests: (() => Response | Promise<Response>)[]): Promise<number[]> {
  const out: number[] = [];
  for (const request of requests) out.push((await request()).status);
  return out;
}

describe('FixedWindowLimiter', () => {
  it('allows `limit` takes per key per window, says when the window resets, and 0 disables it', async () => {
    const limiter = new FixedWindowLimiter(2, 60_000);
    const allowed = async (l: FixedWindowLimiter, key: string, at: number) => (await l.take(key, at)).allowed;
    expect([await allowed(limiter, 'a', 1_000), await allowed(limiter, 'a', 1_000)]).toEqual([true, true]);
    expect(await allowed(limiter, 'a', 1_000)).toBe(false);
    expect(await allowed(limiter, 'b', 1_000)).toBe(true);
    expect((await limiter.take('a', 31_000)).retryAfterSeconds).toBe(30);
    expect(await allowed(limiter, 'a', 61_000)).toBe(true);
    const off = new FixedWindowLimiter(0, 60_000);
    for (let i = 0; i < 100; i++) expect(await allowed(off, 'a', 0)).toBe(true);
  });

  it('counts in a shared store under its name when given one, and reads its window from there', async () => {
    const calls: [string, number, number][] = [];
    let count = 0;
    const limiter = new FixedWindowLimiter(2, 60_000, {
      name: 'address',
      count: async (key, nowMs, windowMs) => {
        calls.push([key, nowMs, windowMs]);
        return { windowStart: 10_000, count: ++count };
      },
    });
    expect((await limiter.take('198.51.100.7', 40_000)).allowed).toBe(true);
    expect((await limiter.take('198.51.100.7', 40_000)).allowed).toBe(true);
    expect(await limiter.take('198.51.100.7', 40_000)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(calls[0]).toEqual(['address:198.51.100.7', 40_000, 60_000]);
  });
});

describe('rate-limit middleware', () => {
  it('checkout address: counts every request per client address before it goes on, with Retry-After', async () => {
    const { app, time } = limitsWith(0, 2);
    const get = (address: string) => () => app.request('/address', {}, from(address));
    expect(await statuses([get('203.0.113.7'), get('203.0.113.7'), get('203.0.113.7'), get('198.51.100.2')])).toEqual([
      200, 200, 429, 200,
    ]);
    const limited = await get('203.0.113.7')();
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(await limited.json()).toEqual({
      code: 'rate_limited',
      message: 'Too many requests from this address; try again shortly.',
    });
    time.advance(60_000);
    expect((await get('203.0.113.7')()).status).toBe(200);
  });

  it('checkout address: no limit when the host passes no address; a trusted proxy header names it', async () => {
    const { app } = limitsWith(0, 1);
    expect(await statuses([0, 1, 2].map(() => () => app.request('/address')))).toEqual([200, 200, 200]);
    const proxied = limitsWith(0, 1, 'x-forwarded-for').app;
    const via = (forwarded: string) => () =>
      proxied.request('/address', { headers: { 'x-forwarded-for': forwarded } }, from('10.0.0.1'));
    expect(await statuses([via('1.1.1.1, 203.0.113.7'), via('8.8.8.8, 203.0.113.7'), via('203.0.113.8')])).toEqual([
      200, 429, 200,
    ]);
  });

  it('checkout session: counts per authenticated session', async () => {
    const { app } = limitsWith(2, 0);
    const get = (session: string) => () => app.request('/session', { headers: { 'x-session': session } });
    expect(await statuses([get('cs_a'), get('cs_a'), get('cs_a'), get('cs_b')])).toEqual([200, 200, 429, 200]);
    expect(await (await get('cs_a')()).json()).toMatchObject({
      message: 'Too many requests for this checkout; try again shortly.',
    });
  });

  it('failed auth: each refused credential counts per address; over budget it is rate_limited', async () => {
    const { app } = limitsWith(0, 2);
    const refuse = () => app.request('/refused', {}, from('198.51.100.9'));
    expect(await statuses([refuse, refuse, refuse])).toEqual([200, 200, 429]);
    expect(await (await refuse()).json()).toMatchObject({
      message: 'Too many failed authentications from this address; try again shortly.',
    });
  });
});
