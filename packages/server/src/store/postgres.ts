/**
 * PostgreSQL store (node-postgres), the store for several server instances on one database. Same
 * contract as SQLite (the shared contract suite runs against both), same tables and the same
 * record ↔ row mapping (tables.ts); what must hold across instances is held by the database:
 *
 * - constraints: one payment per (session, attempt), one per provider payment id, one event per
 *   (payment, dedupe key), idempotency keys as primary keys;
 * - every multi-row change is one transaction; updatePayment is compare-and-set on the version (a
 *   concurrent writer waits for the row lock, then finds the version moved); insertSession with an
 *   idempotency key and insertPayment use ON CONFLICT, so concurrent callers get the one winner's row;
 * - migrations run once, under a transaction-scoped advisory lock, however many instances start;
 * - claimDueOutbox leases rows (`FOR UPDATE SKIP LOCKED`); tryClaimProviderCall and claimCheck are
 *   one conditional UPDATE each; withLock holds a transaction-scoped advisory lock on a connection
 *   of a small pool of its own: see store.ts.
 *
 * The pool replaces broken connections by itself: while the database is down or restarting, each
 * operation fails with StoreUnavailableError (retryable) and the next one after it is back succeeds,
 * without a restart. Migrations are applied before the first operation (and tried again by the next
 * one if they failed); startServer pings the store, so a server does not listen before they ran.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { createPool, toStoreError } from './postgres-connection.js';
import type { SqlTable } from './sql-table.js';
import { events, idempotencyKeys, outbox, payments, sessions } from './tables.js';
import {
  TERMINAL_STATUS_LIST,
  type IdempotencyRecord,
  type InsertPaymentResult,
  type OutboxRecord,
  type PaymentChange,
  type PaymentChangeResult,
  type PaymentEventRecord,
  type PaymentListFilter,
  type PaymentPatch,
  type PaymentRecord,
  type ProviderCallClaim,
  type SessionRecord,
  type KeptShopperErasure,
  type ShopperErasure,
  type Store,
  type StoreStats,
  StoreUnavailableError,
} from './store.js';

/** Defined here, not beside the pool, so that the store's public types need none of node-postgres's. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database?…` (libpq URL parameters such as sslmode, options). */
  url: string;
  /** Connections at most (PWB_DATABASE_POOL; default 10). */
  poolSize?: number;
  /** How long to wait for a connection before the operation fails as unavailable (default 5 s). */
  connectTimeoutMs?: number;
  /** A pooled connection failed while idle (the pool drops it and opens a new one when needed). */
  onIdleError?: (error: StoreUnavailableError) => void;
  /** Connections that hold locks (withLock), beside the pool (default: half the pool, at least 2). */
  lockPoolSize?: number;
  /** How long withLock waits for its connection and then for the lock itself (default 15 s). */
  lockWaitMs?: number;
}

/** A lock connection held by withLock (nested calls take their keys on it while `open`). */
interface HeldLock {
  client: pg.PoolClient;
  open: boolean;
}

/** Takes the advisory lock of a key (the one-bigint space: the migration lock uses the two-int one). */
const TAKE_LOCK = 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))';
/** lock_not_available: lock_timeout expired. */
const LOCK_TIMEOUT_SQLSTATE = '55P03';

/** The advisory lock (two-int form) that serialises migrations across instances: "pwb!", 1. */
const MIGRATION_LOCK = [0x70776221, 1] as const;

/** `INSERT INTO <table> (<every column>) VALUES ($1, …)`. */
function insertSql(table: Pick<SqlTable<unknown>, 'name' | 'columns'>): string {
  return `INSERT INTO ${table.name} (${table.columns.join(', ')}) VALUES (${table.columns.map((_, i) => `$${i + 1}`).join(', ')})`;
}

const INSERT_SESSION = insertSql(sessions);
const INSERT_PAYMENT = `${insertSql(payments)} ON CONFLICT (session_id, attempt_id) DO NOTHING RETURNING *`;
const INSERT_EVENT = `${insertSql(events)} ON CONFLICT DO NOTHING`;
const INSERT_OUTBOX = insertSql(outbox);
const INSERT_IDEMPOTENCY = `${insertSql(idempotencyKeys)} ON CONFLICT (key) DO NOTHING`;

