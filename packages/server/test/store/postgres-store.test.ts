/**
 * The PostgreSQL store: the shared contract, plus what only a database shared by several server
 * instances shows. Each "instance" here is a PostgresStore of its own (its own pool) on one schema.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres-migrations.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { TABLES } from '../../src/store/tables.js';
import { freePort, freshSchemaUrl, openTestPostgresStore, sharedPostgresUrl } from '../helpers/postgres.js';
import { eventRecord, outboxRecord, paymentRecord, runStoreContract, sessionRecord } from './contract.js';

runStoreContract('postgres', () => openTestPostgresStore());

const opened: PostgresStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

/** `n` stores on one new schema (at `url`), as `n` server instances on one database. */
async function instances(n: number): Promise<{ url: string; stores: PostgresStore[] }> {
  const url = await freshSchemaUrl(await sharedPostgresUrl());
  const stores = Array.from({ length: n }, () => new PostgresStore({ url, poolSize: 4 }));
  opened.push(...stores);
  return { url, stores };
}

/** A plain client on the schema at `url`, to look at (or tamper with) the database directly. */
async function sql(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

describe('PostgresStore', () => {
  it('migrates once when several instances start together, under the advisory lock', async () => {
    const { url, stores } = await instances(5);
    await Promise.all(stores.map((s) => s.ping()));
    const expected = POSTGRES_MIGRATIONS.map((m) => m.version);
    for (const store of stores) expect(await store.appliedMigrations()).toEqual(expected);
    const { rows } = await sql(url, 'SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version');
    expect(rows.map((r) => r.n)).toEqual(expected.map(() => 1));
    // A restarted instance finds nothing to do.
    const again = new PostgresStore({ url, poolSize: 1 });
    opened.push(again);
    await again.ping();
    expect(await again.appliedMigrations()).toEqual(expected);
  });

  it('has exactly the columns of the shared mapping, plus its own coordination columns', async () => {
    const {
      url,
      stores: [store],
    } = await instances(1);
    await store!.ping();
    const { rows } = await sql(
      url,
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name NOT IN ('schema_migrations', 'rate_windows')`,
    );
    const own: Record<string, string[]> = {
      payments: ['seq', 'next_provider_call_at'],
      payment_events: ['seq'],
      outbox: ['seq', 'lease_until', 'leased_by'],
    };
    for (const table of TABLES) {
      const columns = rows.filter((r) => r.table_name === table.name).map((r) => r.column_name as string);
      expect(columns.sort(), table.name).toEqual([...table.columns, ...(own[table.name] ?? [])].sort());
    }
    expect(new Set(rows.map((r) => r.table_name)).size).toBe(TABLES.length);
  });

  it('counts requests for the rate limits in windows every instance shares, a new one once the last is over', async () => {
    const { stores } = await instances(2);
    const [a, b] = stores as [PostgresStore, PostgresStore];
    const counts = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).countRequest('k', 1_000, 60_000)),
    );
    expect(counts.map((c) => c.count).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(new Set(counts.map((c) => c.windowStart))).toEqual(new Set([1_000]));
    expect(await a.countRequest('k', 60_999, 60_000)).toEqual({ windowStart: 1_000, count: 11 });
    expect(await b.countRequest('k', 61_000, 60_000)).toEqual({ windowStart: 61_000, count: 1 });
    expect(await a.countRequest('other', 61_000, 60_000)).toEqual({ windowStart: 61_000, count: 1 });
  });

  it('refuses in the database itself what the invariants forbid', async () => {
    const {
      url,
      stores: [store],
    } = await instances(1);
    const s = sessionRecord();
    await store!.insertSession(s);
    const p = paymentRecord(s, { providerPaymentId: 'prov-1' });
    await store!.insertPayment(p, eventRecord(p, { dedupeKey: 'cb-1' }));
    const copyPayment = (id: string, attempt: string, providerId: string | null) =>
      sql(
        url,
        `INSERT INTO payments (id, session_id, attempt_id, method, adapter_id, provider_payment_id, status, reference,
           amount, currency, created_at, updated_at, version)
         SELECT $1, session_id, $2, method, adapter_id, $3, status, reference, amount, currency, created_at, updated_at, 1
           FROM payments WHERE id = $4`,
        [id, attempt, providerId, p.id],
      );
    const unique = { code: '23505' };
    // One payment per attempt; one per provider payment.
    await expect(copyPayment('pay_other_1', p.attemptId, null)).rejects.toMatchObject(unique);
    await expect(copyPayment('pay_other_2', 'attempt-other', 'prov-1')).rejects.toMatchObject(unique);
    // One event per (payment, dedupe key); one row per idempotency key.
    await expect(
      sql(
        url,
        `INSERT INTO payment_events (id, payment_id, type, status, source, dedupe_key, created_at)
         VALUES ('evt_other', $1, 'callback', 'pending', 'callback', 'cb-1', 't')`,
        [p.id],
      ),
    ).rejects.toMatchObject(unique);
    await store!.saveIdempotency({ key: 'k', fingerprint: 'f', statusCode: 200, responseBody: '{}', createdAt: 't' });
    await expect(
      sql(
        url,
        `INSERT INTO idempotency_keys (key, fingerprint, status_code, response_body, created_at) VALUES ('k', 'g', 200, '{}', 't')`,
      ),
    ).rejects.toMatchObject(unique);
    // An event or outbox row of no payment.
    await expect(
      sql(
        url,
        `INSERT INTO outbox (id, payment_id, type, payload, next_attempt_at, created_at) VALUES ('evt_x', 'pay_none', 't', '{}', 't', 't')`,
      ),
    ).rejects.toMatchObject({ code: '23503' });
  });

  it('keeps the invariants across instances racing for the same rows', async () => {
    const { stores } = await instances(3);
    const s = sessionRecord();
    await stores[0]!.insertSession(s);
    // 30 starts of one attempt spread over three instances: one payment.
    const starts = await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const p = paymentRecord(s, { attemptId: 'attempt-shared' });
        return stores[i % 3]!.insertPayment(p, eventRecord(p));
      }),
    );
    expect(starts.filter((r) => r.created)).toHaveLength(1);
    const payment = starts.find((r) => r.created)!.payment;
    // 30 changes planned on version 1: one wins.
    const changes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        stores[i % 3]!.updatePayment({
          paymentId: payment.id,
          expectedVersion: 1,
          patch: { status: 'authorized', authorizedAmount: payment.amount },
          updatedAt: 't',
          events: [eventRecord(payment, { type: 'status', status: 'authorized' })],
          outbox: [outboxRecord(payment, { type: 'payment.authorized' })],
        }),
      ),
    );
    expect(changes.filter((c) => c.ok)).toHaveLength(1);
    expect(await stores[1]!.stats()).toMatchObject({ payments: 1, paymentEvents: 2, outbox: 1 });
    // 30 provider-call claims in one interval: one wins.
    const claims = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        stores[i % 3]!.tryClaimProviderCall(payment.id, 2000, '2030-01-01T00:00:00.000Z'),
      ),
    );
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
  });

  it('shares the outbox among instances: every row leased once, none twice', async () => {
    const { url, stores } = await instances(3);
    const s = sessionRecord();
    await stores[0]!.insertSession(s);
    const rows: string[] = [];
    for (let i = 0; i < 30; i++) {
      const p = paymentRecord(s);
      await stores[0]!.insertPayment(p, eventRecord(p));
      const o = outboxRecord(p, { nextAttemptAt: '2030-01-01T00:00:00.000Z' });
      rows.push(o.id);
      await stores[0]!.updatePayment({
        paymentId: p.id,
        expectedVersion: 1,
        patch: {},
        updatedAt: 't',
        events: [],
        outbox: [o],
      });
    }
    const now = '2030-01-01T00:00:01.000Z';
    const claimed = (
      await Promise.all(
        Array.from({ length: 9 }, (_, i) => stores[i % 3]!.claimDueOutbox(now, 5, 30_000, `instance-${i % 3}`)),
      )
    ).flat();
    expect(claimed.map((o) => o.id).sort()).toEqual([...rows].sort());
    const { rows: leases } = await sql(url, 'SELECT leased_by, count(*)::int AS n FROM outbox GROUP BY leased_by');
    expect(leases.reduce((sum, r) => sum + (r.n as number), 0)).toBe(30);
    expect(leases.every((r) => /^instance-\d$/.test(r.leased_by as string))).toBe(true);
  });

  it('excludes holders of one lock across instances, and a chain of nested locks holds one connection', async () => {
    const { url, stores } = await instances(3);
    let inside = 0;
    let most = 0;
    let entered = 0;
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        stores[i % 3]!.withLock('session:cs_shared', async () => {
          entered++;
          most = Math.max(most, ++inside);
          await new Promise((r) => setTimeout(r, 5));
          inside--;
        }),
      ),
    );
    expect([entered, most]).toEqual([24, 1]);

    // Three keys nested inside one another on one instance: one lock connection, three locks on it.
    const seen = await stores[0]!.withLock('idempotency:k', () =>
      stores[0]!.withLock('payment:p', () =>
        stores[0]!.withLock('other:o', () =>
          sql(
            url,
            `SELECT count(DISTINCT a.pid)::int AS connections, count(*)::int AS locks
               FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
              WHERE l.locktype = 'advisory' AND a.application_name = 'pay-with-bank-server (locks)'
                AND a.datname = current_database()`,
          ),
        ),
      ),
    );
    expect(seen.rows[0]).toEqual({ connections: 1, locks: 3 });
  });

  it('fails a lock that is not granted in time, and one whose connection was lost, as retryable', async () => {
    const { url, stores } = await instances(1);
    const waiter = new PostgresStore({ url, poolSize: 2, lockWaitMs: 300 });
    opened.push(waiter);
    let release!: () => void;
    const holding = stores[0]!.withLock('payment:busy', () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const timedOut = await waiter.withLock('payment:busy', async () => 'ran').catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(StoreUnavailableError);
    expect((timedOut as Error).message).toBe('a lock was not granted within 300 ms');
    expect(Date.now() - started).toBeLessThan(3000);
    release();
    await holding;
    expect(await waiter.withLock('payment:busy', async () => 'ran')).toBe('ran');

    // The lock's connection dies while the work runs: the database let go of the lock, so the
    // result is not trusted, and another instance could take the lock meanwhile.
    let proceed!: () => void;
    const work = stores[0]!.withLock('session:lost', async () => {
      await new Promise<void>((r) => (proceed = r));
      return 'made a decision';
    });
    await new Promise((r) => setTimeout(r, 100));
    await sql(
      url,
      `SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND a.datname = current_database()
          AND a.application_name = 'pay-with-bank-server (locks)'`,
    );
    expect(await waiter.withLock('session:lost', async () => 'taken meanwhile')).toBe('taken meanwhile');
    proceed();
    const lost = await work.catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(StoreUnavailableError);
    expect((lost as Error).message).toContain('holding a lock was lost');
    // The instance carries on: a new lock connection is opened.
    expect(await stores[0]!.withLock('session:lost', async () => 'again')).toBe('again');
  });

  it('fails with a retryable StoreUnavailableError that never shows the URL or its password', async () => {
    const port = await freePort(); // nothing listens there
    const store = new PostgresStore({
      url: `postgres://pwb:S3cret-Pa55word@127.0.0.1:${port}/pwb`,
      connectTimeoutMs: 1000,
    });
    opened.push(store);
    const error = await store.getSession('cs_x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ retryable: true, message: 'the PostgreSQL database is unavailable (ECONNREFUSED)' });
    const text = `${(error as Error).message} ${(error as Error).stack} ${JSON.stringify(error)}`;
    expect(text).not.toContain('S3cret-Pa55word');
    expect(text).not.toContain(`:${port}`);
  });
});
