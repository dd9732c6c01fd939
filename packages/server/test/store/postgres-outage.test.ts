/**
 * PostgreSQL going away and coming back under a running store (and server): a restart, a crash
 * (immediate stop) mid-load, a connection killed mid-transaction. While it is down every operation
 * fails with the typed, retryable StoreUnavailableError (the server answers a retryable error, its
 * health check 503); nothing is half-written; the same store works again once PostgreSQL is back,
 * without being reopened. This file runs a cluster of its own, since it stops it.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/app.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { StoreUnavailableError, type PaymentRecord } from '../../src/store/store.js';
import { MERCHANT_KEY, testConfig } from '../helpers/config.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';
import { makeHarnessFor } from '../helpers/harness.js';
import { captureLogs } from '../helpers/logs.js';
import { startCluster, type Cluster } from '../helpers/postgres.js';
import { eventRecord, outboxRecord, paymentRecord, sessionRecord } from './contract.js';

let cluster: Cluster;
let store: PostgresStore;

beforeAll(async () => {
  cluster = await startCluster();
  store = new PostgresStore({ url: cluster.url, poolSize: 8, connectTimeoutMs: 2000 });
  await store.ping();
}, 60_000);

afterAll(async () => {
  await store?.close();
  await cluster?.destroy();
});

async function storedPayment(): Promise<PaymentRecord> {
  const s = sessionRecord();
  await store.insertSession(s);
  const p = paymentRecord(s);
  return (await store.insertPayment(p, eventRecord(p))).payment;
}

/** The next change of `p` as stored now: one event and one outbox row with each version bump. */
async function change(p: PaymentRecord, n: number) {
  const current = (await store.getPayment(p.id))!;
  return store.updatePayment({
    paymentId: p.id,
    expectedVersion: current.version,
    patch: { providerStatus: `step-${n}` },
    updatedAt: new Date().toISOString(),
    events: [eventRecord(p, { type: 'status', dedupeKey: `step-${n}` })],
    outbox: [outboxRecord(p)],
  });
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Every payment's rows agree with its version: no change was half-written. */
async function expectWhole(p: PaymentRecord): Promise<void> {
  const now = (await store.getPayment(p.id))!;
  expect((await store.listPaymentEvents(p.id)).length, p.id).toBe(now.version);
  expect((await store.listOutbox(p.id)).length, p.id).toBe(now.version - 1);
}

describe('PostgreSQL restarted or lost under a running store', () => {
  it('throws StoreUnavailableError while PostgreSQL is down and works again, unreopened, once it is back', async () => {
    const p = await storedPayment();
    await cluster.stop('fast');
    for (const operation of [
      () => store.ping(),
      () => store.getPayment(p.id),
      () => change(p, 1),
      () => store.insertSession(sessionRecord()),
      () => store.claimDueOutbox(new Date().toISOString(), 10, 30_000, 'w'),
    ]) {
      const error = await operation().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error).toMatchObject({ retryable: true });
    }
    await cluster.start();
    expect((await change(p, 2)).ok).toBe(true);
    expect((await store.getPayment(p.id))!).toMatchObject({ version: 2, providerStatus: 'step-2' });
    await expectWhole(p);
  }, 60_000);

  it('loses nothing and half-writes nothing when PostgreSQL crashes mid-load', async () => {
    const payments = await Promise.all(Array.from({ length: 8 }, () => storedPayment()));
    const outcomes: ('ok' | 'conflict' | 'unavailable' | string)[] = [];
    let stop = false;
    const load = payments.map(async (p) => {
      for (let n = 0; !stop; n++) {
        try {
          const result = await change(p, n);
          outcomes.push(result.ok ? 'ok' : 'conflict');
        } catch (error) {
          outcomes.push(error instanceof StoreUnavailableError ? 'unavailable' : String(error));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await cluster.stop('immediate'); // like a crash: no clean shutdown
    await new Promise((resolve) => setTimeout(resolve, 300));
    await cluster.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    stop = true;
    await Promise.all(load);

    // Only the two expected kinds of failure, and work went on after the restart.
    expect(outcomes.filter((o) => !['ok', 'conflict', 'unavailable'].includes(o))).toEqual([]);
    expect(outcomes).toContain('unavailable');
    const afterRestart = outcomes.slice(outcomes.lastIndexOf('unavailable') + 1);
    expect(afterRestart.filter((o) => o === 'ok').length).toBeGreaterThan(0);
    for (const p of payments) await expectWhole(p);
  }, 60_000);

  it('rolls back a transaction whose connection is killed midway, and carries on', async () => {
    const p = await storedPayment();
    const locker = new pg.Client({ connectionString: cluster.url });
    await locker.connect();
    // The change's outbox insert waits on this lock, after its payment update and event insert.
    await locker.query('BEGIN; LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE');
    const pending = change(p, 1).then(
      () => null,
      (e: unknown) => e,
    );
    await expect
      .poll(() =>
        admin(async (c) => {
          const { rows } = await c.query(
            `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
              WHERE application_name = 'pay-with-bank-server' AND wait_event_type = 'Lock'`,
          );
          return rows.length;
        }),
      )
      .toBe(1);
    expect(await pending).toBeInstanceOf(StoreUnavailableError);
    await locker.query('ROLLBACK');
    await locker.end();
    expect((await store.getPayment(p.id))!.version).toBe(1);
    await expectWhole(p);
    expect((await change(p, 2)).ok).toBe(true);
    await expectWhole(p);
  }, 60_000);

  it('answers a retryable error and an unhealthy health check while PostgreSQL is down, then serves again', async () => {
    const logs = captureLogs();
    const config = testConfig({ PWB_DATABASE: cluster.url, PWB_LOG_LEVEL: 'warn' });
    const server = createServer(config, {
      adapters: [new FakeAdapter()],
      backgroundWorkers: false,
      logSink: logs.sink,
    });
    const h = makeHarnessFor(server);
    try {
      const { session } = await h.createSession();
      await cluster.stop('fast');
      const read = await h.merchant('GET', `/v1/sessions/${session.id}`);
      expect(read.status).toBe(503);
      expect(read.headers.get('retry-after')).toBe('1');
      expect(await read.json()).toEqual({
        error: {
          code: 'store_unavailable',
          message: 'The server cannot reach its database right now; try again shortly.',
          retryable: true,
        },
      });
      expect((await h.request('GET', '/healthz')).status).toBe(503);
      expect(logs.text()).toContain('database unavailable');
      expect(logs.text()).not.toContain('unhandled error');

      await cluster.start();
      expect((await h.request('GET', '/healthz')).status).toBe(200);
      expect((await h.merchant('GET', `/v1/sessions/${session.id}`)).status).toBe(200);
      expect(logs.text()).not.toContain(MERCHANT_KEY);
    } finally {
      await server.close();
    }
  }, 60_000);
});
