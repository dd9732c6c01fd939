/**
 * Rate limits answer 429 rate_limited with Retry-After:
 *  - per checkout session (PWB_RATE_LIMIT_PER_MINUTE) on the browser API;
 *  - per client address (PWB_RATE_LIMIT_PER_ADDRESS_PER_MINUTE): every browser API request counts,
 *    before authentication, so guessing tokens is throttled; on the merchant API only failed
 *    authentications count, so the merchant's own backend is never throttled.
 * The address is the TCP peer (@hono/node-server's socket); X-Forwarded-For is ignored unless
 * PWB_TRUSTED_PROXY_HEADER names it, and then only its right-most entry (the one our proxy added)
 * counts. IPv6 clients are limited per /64.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { addressKey, clientAddress } from '../../src/security/client-address.js';
import { baseEnv, MERCHANT_KEY } from '../helpers/config.js';
import { BASE, json } from '../helpers/harness.js';
import { overHttp, securityWorld, stateOf, type SecurityWorld } from './helpers.js';

/** What @hono/node-server passes as the fetch handler's env. */
const fromSocket = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

function send(
  world: SecurityWorld,
  path: string,
  options: { address?: string; headers?: Record<string, string>; method?: string } = {},
) {
  return world.h.server.fetch(
    new Request(`${BASE}${path}`, { method: options.method ?? 'GET', headers: options.headers ?? {} }),
    options.address ? fromSocket(options.address) : undefined,
  );
}

async function expectLimited(res: Response): Promise<void> {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  expect((await json(res)).error).toMatchObject({ code: 'rate_limited', retryable: true });
}