/**
 * Each payment's first due row (by due time, then insertion), when it is not leased and no row of
 * its payment is, leased in one statement. SKIP LOCKED: a row another claim is taking is passed
 * over, never waited for; the other row conditions are checked again on its newest version.
 */
const CLAIM_OUTBOX = `
  UPDATE outbox AS o SET lease_until = $3, leased_by = $4
   WHERE o.seq IN (
     SELECT c.seq FROM outbox c
      WHERE c.delivered_at IS NULL AND c.next_attempt_at <= $1
        AND (c.lease_until IS NULL OR c.lease_until <= $1)
        AND NOT EXISTS (
          SELECT 1 FROM outbox e
           WHERE e.payment_id = c.payment_id AND e.delivered_at IS NULL AND e.next_attempt_at <= $1
             AND (e.next_attempt_at, e.seq) < (c.next_attempt_at, c.seq))
        AND NOT EXISTS (
          SELECT 1 FROM outbox l
           WHERE l.payment_id = c.payment_id AND l.delivered_at IS NULL AND l.lease_until > $1)
      ORDER BY c.next_attempt_at, c.seq
      LIMIT $2
      FOR UPDATE SKIP LOCKED)
  RETURNING o.*`;

type Row = Record<string, unknown>;

/** What a transaction body runs its statements with. */
interface Tx {
  query(text: string, params?: unknown[]): Promise<pg.QueryResult<Row>>;
}

class DuplicateEvent extends Error {}

const plus = (at: string, ms: number): string => new Date(Date.parse(at) + ms).toISOString();

export class PostgresStore implements Store {
  /** Several server instances may share the database. */
  readonly shared = true;
  private readonly pool: pg.Pool;
  /** Connections holding withLock's advisory locks, apart from `pool`: a holder never waits for its own kind. */
  private readonly lockPool: pg.Pool;
  private readonly lockWaitMs: number;
  private readonly heldLock = new AsyncLocalStorage<HeldLock>();
  private migrated: Promise<void> | null = null;
  /** Rate-limited requests counted since this instance last pruned the windows (countRequest). */
  private counted = 0;

  constructor(options: PostgresStoreOptions) {
    this.pool = createPool(options);
    this.lockWaitMs = options.lockWaitMs ?? 15_000;
    this.lockPool = createPool(options, {
      purpose: 'locks',
      size: options.lockPoolSize ?? Math.max(2, Math.ceil((options.poolSize ?? 10) / 2)),
      waitMs: this.lockWaitMs,
    });
  }

  // ----------------------------------------------------------------------------------------------
  // Connection, transactions, migrations

  /**
   * Apply the pending migrations (once per store; tried again by the next operation if they
   * failed). Every operation waits for it.
   */
  ready(): Promise<void> {
    this.migrated ??= this.migrate().catch((error: unknown) => {
      this.migrated = null;
      throw error;
    });
    return this.migrated;
  }

