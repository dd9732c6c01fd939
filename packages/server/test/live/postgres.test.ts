/**
 * Live status across server instances on one PostgreSQL database (LISTEN/NOTIFY): two app
 * instances on a schema of their own on the run's throwaway cluster, one Vipps sandbox (ePayment)
 * behind both. A change committed on one instance reaches a stream on the other within a second;
 * the LISTEN connection, killed, reconnects and catches up on what it missed; three streams over
 * the two instances make at most one Vipps status call per polling interval (the sandbox's call
 * statistics are the judge).
 */
import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type PayWithBankServer, type ServerDeps } from '../../src/app.js';
import { PostgresChangeBus } from '../../src/live/postgres-bus.js';
import { silentLogger } from '../../src/log.js';
import type { ProviderAdapter } from '../../src/providers/adapter.js';
import { ensureWebhook } from '../../src/providers/vipps/index.js';
import { MERCHANT_KEY, RETURN_URL, testConfig } from '../helpers/config.js';
import { freshSchemaUrl, sharedPostgresUrl } from '../helpers/postgres.js';
import { createWorld, type VippsWorld } from '../vipps/helpers.js';
import { SseReader } from './sse.js';

const BASE = 'http://pwb.test';
const FAST_POLICY = { firstPollAfterMs: 300, intervalMs: 400 };

let clusterUrl: string;
beforeAll(async () => {
  clusterUrl = await sharedPostgresUrl();
}, 120_000);

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

interface Cluster {
  world: VippsWorld;
  url: string;
  servers: PayWithBankServer[];
}

/** `count` server instances on one fresh schema, Vipps ePayment's webhooks going to the first. */
async function instances(
  count: number,
  options: { policy?: typeof FAST_POLICY; deps?: (index: number, url: string) => ServerDeps } = {},
): Promise<Cluster> {
  const url = await freshSchemaUrl(clusterUrl);
  const world = createWorld('epayment');
  const ensured = await ensureWebhook(world.config, world.deps);
  world.adapter = world.makeAdapter({ PWB_VIPPS_WEBHOOK_SECRET: ensured.secret });
  const adapter: ProviderAdapter = options.policy
    ? (Object.create(world.adapter, { pollingPolicy: { value: options.policy } }) as ProviderAdapter)
    : world.adapter;
  const servers = Array.from({ length: count }, (_, index) =>
    createServer(testConfig({ PWB_DATABASE: url, PWB_DATABASE_POOL: '4' }), {
      adapters: [adapter],
      fetch: world.deps.fetch,
      backgroundWorkers: false,
      live: { heartbeatMs: 60_000 },
      ...(options.policy ? { refreshIntervalMs: 0 } : {}),
      ...options.deps?.(index, url),
    }),
  );
  cleanup.push(async () => {
    for (const server of servers) await server.close();
  });
  world.receive = (request) => servers[0]!.fetch(request);
  await Promise.all(servers.map((server) => server.services.store.ping()));
  await Promise.all(servers.map((server) => (server.live.bus as PostgresChangeBus).ready()));
  return { world, url, servers };
}

