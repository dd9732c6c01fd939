/**
 * Design invariant 2: a client token reads its own session and starts/refreshes its own payments,
 * nothing else. For EVERY browser route, shopper A's token is tried against shopper B's data; and
 * a token guesser learns nothing: every wrong token gets the same 401, byte for byte, and the store
 * is only ever asked about a token's SHA-256, never the token (so lookups take the same path
 * whether a guess is close to a real token or not).
 */
import { describe, expect, it } from 'vitest';
import { routes } from '../../src/http/routes/index.js';
import { MERCHANT_KEY } from '../helpers/config.js';
import { json } from '../helpers/harness.js';
import { securityWorld, stateOf, type SecurityWorld, type Shopper } from './helpers.js';

type Attack = (world: SecurityWorld, a: Shopper, b: Shopper) => Promise<void>;

/** Per browser route: what A's token can try against B, and what must hold. */
const ATTACKS: Record<string, Attack> = {
  async getCheckoutSession(world, a, b) {
    const res = await world.h.client(a.token, 'GET', '/v1/checkout/session');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text).id).toBe(a.sessionId);
    for (const leak of [b.sessionId, b.paymentId, b.reference, b.token]) expect(text).not.toContain(leak);
    // The session is chosen by the token alone: no id, query or header can point elsewhere.
    const steered = await world.h.client(a.token, 'GET', `/v1/checkout/session?sessionId=${b.sessionId}`);
    expect(steered.status).toBe(400);
    expect(await steered.text()).not.toContain(b.reference);
  },
  async listCheckoutBanks(world, a) {
    // A's session is DKK/DK: asking for B's country (FI, EUR) reveals nothing of B's checkout.
    const res = await world.h.client(a.token, 'GET', '/v1/checkout/banks?country=FI');
    expect(res.status).toBe(200);
    expect((await json(res)).banks).toEqual([]);
  },
  async startCheckoutPayment(world, a, b) {
    const before = await world.store.getPayment(b.paymentId);
    const attemptOfB = (await world.store.getPayment(b.paymentId))!.attemptId;
    const res = await world.h.client(a.token, 'POST', '/v1/checkout/payments', {
      method: 'bank',
      attemptId: attemptOfB,
    });
    expect(res.status).toBe(200);
    const started = await json(res);
    // B's attempt id in A's session is a new payment of A's session, for A's amount.
    expect(started.payment.id).not.toBe(b.paymentId);
    expect((await world.store.getPayment(started.payment.id))!.sessionId).toBe(a.sessionId);
    expect(await world.store.getPayment(b.paymentId)).toEqual(before);
  },
  async refreshCheckoutPayment(world, a, b) {
    const before = await stateOf(world);
    for (const [token, paymentId] of [
      [a.token, b.paymentId],
      [b.token, a.paymentId],
    ] as const) {
      const res = await world.h.client(token, 'POST', `/v1/checkout/payments/${paymentId}/refresh`);
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe('not_found');
    }
    // Exactly as for a payment that does not exist: existence is not revealed.
    const missing = await world.h.client(a.token, 'POST', '/v1/checkout/payments/pay_AAAAAAAAAAAAAAAAAAAAAA/refresh');
    const other = await world.h.client(a.token, 'POST', `/v1/checkout/payments/${b.paymentId}/refresh`);
    expect(await other.text()).toBe(await missing.text());
    expect(await stateOf(world)).toBe(before);
  },
  async streamCheckoutPayment(world, a, b) {
    const before = await stateOf(world);
    for (const [token, paymentId] of [
      [a.token, b.paymentId],
      [b.token, a.paymentId],
    ] as const) {
      const res = await world.h.client(token, 'GET', `/v1/checkout/payments/${paymentId}/events`);
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe('not_found');
    }
    const missing = await world.h.client(a.token, 'GET', '/v1/checkout/payments/pay_AAAAAAAAAAAAAAAAAAAAAA/events');
    const other = await world.h.client(a.token, 'GET', `/v1/checkout/payments/${b.paymentId}/events`);
    expect(await other.text()).toBe(await missing.text());
    expect(world.h.server.live.held).toEqual({ streams: 0, listeners: 0, polled: 0, counted: 0 });
    expect(await stateOf(world)).toBe(before);
  },
};

