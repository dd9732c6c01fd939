/**
 * Provider callbacks/webhooks through the server route POST /v1/callbacks/{provider}/…: forged ones
 * are 401 and change nothing; replays of authentic ones are acknowledged (so the provider stops
 * retrying) and change nothing; old news never moves a payment back. First with the scriptable
 * fake provider (the provider-neutral core), then with the real Vipps adapters against the
 * in-process Vipps sandbox: eCom callbacks (per-order authToken) and ePayment webhooks
 * (HMAC-SHA256 over date, host and body hash, ±5 minutes).
 */
import { signVippsWebhook } from '@pay-with-bank/sandbox';
import { describe, expect, it } from 'vitest';
import { createServer, type PayWithBankServer } from '../../src/app.js';
import { ensureWebhook } from '../../src/providers/vipps/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import { MERCHANT_KEY, RETURN_URL, testConfig } from '../helpers/config.js';
import { json } from '../helpers/harness.js';
import { makeWorld } from '../helpers/sandbox.js';
import { createWorld, shopper, type Api, type VippsWorld } from '../vipps/helpers.js';
import { securityWorld, stateOf } from './helpers.js';

describe('callbacks (provider-neutral core, fake provider)', () => {
  async function setup() {
    const world = securityWorld();
    const a = await world.shopper('ORDER-A');
    const providerId = (await world.store.getPayment(a.paymentId))!.providerPaymentId!;
    const deliver = (body: unknown, auth: string | null = 'good', path = '/v1/callbacks/fake/events') =>
      world.h.request('POST', path, { body, headers: auth === null ? {} : { 'x-fake-auth': auth } });
    return { world, a, providerId, deliver };
  }

  it('refuses forged callbacks with 401 and changes nothing', async () => {
    const { world, providerId, deliver } = await setup();
    const before = await stateOf(world);
    for (const auth of [null, '', 'bad', 'GOOD', 'good-ish']) {
      const res = await deliver({ id: providerId, event: 'evt-forged', status: 'completed' }, auth);
      expect(res.status, String(auth)).toBe(401);
      expect((await json(res)).error.code).toBe('unauthorized');
    }
    expect(await stateOf(world)).toBe(before);
  });

  it('acknowledges a replayed event without applying it twice', async () => {
    const { world, a, providerId, deliver } = await setup();
    expect((await deliver({ id: providerId, event: 'evt-1', status: 'authorized' })).status).toBe(200);
    const afterFirst = await stateOf(world);
    for (let i = 0; i < 3; i++) {
      const replay = await deliver({ id: providerId, event: 'evt-1', status: 'authorized' });
      expect(replay.status).toBe(200);
      expect(await json(replay)).toEqual({ received: true });
    }
    expect(await stateOf(world)).toBe(afterFirst);
    expect((await world.store.getPayment(a.paymentId))!.status).toBe('authorized');
  });

  it('never moves a payment back: a stale event after a final one is a no-op', async () => {
    const { world, a, providerId, deliver } = await setup();
    expect((await deliver({ id: providerId, event: 'evt-final', status: 'completed' })).status).toBe(200);
    const outbox = (await world.store.listOutbox()).length;
    for (const status of ['pending', 'authorized', 'failed', 'cancelled']) {
      expect((await deliver({ id: providerId, event: `evt-old-${status}`, status })).status).toBe(200);
    }
    const payment = (await world.store.getPayment(a.paymentId))!;
    expect(payment.status).toBe('completed');
    expect((await world.store.listOutbox()).length).toBe(outbox);
  });

  it('answers not_found for other providers, unknown payments and providers without callbacks', async () => {
    const { world, deliver } = await setup();
    const before = await stateOf(world);
    expect((await deliver({ id: 'fake-999', event: 'e', status: 'completed' })).status).toBe(404);
    // A provider that is not configured here.
    expect((await deliver({ id: 'x', event: 'e' }, 'good', '/v1/callbacks/vipps-ecom/anything')).status).toBe(404);
    expect((await deliver({ id: 'x', event: 'e' }, 'good', '/v1/callbacks/Fake/events')).status).toBe(400);
    expect(await stateOf(world)).toBe(before);
    // Mastercard is configured but has no callbacks (polling only): nothing to forge.
    const mastercard = makeWorld();
    const res = await mastercard.request('POST', '/v1/callbacks/mastercard/v1/payments/x', {
      body: { paymentId: 'x', status: { code: 'Succeeded' } },
    });
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('not_found');
  });
});

// ------------------------------------------------------------------------------------------- Vipps

interface VippsCheckout {
  world: VippsWorld;
  server: PayWithBankServer;
  paymentId: string;
  /** Authentic deliveries the sandbox made to our callback route, as sent. */
  deliveries: { url: string; headers: Headers; body: string; status: number }[];
}