async function call(server: PayWithBankServer, method: string, path: string, auth: string, body?: unknown) {
  const response = await server.fetch(
    new Request(`${BASE}${path}`, {
      method,
      headers: { authorization: `Bearer ${auth}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }),
  );
  return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A checkout started on `server`: its token, payment id and Vipps reference. */
async function checkout(server: PayWithBankServer, reference: string) {
  const created = await call(server, 'POST', '/v1/sessions', MERCHANT_KEY, {
    amount: { value: 49_900, currency: 'NOK' },
    reference,
    description: 'One pair of Vipps socks',
    returnUrl: RETURN_URL,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const token = created.body.clientToken as string;
  const started = await call(server, 'POST', '/v1/checkout/payments', token, {
    method: 'vipps',
    attemptId: 'attempt-0001',
    phoneNumber: '91234567',
  });
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  const paymentId = started.body.payment.id as string;
  const merchant = await call(server, 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY);
  return { token, paymentId, reference: merchant.body.payment.providerPaymentId as string };
}

async function openStream(server: PayWithBankServer, token: string, paymentId: string): Promise<SseReader> {
  const response = await server.fetch(
    new Request(`${BASE}/v1/checkout/payments/${paymentId}/events`, { headers: { authorization: `Bearer ${token}` } }),
  );
  expect(response.status).toBe(200);
  const reader = new SseReader(response);
  cleanup.push(() => reader.cancel());
  return reader;
}

function statusCalls(world: VippsWorld, reference: string): number {
  return world.sandbox.controls.stats().byPayment[reference]?.byRoute['GET /epayment/v1/payments/{reference}'] ?? 0;
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('live status on PostgreSQL, two instances', () => {
  it('a change committed on one instance reaches a stream on the other within a second', async () => {
    const { world, servers } = await instances(2);
    const [a, b] = servers as [PayWithBankServer, PayWithBankServer];
    const { token, paymentId, reference } = await checkout(a, 'ORDER-PG-1');
    const onB = await openStream(b, token, paymentId);
    const onA = await openStream(a, token, paymentId);
    expect(await onB.nextPayment()).toMatchObject({ status: 'pending' });
    await onA.nextPayment();

    // The shopper approves; Vipps' webhook reaches instance A only, which commits the change.
    world.sandbox.controls.approve(reference);
    await world.settle();
    const committedAt = Date.now();
    const seen = await onB.nextPayment(1_000);
    expect(Date.now() - committedAt).toBeLessThan(1_000);
    expect(seen).toMatchObject({ id: paymentId, status: 'authorized', settled: true });
    expect(await onB.nextEvent()).toMatchObject({ event: 'end', data: { reason: 'final' } });
    expect(await onA.nextPayment()).toMatchObject({ status: 'authorized' });
    // B heard it from the database: it never asked Vipps.
    expect(statusCalls(world, reference)).toBe(0);
  });

  it('a dropped LISTEN connection reconnects, catches up on the change it missed, and hears the next ones', async () => {
    let bus: PostgresChangeBus | null = null;
    const { world, servers } = await instances(2, {
      deps: (index, url) => {
        if (index !== 1) return {};
        bus = new PostgresChangeBus({ url, logger: silentLogger, reconnectDelayMs: { initial: 300, max: 300 } });
        return { changeBus: bus };
      },
    });
    cleanup.push(() => bus!.close());
    const listening = bus! as PostgresChangeBus;
    await listening.ready();
    const [a, b] = servers as [PayWithBankServer, PayWithBankServer];
    const first = await checkout(a, 'ORDER-PG-2');
    const second = await checkout(a, 'ORDER-PG-3');
    const missed = await openStream(b, first.token, first.paymentId);
    const heard = await openStream(b, second.token, second.paymentId);
    await missed.nextPayment();
    await heard.nextPayment();

    const admin = new pg.Client({ connectionString: clusterUrl });
    await admin.connect();
    cleanup.push(() => admin.end());
    const pid = listening.backendPid;
    expect(pid).not.toBeNull();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await until(() => listening.backendPid === null, 2_000, 'the bus to notice its connection was dropped');

    // Committed on A while B is not listening: B's NOTIFY is lost, its reconnect catches up.
    world.sandbox.controls.approve(first.reference);
    await world.settle();
    expect(await missed.nextPayment(3_000)).toMatchObject({ status: 'authorized' });
    expect(listening.connects).toBe(2);
    expect(listening.backendPid).not.toBe(pid);

    const approvedAt = Date.now();
    world.sandbox.controls.approve(second.reference);
    await world.settle();
    expect(await heard.nextPayment(1_000)).toMatchObject({ status: 'authorized' });
    expect(Date.now() - approvedAt).toBeLessThan(1_000);
  });

  /** Three streams on `on` (instance indexes), callbacks lost: Vipps status calls while they wait, then the approval. */
  async function watchWithThreeStreams(on: [number, number, number]): Promise<void> {
    const { world, servers } = await instances(2, { policy: FAST_POLICY });
    world.receive = async () => new Response(null, { status: 503 }); // only polling finds out
    const { token, paymentId, reference } = await checkout(servers[0]!, 'ORDER-PG-4');
    const opened = Date.now();
    const tabs: SseReader[] = [];
    for (const index of on) tabs.push(await openStream(servers[index]!, token, paymentId));
    for (const tab of tabs) await tab.nextPayment();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const calls = statusCalls(world, reference);
    const elapsed = Date.now() - opened;
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(
      Math.floor((elapsed - FAST_POLICY.firstPollAfterMs) / FAST_POLICY.intervalMs) + 1,
    );

    world.sandbox.controls.approve(reference);
    await world.settle();
    for (const tab of tabs) expect(await tab.nextPayment(3_000)).toMatchObject({ status: 'authorized' });
  }

  it('three streams on one instance make at most one Vipps status call per polling interval', async () => {
    await watchWithThreeStreams([1, 1, 1]);
  });

  // The refresher claims each status call from the store (tryClaimProviderCall), so the interval holds across instances.
  it('three streams over the two instances make at most one Vipps status call per polling interval', async () => {
    await watchWithThreeStreams([0, 1, 1]);
  });
});