describe('one session’s token against another session', () => {
  it('covers every browser route of the route table', () => {
    expect(Object.keys(ATTACKS).sort()).toEqual(
      routes
        .filter((r) => r.auth === 'client')
        .map((r) => r.operationId)
        .sort(),
    );
  });

  for (const [operationId, attack] of Object.entries(ATTACKS)) {
    it(`${operationId}: A's token cannot read or act on B`, async () => {
      const world = securityWorld();
      const a = await world.shopper('ORDER-A');
      const b = await world.shopper('ORDER-B', { amount: { value: 99_00, currency: 'EUR' } });
      world.clock.advance(2000);
      await attack(world, a, b);
    });
  }

  it('a client token opens no merchant route', async () => {
    const world = securityWorld();
    const a = await world.shopper('ORDER-A');
    const before = await stateOf(world);
    for (const route of routes.filter((r) => r.auth === 'merchant')) {
      const path = route.path.replace('{paymentId}', a.paymentId).replace('{sessionId}', a.sessionId);
      const res = await world.h.client(a.token, route.method, path, route.method === 'POST' ? {} : undefined);
      expect(res.status, route.operationId).toBe(401);
    }
    expect(await stateOf(world)).toBe(before);
  });

  it('the merchant key opens no browser route (it is not a session token)', async () => {
    const world = securityWorld();
    const a = await world.shopper('ORDER-A');
    for (const route of routes.filter((r) => r.auth === 'client')) {
      const path = route.path.replace('{paymentId}', a.paymentId);
      const res = await world.h.merchant(
        route.method,
        path,
        route.method === 'POST' ? { method: 'bank', attemptId: 'attempt-9999' } : undefined,
      );
      expect(res.status, route.operationId).toBe(401);
    }
  });
});

describe('guessing tokens', () => {
  it('every wrong token gets the identical 401, whatever it looks like', async () => {
    const world = securityWorld({ PWB_RATE_LIMIT_PER_MINUTE: '0' });
    const a = await world.shopper('ORDER-A');
    const last = a.token.at(-1)!;
    const guesses: (string | null)[] = [
      null,
      'Bearer ',
      'Bearer x',
      `Bearer pwb_ct_${'A'.repeat(43)}`,
      `Bearer ${a.token.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`, // one character off a real token
      `Bearer ${a.token.slice(0, -1)}`,
      `Bearer ${a.token}A`,
      `Basic ${a.token}`,
      `Bearer ${MERCHANT_KEY}`,
      `Bearer ${'z'.repeat(600)}`,
    ];
    const seen = new Set<string>();
    for (const authorization of guesses) {
      const res = await world.h.request('GET', '/v1/checkout/session', {
        headers: authorization === null ? {} : { authorization },
      });
      expect(res.status, String(authorization)).toBe(401);
      const headers = [...res.headers].filter(([k]) => k !== 'x-request-id');
      seen.add(JSON.stringify([await res.text(), headers]));
    }
    expect(seen.size).toBe(1);
    const [only] = [...seen];
    expect(only).toContain('www-authenticate');
  });

  it('the store is only asked about SHA-256 hashes of well-formed tokens, never the token itself', async () => {
    const world = securityWorld({ PWB_RATE_LIMIT_PER_MINUTE: '0' });
    const a = await world.shopper('ORDER-A');
    const asked: string[] = [];
    const original = world.store.findSessionByTokenHash.bind(world.store);
    world.store.findSessionByTokenHash = async (hash: string) => {
      asked.push(hash);
      return original(hash);
    };
    const nearMiss = `${a.token.slice(0, -1)}${a.token.endsWith('A') ? 'B' : 'A'}`;
    for (const token of [a.token, nearMiss, `pwb_ct_${'A'.repeat(43)}`, 'not-a-token', `${a.token}x`]) {
      await (await world.h.client(token, 'GET', '/v1/checkout/session')).text();
    }
    // Malformed tokens never reach the store; each well-formed one is looked up once, as its hash.
    expect(asked).toHaveLength(3);
    for (const hash of asked) expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(asked.join()).not.toContain(a.token.slice(7, 20));
    // And the store keeps only the hash.
    expect(JSON.stringify(await world.store.getSession(a.sessionId))).not.toContain(a.token);
  });
});