describe('per checkout session', () => {
  it('limits browser requests per session; other sessions and the window reset are unaffected', async () => {
    const world = securityWorld({ PWB_RATE_LIMIT_PER_MINUTE: '4', PWB_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0' });
    const a = await world.shopper('ORDER-A'); // 1 request of A's budget (the start)
    const b = await world.shopper('ORDER-B');
    for (let i = 0; i < 3; i++) expect((await world.h.client(a.token, 'GET', '/v1/checkout/session')).status).toBe(200);
    await expectLimited(await world.h.client(a.token, 'GET', '/v1/checkout/session'));
    await expectLimited(await world.h.client(a.token, 'POST', `/v1/checkout/payments/${a.paymentId}/refresh`));
    expect((await world.h.client(b.token, 'GET', '/v1/checkout/session')).status).toBe(200);
    world.clock.advance(60_000);
    expect((await world.h.client(a.token, 'GET', '/v1/checkout/session')).status).toBe(200);
  });
});

describe('per client address', () => {
  const env = { PWB_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '5', PWB_RATE_LIMIT_PER_MINUTE: '0' };

  it('throttles token guessing from one address before authentication, changing nothing', async () => {
    const world = securityWorld(env);
    await world.shopper('ORDER-A');
    const before = await stateOf(world);
    const guess = (i: number) => ({ authorization: `Bearer pwb_ct_${String(i).padStart(43, 'A')}` });
    for (let i = 0; i < 5; i++) {
      expect((await send(world, '/v1/checkout/session', { address: '203.0.113.7', headers: guess(i) })).status).toBe(
        401,
      );
    }
    await expectLimited(await send(world, '/v1/checkout/session', { address: '203.0.113.7', headers: guess(99) }));
    // Another address has its own budget.
    expect((await send(world, '/v1/checkout/session', { address: '198.51.100.2', headers: guess(1) })).status).toBe(
      401,
    );
    expect(await stateOf(world)).toBe(before);
    world.clock.advance(60_000);
    expect((await send(world, '/v1/checkout/session', { address: '203.0.113.7', headers: guess(1) })).status).toBe(401);
  });

  it('counts valid browser requests too (a runaway page), per address', async () => {
    const world = securityWorld(env);
    const a = await world.shopper('ORDER-A');
    const auth = { authorization: `Bearer ${a.token}` };
    for (let i = 0; i < 5; i++)
      expect((await send(world, '/v1/checkout/session', { address: '192.0.2.1', headers: auth })).status).toBe(200);
    await expectLimited(await send(world, '/v1/checkout/session', { address: '192.0.2.1', headers: auth }));
  });

  it('does not trust X-Forwarded-For by default: rotating it does not escape the limit', async () => {
    const world = securityWorld(env);
    for (let i = 0; i < 5; i++) {
      await send(world, '/v1/checkout/session', {
        address: '203.0.113.7',
        headers: { 'x-forwarded-for': `10.0.0.${i}` },
      });
    }
    await expectLimited(
      await send(world, '/v1/checkout/session', { address: '203.0.113.7', headers: { 'x-forwarded-for': '10.9.9.9' } }),
    );
  });

  it('with a trusted proxy header, limits by the address the proxy added, ignoring forged entries', async () => {
    const world = securityWorld({ ...env, PWB_TRUSTED_PROXY_HEADER: 'X-Forwarded-For' });
    const proxy = '10.0.0.1';
    const via = (forwarded: string) =>
      send(world, '/v1/checkout/session', { address: proxy, headers: { 'x-forwarded-for': forwarded } });
    // The client prepends whatever it likes; our proxy appends the real peer (203.0.113.7).
    for (let i = 0; i < 5; i++) expect((await via(`1.1.1.${i}, 203.0.113.7`)).status).toBe(401);
    await expectLimited(await via('8.8.8.8, 203.0.113.7'));
    // Another client behind the same proxy is not punished for it.
    expect((await via('203.0.113.8')).status).toBe(401);
    // No header (a request that bypassed the proxy): the socket address counts.
    expect((await send(world, '/v1/checkout/session', { address: proxy })).status).toBe(401);
  });

  it('limits IPv6 clients per /64 (one subscriber’s block), and unwraps IPv4-mapped addresses', async () => {
    const world = securityWorld(env);
    for (let i = 0; i < 5; i++) {
      expect((await send(world, '/v1/checkout/session', { address: `2001:db8:1:2::${i + 1}` })).status).toBe(401);
    }
    await expectLimited(await send(world, '/v1/checkout/session', { address: '2001:db8:1:2:ffff:ffff:ffff:ffff' }));
    expect((await send(world, '/v1/checkout/session', { address: '2001:db8:1:3::1' })).status).toBe(401);
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:0db8:0001:0002:0000:0000:0000:0001')).toBe(addressKey('2001:db8:1:2::9'));
    expect(addressKey('not-an-ip')).toBeNull();
  });

  it('on the merchant API counts only failed authentications: guessing keys is throttled, the real key never', async () => {
    const world = securityWorld(env);
    const address = '198.51.100.9';
    const merchant = { authorization: `Bearer ${MERCHANT_KEY}` };
    for (let i = 0; i < 20; i++)
      expect((await send(world, '/v1/payments', { address, headers: merchant })).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const res = await send(world, '/v1/payments', {
        address,
        headers: { authorization: `Bearer guess-${i}-${'x'.repeat(32)}` },
      });
      expect(res.status).toBe(401);
    }
    await expectLimited(
      await send(world, '/v1/payments', { address, headers: { authorization: 'Bearer another-guess' } }),
    );
    // The real key from the same address still works.
    expect((await send(world, '/v1/payments', { address, headers: merchant })).status).toBe(200);
  });

  it('applies nothing per address when the host passes no client address (embedded without node-server)', async () => {
    const world = securityWorld(env);
    for (let i = 0; i < 10; i++) expect((await send(world, '/v1/checkout/session')).status).toBe(401);
    expect(clientAddress(new Request(BASE), undefined, { trustedProxyHeader: null })).toBeNull();
  });

  it('works over real HTTP with the socket address', async () => {
    await overHttp(env, async (base) => {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await fetch(`${base}/v1/checkout/session`, {
          headers: { authorization: 'Bearer nope', 'x-forwarded-for': `10.1.1.${i}` },
        });
        statuses.push(res.status);
        if (res.status === 429) expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
        await res.text();
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    });
  });

  it('is configured by PWB_RATE_LIMIT_PER_ADDRESS_PER_MINUTE and PWB_TRUSTED_PROXY_HEADER', () => {
    const defaults = loadConfig(baseEnv());
    expect(defaults.rateLimitPerAddressPerMinute).toBe(600);
    expect(defaults.trustedProxyHeader).toBeNull();
    const set = loadConfig(
      baseEnv({ PWB_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0', PWB_TRUSTED_PROXY_HEADER: 'CF-Connecting-IP' }),
    );
    expect(set.rateLimitPerAddressPerMinute).toBe(0);
    expect(set.trustedProxyHeader).toBe('cf-connecting-ip');
    for (const bad of [
      { PWB_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: 'lots' },
      { PWB_TRUSTED_PROXY_HEADER: 'x forwarded: for' },
    ]) {
      expect(() => loadConfig(baseEnv(bad))).toThrow(ConfigError);
    }
  });
});