async function vippsCheckout(api: Api): Promise<VippsCheckout> {
  const world = createWorld(api);
  if (api === 'epayment') {
    const ensured = await ensureWebhook(world.config, world.deps);
    world.adapter = world.makeAdapter({ PWB_VIPPS_WEBHOOK_SECRET: ensured.secret });
  }
  const server = createServer(testConfig(), {
    store: new MemoryStore(),
    adapters: [world.adapter],
    fetch: world.deps.fetch,
    now: () => new Date(world.clock.now()),
    backgroundWorkers: false,
    refreshIntervalMs: 0,
  });
  const deliveries: VippsCheckout['deliveries'] = [];
  world.receive = async (request) => {
    const body = await request.clone().text();
    const response = await server.fetch(request);
    deliveries.push({ url: request.url, headers: new Headers(request.headers), body, status: response.status });
    return response;
  };
  const call = async (token: string, method: string, path: string, body?: unknown) =>
    server.fetch(
      new Request(`http://pwb.test${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }),
    );
  const session = await json(
    await call(MERCHANT_KEY, 'POST', '/v1/sessions', {
      amount: { value: 49_900, currency: 'NOK' },
      reference: 'ORDER-2001',
      description: 'One pair of Vipps socks',
      returnUrl: RETURN_URL,
    }),
  );
  const started = await json(
    await call(session.clientToken, 'POST', '/v1/checkout/payments', {
      method: 'vipps',
      attemptId: 'attempt-0001',
      phoneNumber: '91234567',
    }),
  );
  await shopper(world, started.redirectUrl, 'confirm');
  return { world, server, paymentId: started.payment.id, deliveries };
}

async function serverState(server: PayWithBankServer, paymentId: string): Promise<string> {
  const store = server.services.store;
  return JSON.stringify({
    stats: await store.stats(),
    payment: await store.getPayment(paymentId),
    events: await store.listPaymentEvents(paymentId),
  });
}

function resend(
  delivery: VippsCheckout['deliveries'][number],
  changes: { headers?: Record<string, string | null>; body?: string; url?: string } = {},
): Request {
  const headers = new Headers(delivery.headers);
  for (const [name, value] of Object.entries(changes.headers ?? {})) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
  }
  return new Request(changes.url ?? delivery.url, { method: 'POST', headers, body: changes.body ?? delivery.body });
}

describe('Vipps eCom callbacks through the server route', () => {
  it('accepts the authentic callback, and refuses a forged or other order’s token, changing nothing', async () => {
    const { server, paymentId, deliveries } = await vippsCheckout('ecom');
    const authentic = deliveries.find(
      (d) => d.status === 200 && /\/v1\/callbacks\/vipps-ecom\/v2\/payments\//.test(d.url),
    );
    expect(authentic, JSON.stringify(deliveries.map((d) => [d.url, d.status]))).toBeDefined();
    expect((await server.services.store.getPayment(paymentId))!.status).toBe('authorized');
    const before = await serverState(server, paymentId);

    const token = authentic!.headers.get('authorization')!;
    const forgeries: Request[] = [
      resend(authentic!, { headers: { authorization: null } }),
      resend(authentic!, { headers: { authorization: 'forged' } }),
      resend(authentic!, { headers: { authorization: `${token.slice(0, -2)}xx` } }),
      resend(authentic!, { headers: { authorization: `Bearer ${token}` } }),
      // The right token for one order does not open another order's callback.
      resend(authentic!, { url: authentic!.url.replace(/[^/]+$/, 'shop1-otherorder0001') }),
    ];
    for (const forged of forgeries) {
      const res = await server.fetch(forged);
      expect(res.status, forged.url).toBe(401);
      expect((await json(res)).error.code).toBe('unauthorized');
    }
    expect(await serverState(server, paymentId)).toBe(before);
  });

  it('acknowledges a replayed callback without applying it again', async () => {
    const { server, paymentId, deliveries } = await vippsCheckout('ecom');
    const authentic = deliveries.find((d) => d.status === 200)!;
    const before = await serverState(server, paymentId);
    for (let i = 0; i < 3; i++) {
      const replay = await server.fetch(resend(authentic));
      expect(replay.status).toBe(200);
    }
    expect(await serverState(server, paymentId)).toBe(before);
  });
});

describe('Vipps ePayment webhooks through the server route', () => {
  it('refuses a bad HMAC, a tampered body, a foreign secret and missing headers, changing nothing', async () => {
    const { world, server, paymentId, deliveries } = await vippsCheckout('epayment');
    const authentic = deliveries.find(
      (d) => d.status === 200 && d.url.endsWith('/v1/callbacks/vipps-epayment/webhooks'),
    );
    expect(authentic, JSON.stringify(deliveries.map((d) => [d.url, d.status]))).toBeDefined();
    const before = await serverState(server, paymentId);
    const signature = authentic!.headers.get('authorization')!;
    const tampered = authentic!.body.replace('"AUTHORIZED"', '"ABORTED"');
    const foreign = signVippsWebhook({
      secret: 'another-secret-entirely-0123456789',
      url: authentic!.url,
      body: authentic!.body,
      date: new Date(world.clock.now()).toUTCString(),
    });
    const forgeries: Request[] = [
      resend(authentic!, { headers: { authorization: signature.replace(/Signature=.{4}/, 'Signature=AAAA') } }),
      resend(authentic!, {
        headers: { authorization: 'HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=' },
      }),
      resend(authentic!, { body: tampered }),
      resend(authentic!, { headers: { ...foreign } }),
      resend(authentic!, { headers: { 'x-ms-date': null } }),
      resend(authentic!, { headers: { 'x-ms-content-sha256': null } }),
      resend(authentic!, { headers: { authorization: null } }),
    ];
    for (const forged of forgeries) {
      const res = await server.fetch(forged);
      expect(res.status).toBe(401);
      expect((await json(res)).error.code).toBe('unauthorized');
    }
    expect(await serverState(server, paymentId)).toBe(before);
  });

  it('acknowledges a replay within the window as a no-op, and refuses it once stale', async () => {
    const { world, server, paymentId, deliveries } = await vippsCheckout('epayment');
    const authentic = deliveries.find((d) => d.status === 200 && d.body.includes('"AUTHORIZED"'));
    expect(authentic).toBeDefined();
    const before = await serverState(server, paymentId);
    const replay = await server.fetch(resend(authentic!));
    expect(replay.status).toBe(200);
    expect(await serverState(server, paymentId)).toBe(before);
    // A captured delivery replayed later than ±5 minutes is refused outright.
    world.clock.advance(6 * 60_000);
    const stale = await server.fetch(resend(authentic!));
    expect(stale.status).toBe(401);
    expect(await serverState(server, paymentId)).toBe(before);
  });
});