  /**
   * All pending migrations in one transaction, under an advisory lock held until its commit: an
   * instance that starts meanwhile waits, then finds them applied. DDL is transactional here, so a
   * failed migration leaves nothing behind.
   */
  private async migrate(): Promise<void> {
    await this.inTransaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1, $2)', [...MIGRATION_LOCK]);
      await tx.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
      );
      const applied = new Set((await tx.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      const at = new Date().toISOString();
      for (const migration of POSTGRES_MIGRATIONS.filter((m) => !applied.has(m.version))) {
        await tx.query(migration.sql);
        await tx.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          at,
        ]);
      }
    });
  }

  /** Applied migration versions (for tests and diagnostics). */
  async appliedMigrations(): Promise<number[]> {
    const { rows } = await this.query('SELECT version FROM schema_migrations ORDER BY version');
    return rows.map((r) => r.version as number);
  }

  /** One statement on any pooled connection (autocommit). */
  private async query(text: string, params?: unknown[]): Promise<pg.QueryResult<Row>> {
    await this.ready();
    try {
      return await this.pool.query<Row>(text, params);
    } catch (error) {
      throw toStoreError(error);
    }
  }

  private async transaction<T>(body: (tx: Tx) => Promise<T>): Promise<T> {
    await this.ready();
    return this.inTransaction(body);
  }

  /**
   * BEGIN … COMMIT on one connection; ROLLBACK when `body` throws. A connection that failed is
   * destroyed rather than returned to the pool (the pool opens a new one when needed).
   */
  private async inTransaction<T>(body: (tx: Tx) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toStoreError(error);
    }
    let broken: Error | undefined;
    // A connection lost between two statements is reported here (unheard, it would crash the
    // process); the statement in flight or the next one then fails, and the connection is dropped.
    const onError = (error: Error) => (broken ??= error);
    client.on('error', onError);
    const tx: Tx = { query: (text, params) => client.query<Row>(text, params) };
    try {
      await client.query('BEGIN');
      const result = await body(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError instanceof Error ? rollbackError : new Error('rollback failed');
      }
      throw toStoreError(error);
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  private async one<R>(table: { read(row: unknown): R }, text: string, ...params: unknown[]): Promise<R | null> {
    const { rows } = await this.query(text, params);
    return rows[0] === undefined ? null : table.read(rows[0]);
  }

  private async all<R>(table: { read(row: unknown): R }, text: string, ...params: unknown[]): Promise<R[]> {
    const { rows } = await this.query(text, params);
    return rows.map((row) => table.read(row));
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  /**
   * The lock is a transaction-scoped advisory lock on a connection of the lock pool, taken before
   * `work` and released by the COMMIT after it (or by the database, if the connection dies). Holding
   * a connection of its own, never one of the statement pool, a holder cannot starve the pool its
   * `work` needs. Waiting for the lock is bounded by `lock_timeout`.
   */
  async withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const held = this.heldLock.getStore();
    if (held?.open) {
      await lockQuery(held.client, key, this.lockWaitMs);
      return work();
    }
    await this.ready();
    let client: pg.PoolClient;
    try {
      client = await this.lockPool.connect();
    } catch (error) {
      throw toStoreError(error);
    }
    let broken: Error | undefined;
    // A lost connection is reported here (unheard, it would crash the process); COMMIT then fails.
    const onError = (error: Error) => (broken ??= error);
    client.on('error', onError);
    try {
      try {
        await client.query('BEGIN');
        await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(this.lockWaitMs))}`);
      } catch (error) {
        throw toStoreError(error);
      }
      await lockQuery(client, key, this.lockWaitMs);
      const lock: HeldLock = { client, open: true };
      let result: T;
      try {
        result = await this.heldLock.run(lock, work);
      } finally {
        lock.open = false;
      }
      try {
        await client.query('COMMIT');
      } catch (error) {
        // The connection was lost while `work` ran: the database let go of the lock then.
        throw new StoreUnavailableError(
          'the database connection holding a lock was lost; what was done under it is not confirmed',
          { cause: error },
        );
      }
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken ??= rollbackError));
      throw error;
    } finally {
      client.off('error', onError);
      // A connection that failed is destroyed, never reused.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    // A second close is a no-op (pg would throw "Called end on pool more than once").
    if (!this.pool.ending) await this.pool.end();
    if (!this.lockPool.ending) await this.lockPool.end();
  }

  async stats(): Promise<StoreStats> {
    const { rows } = await this.query(
      `SELECT (SELECT COUNT(*) FROM sessions) AS sessions, (SELECT COUNT(*) FROM payments) AS payments,
              (SELECT COUNT(*) FROM payment_events) AS payment_events, (SELECT COUNT(*) FROM outbox) AS outbox,
              (SELECT COUNT(*) FROM idempotency_keys) AS idempotency_keys`,
    );
    const row = rows[0]!;
    return {
      sessions: Number(row.sessions),
      payments: Number(row.payments),
      paymentEvents: Number(row.payment_events),
      outbox: Number(row.outbox),
      idempotencyKeys: Number(row.idempotency_keys),
    };
  }

  // ----------------------------------------------------------------------------------------------
  // Sessions

  async insertSession(s: SessionRecord, idempotency?: IdempotencyRecord): Promise<IdempotencyRecord | null> {
    return this.transaction(async (tx) => {
      if (idempotency) {
        // A concurrent holder of the key makes this wait for its commit, then conflict.
        const saved = await tx.query(INSERT_IDEMPOTENCY, idempotencyKeys.values(idempotency));
        if (saved.rowCount === 0) {
          const { rows } = await tx.query('SELECT * FROM idempotency_keys WHERE key = $1', [idempotency.key]);
          return idempotencyKeys.read(rows[0]);
        }
      }
      await tx.query(INSERT_SESSION, sessions.values(s));
      return null;
    });
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    return this.one(sessions, 'SELECT * FROM sessions WHERE id = $1', id);
  }

  async findSessionByTokenHash(hash: string): Promise<SessionRecord | null> {
    return this.one(sessions, 'SELECT * FROM sessions WHERE client_token_hash = $1', hash);
  }

  // ----------------------------------------------------------------------------------------------
  // Payments

  async insertPayment(p: PaymentRecord, event: PaymentEventRecord): Promise<InsertPaymentResult> {
    const inserted = await this.transaction(async (tx) => {
      const { rows } = await tx.query(INSERT_PAYMENT, payments.values(p));
      if (rows[0] === undefined) return null;
      await tx.query(INSERT_EVENT, events.values(event));
      return payments.read(rows[0]);
    });
    if (inserted) return { created: true, payment: inserted };
    // The attempt exists (committed: a concurrent insert of it made this one wait for its commit).
    const existing = await this.findPaymentByAttempt(p.sessionId, p.attemptId);
    if (!existing) throw new Error(`payment for attempt ${p.attemptId} conflicted but cannot be found`);
    return { created: false, payment: existing };
  }

  async getPayment(id: string): Promise<PaymentRecord | null> {
    return this.one(payments, 'SELECT * FROM payments WHERE id = $1', id);
  }

  async findPaymentByAttempt(sessionId: string, attemptId: string): Promise<PaymentRecord | null> {
    return this.one(payments, 'SELECT * FROM payments WHERE session_id = $1 AND attempt_id = $2', sessionId, attemptId);
  }

  async findPaymentByProviderId(adapterId: string, providerPaymentId: string): Promise<PaymentRecord | null> {
    return this.one(
      payments,
      'SELECT * FROM payments WHERE adapter_id = $1 AND provider_payment_id = $2',
      adapterId,
      providerPaymentId,
    );
  }

  async listSessionPayments(sessionId: string): Promise<PaymentRecord[]> {
    // Newest attempt first, even within one millisecond (seq is the insertion order).
    return this.all(
      payments,
      'SELECT * FROM payments WHERE session_id = $1 ORDER BY created_at DESC, seq DESC',
      sessionId,
    );
  }

  async listPayments(filter: PaymentListFilter): Promise<PaymentRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (value: unknown): string => `$${args.push(value)}`;
    const { reference, status, from, to, after } = filter;
    if (reference !== undefined) where.push(`reference = ${arg(reference)}`);
    if (status !== undefined) where.push(`status = ${arg(status)}`);
    if (from !== undefined) where.push(`created_at >= ${arg(from)}`);
    if (to !== undefined) where.push(`created_at < ${arg(to)}`);
    if (after !== undefined) where.push(`(created_at, id) < (${arg(after.createdAt)}, ${arg(after.id)})`);
    const sql = `SELECT * FROM payments ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ${arg(filter.limit)}`;
    return this.all(payments, sql, ...args);
  }

  async listPaymentsToReconcile(checkedBefore: string, limit: number): Promise<PaymentRecord[]> {
    return this.all(
      payments,
      `SELECT * FROM payments WHERE status <> ALL($1::text[]) AND (last_checked_at IS NULL OR last_checked_at < $2)
        ORDER BY last_checked_at NULLS FIRST, created_at LIMIT $3`,
      TERMINAL_STATUS_LIST,
      checkedBefore,
      limit,
    );
  }

  async updatePayment(change: PaymentChange): Promise<PaymentChangeResult> {
    try {
      return await this.transaction(async (tx): Promise<PaymentChangeResult> => {
        const fields = Object.keys(change.patch) as (keyof PaymentPatch)[];
        // As in SQLite: an undefined value is NULL.
        const values = fields.map((f) => payments.write(f, change.patch[f]) ?? null);
        const assignments = fields.map((f, i) => `${payments.column(f)} = $${i + 1}`);
        const n = fields.length;
        const { rows } = await tx.query(
          `UPDATE payments SET ${[...assignments, `updated_at = $${n + 1}`, 'version = version + 1'].join(', ')}
            WHERE id = $${n + 2} AND version = $${n + 3} RETURNING *`,
          [...values, change.updatedAt, change.paymentId, change.expectedVersion],
        );
        if (rows[0] === undefined) {
          const exists = await tx.query('SELECT 1 FROM payments WHERE id = $1', [change.paymentId]);
          return { ok: false, reason: exists.rowCount ? 'version_conflict' : 'not_found' };
        }
        for (const event of change.events) {
          if ((await tx.query(INSERT_EVENT, events.values(event))).rowCount === 0) throw new DuplicateEvent();
        }
        for (const o of change.outbox) await tx.query(INSERT_OUTBOX, outbox.values(o));
        if (change.sessionState) {
          await tx.query(
            'UPDATE sessions SET state = $1, updated_at = $2 WHERE id = (SELECT session_id FROM payments WHERE id = $3)',
            [change.sessionState, change.updatedAt, change.paymentId],
          );
        }
        return { ok: true, payment: payments.read(rows[0]) };
      });
    } catch (error) {
      if (error instanceof DuplicateEvent) return { ok: false, reason: 'duplicate_event' };
      throw error;
    }
  }

  async markSuperseded(
    paymentIds: readonly string[],
    supersededBy: string,
    at: string,
    event: (payment: PaymentRecord) => PaymentEventRecord,
  ): Promise<PaymentRecord[]> {
    if (paymentIds.length === 0) return [];
    return this.transaction(async (tx) => {
      // Rows locked in one order, whatever order they were given in: two concurrent calls never deadlock.
      await tx.query('SELECT 1 FROM payments WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE', [[...paymentIds]]);
      const marked: PaymentRecord[] = [];
      for (const id of paymentIds) {
        const { rows } = await tx.query(
          `UPDATE payments SET superseded_by = $1, updated_at = $2, version = version + 1
            WHERE id = $3 AND superseded_by IS NULL RETURNING *`,
          [supersededBy, at, id],
        );
        if (rows[0] === undefined) continue;
        const payment = payments.read(rows[0]);
        await tx.query(INSERT_EVENT, events.values(event(payment)));
        marked.push(payment);
      }
      return marked;
    });
  }

  async eraseShopper(erasure: ShopperErasure): Promise<PaymentRecord[]> {
    return this.transaction(async (tx) => {
      const { rows } = await tx.query(
        `UPDATE payments SET shopper = NULL, provider_user_key = NULL, shopper_erased_at = $1, updated_at = $1,
           version = version + 1
         WHERE (adapter_id = $2 AND provider_user_key = $3) OR (id = $4 AND shopper_erased_at IS NULL)
         RETURNING *`,
        [erasure.at, erasure.adapterId, erasure.providerUserKey, erasure.paymentId ?? null],
      );
      return this.erased(tx, rows, erasure);
    });
  }

  async eraseKeptShoppers(erasure: KeptShopperErasure): Promise<PaymentRecord[]> {
    return this.transaction(async (tx) => {
      const statuses = erasure.statuses.map((_, i) => `$${i + 4}`).join(', ');
      // The CTE runs once (an IN subquery with LIMIT may be run again and pick more rows). FOR UPDATE
      // checks its conditions again on a row another instance erased meanwhile (it waited for that
      // row's lock), so each payment is erased once; SKIP LOCKED leaves rows being erased to the other.
      const { rows } = await tx.query(
        `WITH due AS (
           SELECT id, updated_at FROM payments
           WHERE shopper IS NOT NULL AND status IN (${statuses}) AND updated_at < $2
           ORDER BY updated_at, id LIMIT $3 FOR UPDATE SKIP LOCKED),
         erased AS (
           UPDATE payments p SET shopper = NULL, provider_user_key = NULL, shopper_erased_at = $1, updated_at = $1,
             version = p.version + 1
           FROM due WHERE p.id = due.id
           RETURNING p.*, due.updated_at AS kept_since)
         SELECT * FROM erased ORDER BY kept_since, id`,
        [erasure.at, erasure.finalBefore, erasure.limit, ...erasure.statuses],
      );
      return this.erased(tx, rows, erasure);
    });
  }

  /** The erased rows as payments, their earlier notifications scrubbed and their events and notifications added. */
  private async erased(
    tx: Tx,
    rows: unknown[],
    erasure: Pick<ShopperErasure, 'change' | 'scrubOutbox'>,
  ): Promise<PaymentRecord[]> {
    const erased = rows.map((row) => payments.read(row));
    for (const payment of erased) {
      const earlier = await tx.query('SELECT id, payload FROM outbox WHERE payment_id = $1 ORDER BY seq', [payment.id]);
      for (const row of earlier.rows) {
        await tx.query('UPDATE outbox SET payload = $1 WHERE id = $2', [
          erasure.scrubOutbox(row.payload as string),
          row.id,
        ]);
      }
      const change = erasure.change(payment);
      for (const e of change.events) await tx.query(INSERT_EVENT, events.values(e));
      for (const o of change.outbox) await tx.query(INSERT_OUTBOX, outbox.values(o));
    }
    return erased;
  }

  async markPaymentChecked(paymentId: string, at: string): Promise<void> {
    await this.query('UPDATE payments SET last_checked_at = $1 WHERE id = $2', [at, paymentId]);
  }

  async claimCheck(paymentId: string, checkedBefore: string, at: string): Promise<boolean> {
    // Concurrent claims queue on the row lock; each re-checks the condition on the row as the one
    // before it left it, so one wins.
    const { rowCount } = await this.query(
      'UPDATE payments SET last_checked_at = $1 WHERE id = $2 AND (last_checked_at IS NULL OR last_checked_at < $3)',
      [at, paymentId, checkedBefore],
    );
    return rowCount === 1;
  }

  async tryClaimProviderCall(paymentId: string, intervalMs: number, now: string): Promise<ProviderCallClaim> {
    const next = plus(now, intervalMs);
    // A concurrent claim holds the row until it commits; this one then re-checks the condition on
    // the row as that claim left it, and loses.
    const won = await this.query(
      `UPDATE payments SET next_provider_call_at = $1
        WHERE id = $2 AND (next_provider_call_at IS NULL OR next_provider_call_at <= $3)`,
      [next, paymentId, now],
    );
    if (won.rowCount === 1) return { claimed: true, nextCallAt: next };
    const { rows } = await this.query('SELECT next_provider_call_at FROM payments WHERE id = $1', [paymentId]);
    return { claimed: false, nextCallAt: rows[0] === undefined ? null : (rows[0].next_provider_call_at as string) };
  }

  // ----------------------------------------------------------------------------------------------
  // Payment events

  async appendPaymentEvents(list: PaymentEventRecord[]): Promise<void> {
    if (list.length === 0) return;
    await this.transaction(async (tx) => {
      for (const e of list) await tx.query(INSERT_EVENT, events.values(e));
    });
  }

  async listPaymentEvents(paymentId: string): Promise<PaymentEventRecord[]> {
    return this.all(events, 'SELECT * FROM payment_events WHERE payment_id = $1 ORDER BY seq', paymentId);
  }

  // ----------------------------------------------------------------------------------------------
  // Outbox

  async listDueOutbox(now: string, limit: number): Promise<OutboxRecord[]> {
    return this.all(
      outbox,
      'SELECT * FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at, seq LIMIT $2',
      now,
      limit,
    );
  }

  async claimDueOutbox(now: string, limit: number, leaseMs: number, workerId: string): Promise<OutboxRecord[]> {
    const { rows } = await this.query(CLAIM_OUTBOX, [now, limit, plus(now, leaseMs), workerId]);
    // RETURNING has no order of its own.
    const byDue = (a: Row, b: Row) =>
      (a.next_attempt_at as string) < (b.next_attempt_at as string)
        ? -1
        : (a.next_attempt_at as string) > (b.next_attempt_at as string)
          ? 1
          : Number(a.seq) - Number(b.seq);
    return rows.sort(byDue).map((row) => outbox.read(row));
  }

  async listOutbox(paymentId?: string): Promise<OutboxRecord[]> {
    return paymentId
      ? this.all(outbox, 'SELECT * FROM outbox WHERE payment_id = $1 ORDER BY seq', paymentId)
      : this.all(outbox, 'SELECT * FROM outbox ORDER BY seq');
  }

  async markOutboxDelivered(id: string, at: string): Promise<void> {
    await this.query(
      'UPDATE outbox SET delivered_at = $1, last_error = NULL, lease_until = NULL, leased_by = NULL WHERE id = $2',
      [at, id],
    );
  }

  async markOutboxRetry(id: string, attempts: number, nextAttemptAt: string, lastError: string): Promise<void> {
    await this.query(
      `UPDATE outbox SET attempts = $1, next_attempt_at = $2, last_error = $3, lease_until = NULL, leased_by = NULL
        WHERE id = $4`,
      [attempts, nextAttemptAt, lastError.slice(0, 500), id],
    );
  }

  // ----------------------------------------------------------------------------------------------
  // Idempotency keys

  async getIdempotency(key: string): Promise<IdempotencyRecord | null> {
    return this.one(idempotencyKeys, 'SELECT * FROM idempotency_keys WHERE key = $1', key);
  }

  async saveIdempotency(r: IdempotencyRecord): Promise<IdempotencyRecord> {
    await this.query(INSERT_IDEMPOTENCY, idempotencyKeys.values(r));
    return (await this.getIdempotency(r.key))!;
  }

  async countRequest(key: string, nowMs: number, windowMs: number): Promise<{ windowStart: number; count: number }> {
    // One statement: concurrent requests for one key queue on its row, so every instance sees every count.
    const { rows } = await this.query(
      `INSERT INTO rate_windows (key, window_start, count) VALUES ($1, $2, 1)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN rate_windows.window_start > $2 - $3 THEN rate_windows.count + 1 ELSE 1 END,
         window_start = CASE WHEN rate_windows.window_start > $2 - $3 THEN rate_windows.window_start ELSE $2 END
       RETURNING window_start, count`,
      [key, nowMs, windowMs],
    );
    if (++this.counted >= 1000) {
      this.counted = 0;
      await this.query('DELETE FROM rate_windows WHERE window_start <= $1', [nowMs - windowMs]);
    }
    return { windowStart: Number(rows[0]!.window_start), count: Number(rows[0]!.count) };
  }
}

/** Take `key`'s advisory lock in the transaction open on `client` (waiting up to its lock_timeout). */
async function lockQuery(client: pg.PoolClient, key: string, waitMs: number): Promise<void> {
  try {
    await client.query(TAKE_LOCK, [key]);
  } catch (error) {
    if ((error as { code?: unknown }).code === LOCK_TIMEOUT_SQLSTATE) {
      // Busy for longer than we wait: as retryable as an unreachable database.
      throw new StoreUnavailableError(`a lock was not granted within ${waitMs} ms`, { cause: error });
    }
    throw toStoreError(error);
  }
}

export function openPostgresStore(options: PostgresStoreOptions): PostgresStore {
  return new PostgresStore(options);
}
