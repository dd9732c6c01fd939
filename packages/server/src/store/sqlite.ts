/**
 * SQLite store (better-sqlite3, or node:sqlite on Node 24+: see sqlite-driver.ts): embedded, no setup, WAL journal, synchronous=FULL so a committed
 * payment change survives a crash. Calls are synchronous underneath; the async interface lets other
 * stores (Postgres, D1) implement the same contract.
 *
 * Records ↔ rows go through one table-driven mapping per table (tables.ts, shared with the
 * PostgreSQL store). Each SQL text is prepared once per store, on first use, and reused
 * (re-preparing was ~10 % of the server's CPU); transactions are built once too.
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { OutboxLeases, ProviderCallSlots } from './in-process-claims.js';
import { KeyedMutex } from '../locks.js';
import { acquireInstanceLock } from './instance-lock.js';
import { MIGRATIONS } from './migrations.js';
import { defaultDriver, openSqlDatabase, type SqlDatabase, type SqlStatement } from './sqlite-driver.js';
import { TABLES, events, idempotencyKeys, outbox, payments, sessions } from './tables.js';
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
} from './store.js';

/** Every table's mapping (tests check them against the schema the migrations make). */
export const SQLITE_TABLES = TABLES;

const TERMINAL_SQL = TERMINAL_STATUS_LIST.map((s) => `'${s}'`).join(', ');
const INSERT_EVENT = `${events.insertSql} ON CONFLICT DO NOTHING`;
const INSERT_IDEMPOTENCY = `${idempotencyKeys.insertSql} ON CONFLICT (key) DO NOTHING`;
const RECONCILE_SQL = `SELECT * FROM payments WHERE status NOT IN (${TERMINAL_SQL})
    AND (last_checked_at IS NULL OR last_checked_at < ?)
  ORDER BY last_checked_at IS NOT NULL, last_checked_at, created_at LIMIT ?`;

/** Distinct SQL texts kept prepared; past this (dynamic SQL gone wild) statements are prepared per call. */
const MAX_CACHED_STATEMENTS = 500;

function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
}

export class SqliteStore implements Store {
  readonly db: SqlDatabase;
  /** The instance lock (see instance-lock.ts), held while the store is open; none for `:memory:`. */
  private readonly instanceLock: SqlDatabase | null = null;
  private readonly statements = new Map<string, SqlStatement>();
  /** Outbox leases and provider-call claims: in memory, since one process owns the file. */
  private readonly leases = new OutboxLeases();
  private readonly providerCalls = new ProviderCallSlots();
  /** Locks (withLock) in memory too: the instance lock keeps every other process off the file. */
  private readonly locks = new KeyedMutex();
  readonly shared = false;

  constructor(filename: string, driver: SqlDatabase['driver'] = defaultDriver()) {
    if (filename !== ':memory:' && !filename.startsWith('file:')) {
      // Payment data is for this server's user only: a new directory 0700, a new file 0600 (SQLite
      // gives its -wal/-shm files the database file's permissions). Existing files are left as they are.
      mkdirSync(dirname(filename), { recursive: true, mode: 0o700 });
      if (!existsSync(filename)) closeSync(openSync(filename, 'a', 0o600));
      this.instanceLock = acquireInstanceLock(filename, driver);
    }
    try {
      this.db = openSqlDatabase(filename, driver);
      this.db.exec(
        'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;',
      );
      this.migrate();
    } catch (error) {
      this.instanceLock?.close();
      throw error;
    }
  }

  /** The statement for `text`, prepared on first use (after the migrations) and reused after. */
  private sql(text: string): SqlStatement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      if (this.statements.size < MAX_CACHED_STATEMENTS) this.statements.set(text, statement);
    }
    return statement;
  }

  /**
   * Apply the pending migrations, all in one transaction (one commit, one fsync on a new database;
   * on an up-to-date one only reads). Prepared statements are made after, never across them.
   */
  private migrate(): void {
    const known = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
      .get();
    const applied = new Set(known ? this.appliedMigrations() : []);
    const pending = MIGRATIONS.filter((m) => !applied.has(m.version));
    if (pending.length === 0) return;
    this.db.transaction(() => {
      this.db.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
      );
      const record = this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
      const at = new Date().toISOString();
      for (const migration of pending) {
        this.db.exec(migration.sql);
        record.run(migration.version, migration.name, at);
      }
    })();
  }

  /** Applied migration versions (for tests and diagnostics). */
  appliedMigrations(): number[] {
    return (
      this.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]
    ).map((r) => r.version);
  }

  async ping(): Promise<void> {
    this.sql('SELECT 1').get();
  }

  withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.locks.run(key, work);
  }

  async close(): Promise<void> {
    this.statements.clear();
    if (this.db.open) this.db.close();
    if (this.instanceLock?.open) this.instanceLock.close();
  }

  async stats(): Promise<StoreStats> {
    const count = (table: string) => (this.sql(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      sessions: count(sessions.name),
      payments: count(payments.name),
      paymentEvents: count(events.name),
      outbox: count(outbox.name),
      idempotencyKeys: count(idempotencyKeys.name),
    };
  }

  // ----------------------------------------------------------------------------------------------
  // Sessions

  private readonly insertSessionTx = this.transaction(
    (s: SessionRecord, idempotency?: IdempotencyRecord): IdempotencyRecord | null => {
      if (idempotency && !this.insertIdempotency(idempotency)) return this.readIdempotency(idempotency.key);
      this.sql(sessions.insertSql).run(...sessions.values(s));
      return null;
    },
  );

  async insertSession(s: SessionRecord, idempotency?: IdempotencyRecord): Promise<IdempotencyRecord | null> {
    return this.insertSessionTx(s, idempotency);
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    return this.one(sessions, 'SELECT * FROM sessions WHERE id = ?', id);
  }

  async findSessionByTokenHash(hash: string): Promise<SessionRecord | null> {
    return this.one(sessions, 'SELECT * FROM sessions WHERE client_token_hash = ?', hash);
  }

  // ----------------------------------------------------------------------------------------------
  // Payments

  private readonly insertPaymentTx = this.transaction((p: PaymentRecord, event: PaymentEventRecord) => {
    this.sql(payments.insertSql).run(...payments.values(p));
    this.insertEvent(event);
  });

  async insertPayment(p: PaymentRecord, event: PaymentEventRecord): Promise<InsertPaymentResult> {
    try {
      this.insertPaymentTx(p, event);
      return { created: true, payment: (await this.getPayment(p.id))! };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.findPaymentByAttempt(p.sessionId, p.attemptId);
      if (!existing) throw error;
      return { created: false, payment: existing };
    }
  }

  async getPayment(id: string): Promise<PaymentRecord | null> {
    return this.one(payments, 'SELECT * FROM payments WHERE id = ?', id);
  }

  async findPaymentByAttempt(sessionId: string, attemptId: string): Promise<PaymentRecord | null> {
    return this.one(payments, 'SELECT * FROM payments WHERE session_id = ? AND attempt_id = ?', sessionId, attemptId);
  }

  async findPaymentByProviderId(adapterId: string, providerPaymentId: string): Promise<PaymentRecord | null> {
    return this.one(
      payments,
      'SELECT * FROM payments WHERE adapter_id = ? AND provider_payment_id = ?',
      adapterId,
      providerPaymentId,
    );
  }

  async listSessionPayments(sessionId: string): Promise<PaymentRecord[]> {
    // Newest attempt first, even within one millisecond.
    return this.all(
      payments,
      'SELECT * FROM payments WHERE session_id = ? ORDER BY created_at DESC, rowid DESC',
      sessionId,
    );
  }

  async listPayments(filter: PaymentListFilter): Promise<PaymentRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const when = (applies: boolean, condition: string, ...values: unknown[]) => {
      if (!applies) return;
      where.push(condition);
      args.push(...values);
    };
    const { reference, status, from, to, after } = filter;
    when(reference !== undefined, 'reference = ?', reference);
    when(status !== undefined, 'status = ?', status);
    when(from !== undefined, 'created_at >= ?', from);
    when(to !== undefined, 'created_at < ?', to);
    when(
      after !== undefined,
      '(created_at < ? OR (created_at = ? AND id < ?))',
      after?.createdAt,
      after?.createdAt,
      after?.id,
    );
    // At most 2^5 distinct texts, each prepared once.
    const sql = `SELECT * FROM payments ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ?`;
    return this.all(payments, sql, ...args, filter.limit);
  }

  async listPaymentsToReconcile(checkedBefore: string, limit: number): Promise<PaymentRecord[]> {
    return this.all(payments, RECONCILE_SQL, checkedBefore, limit);
  }

  private readonly updatePaymentTx = this.transaction((change: PaymentChange): PaymentChangeResult => {
    // One text per set of patched fields (a handful in practice), each prepared once.
    const fields = Object.keys(change.patch) as (keyof PaymentPatch)[];
    const assignments = fields.map((f) => `${payments.column(f)} = ?`);
    const row = this.sql(
      `UPDATE payments SET ${[...assignments, 'updated_at = ?', 'version = version + 1'].join(', ')}
       WHERE id = ? AND version = ? RETURNING *`,
    ).get(
      ...fields.map((f) => payments.write(f, change.patch[f]) ?? null), // as before: an undefined value is NULL
      change.updatedAt,
      change.paymentId,
      change.expectedVersion,
    );
    if (row === undefined) {
      const exists = this.sql('SELECT 1 FROM payments WHERE id = ?').get(change.paymentId);
      return { ok: false, reason: exists ? 'version_conflict' : 'not_found' };
    }
    for (const event of change.events) {
      if (!this.insertEvent(event)) throw new DuplicateEvent();
    }
    for (const o of change.outbox) this.sql(outbox.insertSql).run(...outbox.values(o));
    if (change.sessionState) {
      this.sql(
        'UPDATE sessions SET state = ?, updated_at = ? WHERE id = (SELECT session_id FROM payments WHERE id = ?)',
      ).run(change.sessionState, change.updatedAt, change.paymentId);
    }
    return { ok: true, payment: payments.read(row) };
  });

  async updatePayment(change: PaymentChange): Promise<PaymentChangeResult> {
    try {
      return this.updatePaymentTx(change);
    } catch (error) {
      if (error instanceof DuplicateEvent) return { ok: false, reason: 'duplicate_event' };
      throw error;
    }
  }

  private readonly markSupersededTx = this.transaction(
    (
      paymentIds: readonly string[],
      supersededBy: string,
      at: string,
      event: (payment: PaymentRecord) => PaymentEventRecord,
    ): PaymentRecord[] => {
      const marked: PaymentRecord[] = [];
      for (const id of paymentIds) {
        const row = this.sql(
          `UPDATE payments SET superseded_by = ?, updated_at = ?, version = version + 1
           WHERE id = ? AND superseded_by IS NULL RETURNING *`,
        ).get(supersededBy, at, id);
        if (row === undefined) continue;
        const payment = payments.read(row);
        this.insertEvent(event(payment));
        marked.push(payment);
      }
      return marked;
    },
  );

  async markSuperseded(
    paymentIds: readonly string[],
    supersededBy: string,
    at: string,
    event: (payment: PaymentRecord) => PaymentEventRecord,
  ): Promise<PaymentRecord[]> {
    return this.markSupersededTx(paymentIds, supersededBy, at, event);
  }

  private readonly eraseShopperTx = this.transaction((erasure: ShopperErasure): PaymentRecord[] => {
    const rows = this.sql(
      `UPDATE payments SET shopper = NULL, provider_user_key = NULL, shopper_erased_at = ?, updated_at = ?,
         version = version + 1
       WHERE (adapter_id = ? AND provider_user_key = ?) OR (id = ? AND shopper_erased_at IS NULL) RETURNING *`,
    ).all(erasure.at, erasure.at, erasure.adapterId, erasure.providerUserKey, erasure.paymentId ?? null);
    return this.erased(rows, erasure);
  });

  private readonly eraseKeptShoppersTx = this.transaction((erasure: KeptShopperErasure): PaymentRecord[] => {
    const statuses = erasure.statuses.map(() => '?').join(', ');
    const due = this.sql(
      `SELECT id FROM payments WHERE shopper IS NOT NULL AND status IN (${statuses}) AND updated_at < ?
       ORDER BY updated_at, id LIMIT ?`,
    ).all(...erasure.statuses, erasure.finalBefore, erasure.limit) as { id: string }[];
    const erase = this.sql(
      `UPDATE payments SET shopper = NULL, provider_user_key = NULL, shopper_erased_at = ?, updated_at = ?,
         version = version + 1
       WHERE id = ? RETURNING *`,
    );
    return this.erased(
      due.map(({ id }) => erase.get(erasure.at, erasure.at, id)),
      erasure,
    );
  });

  /** The erased rows as payments, their earlier notifications scrubbed and their events and notifications added. */
  private erased(rows: unknown[], erasure: Pick<ShopperErasure, 'change' | 'scrubOutbox'>): PaymentRecord[] {
    const erased = rows.map((row) => payments.read(row));
    for (const payment of erased) {
      const earlier = this.all(outbox, 'SELECT * FROM outbox WHERE payment_id = ?', payment.id);
      for (const row of earlier) {
        this.sql('UPDATE outbox SET payload = ? WHERE id = ?').run(erasure.scrubOutbox(row.payload), row.id);
      }
      const change = erasure.change(payment);
      for (const event of change.events) this.insertEvent(event);
      for (const o of change.outbox) this.sql(outbox.insertSql).run(...outbox.values(o));
    }
    return erased;
  }

  async eraseShopper(erasure: ShopperErasure): Promise<PaymentRecord[]> {
    return this.eraseShopperTx(erasure);
  }

  async eraseKeptShoppers(erasure: KeptShopperErasure): Promise<PaymentRecord[]> {
    return this.eraseKeptShoppersTx(erasure);
  }

  async markPaymentChecked(paymentId: string, at: string): Promise<void> {
    this.bookkeeping(() => this.sql('UPDATE payments SET last_checked_at = ? WHERE id = ?').run(at, paymentId));
  }

  async claimCheck(paymentId: string, checkedBefore: string, at: string): Promise<boolean> {
    let changes = 0;
    this.bookkeeping(() => {
      changes = Number(
        this.sql(
          'UPDATE payments SET last_checked_at = ? WHERE id = ? AND (last_checked_at IS NULL OR last_checked_at < ?)',
        ).run(at, paymentId, checkedBefore).changes,
      );
    });
    return changes === 1;
  }

  // ----------------------------------------------------------------------------------------------
  // Payment events

  /** True when inserted, false when the id or (payment, dedupe key) was already there. */
  private insertEvent(e: PaymentEventRecord): boolean {
    return Number(this.sql(INSERT_EVENT).run(...events.values(e)).changes) === 1;
  }

  private readonly appendPaymentEventsTx = this.transaction((list: PaymentEventRecord[]) => {
    for (const e of list) this.insertEvent(e);
  });

  async appendPaymentEvents(list: PaymentEventRecord[]): Promise<void> {
    this.appendPaymentEventsTx(list);
  }

  async listPaymentEvents(paymentId: string): Promise<PaymentEventRecord[]> {
    return this.all(events, 'SELECT * FROM payment_events WHERE payment_id = ? ORDER BY seq', paymentId);
  }

  // ----------------------------------------------------------------------------------------------
  // Outbox

  async listDueOutbox(now: string, limit: number): Promise<OutboxRecord[]> {
    return this.all(
      outbox,
      'SELECT * FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?',
      now,
      limit,
    );
  }

  async claimDueOutbox(now: string, limit: number, leaseMs: number, _workerId: string): Promise<OutboxRecord[]> {
    // Each payment's first due row; leased payments are passed over, so ask for that many more.
    const firstDue = this.all(
      outbox,
      `SELECT * FROM (
         SELECT *, row_number() OVER (PARTITION BY payment_id ORDER BY next_attempt_at, seq) AS payment_rank
           FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ?)
       WHERE payment_rank = 1 ORDER BY next_attempt_at, seq LIMIT ?`,
      now,
      limit + this.leases.busyPayments(now).size,
    );
    return this.leases.claim(firstDue, now, limit, leaseMs);
  }

  async tryClaimProviderCall(paymentId: string, intervalMs: number, now: string): Promise<ProviderCallClaim> {
    const exists = this.sql('SELECT 1 FROM payments WHERE id = ?').get(paymentId) !== undefined;
    return this.providerCalls.tryClaim(exists, paymentId, intervalMs, now);
  }

  async listOutbox(paymentId?: string): Promise<OutboxRecord[]> {
    return paymentId
      ? this.all(outbox, 'SELECT * FROM outbox WHERE payment_id = ? ORDER BY seq', paymentId)
      : this.all(outbox, 'SELECT * FROM outbox ORDER BY seq');
  }

  async markOutboxDelivered(id: string, at: string): Promise<void> {
    // Lost only with the machine's power: the webhook is then sent again, with the same event id.
    this.bookkeeping(() => this.sql('UPDATE outbox SET delivered_at = ?, last_error = NULL WHERE id = ?').run(at, id));
    this.leases.release(id);
  }

  async markOutboxRetry(id: string, attempts: number, nextAttemptAt: string, lastError: string): Promise<void> {
    this.bookkeeping(() =>
      this.sql('UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?').run(
        attempts,
        nextAttemptAt,
        lastError.slice(0, 500),
        id,
      ),
    );
    this.leases.release(id);
  }

  // ----------------------------------------------------------------------------------------------
  // Idempotency keys

  async getIdempotency(key: string): Promise<IdempotencyRecord | null> {
    return this.readIdempotency(key);
  }

  async saveIdempotency(r: IdempotencyRecord): Promise<IdempotencyRecord> {
    this.insertIdempotency(r);
    return this.readIdempotency(r.key)!;
  }

  private readIdempotency(key: string): IdempotencyRecord | null {
    return this.one(idempotencyKeys, 'SELECT * FROM idempotency_keys WHERE key = ?', key);
  }

  /** True when saved, false when the key was already taken. */
  private insertIdempotency(r: IdempotencyRecord): boolean {
    return Number(this.sql(INSERT_IDEMPOTENCY).run(...idempotencyKeys.values(r)).changes) > 0;
  }

  // ----------------------------------------------------------------------------------------------

  private one<R>(table: { read(row: unknown): R }, text: string, ...params: unknown[]): R | null {
    const row = this.sql(text).get(...params);
    return row === undefined ? null : table.read(row);
  }

  private all<R>(table: { read(row: unknown): R }, text: string, ...params: unknown[]): R[] {
    return this.sql(text)
      .all(...params)
      .map(table.read);
  }

  /**
   * A bookkeeping write (a provider check, a webhook delivery or retry) committed without waiting for
   * the disk: `synchronous = NORMAL` for this one autocommit statement, FULL again after. In WAL mode it
   * is as atomic, and as durable across a crash of the process (SIGKILL included); only a power loss
   * or an OS crash may undo it before the next FULL commit, which makes it durable too. Payment,
   * session, event, outbox and idempotency rows are always written with FULL. Under load these
   * writes were a fsync per refresh and per webhook (the two biggest single costs in a CPU profile of
   * bench/load.mjs).
   */
  private bookkeeping(write: () => unknown): void {
    this.sql('PRAGMA synchronous = NORMAL').run();
    try {
      write();
    } finally {
      this.sql('PRAGMA synchronous = FULL').run();
    }
  }

  /** A transaction function, built once per store (see SqlDatabase.transaction). */
  private transaction<A extends unknown[], T>(fn: (...args: A) => T): (...args: A) => T {
    // Built lazily: class fields run before the constructor has opened the database.
    let tx: ((...args: A) => T) | undefined;
    return (...args: A) => (tx ??= this.db.transaction(fn))(...args);
  }
}

class DuplicateEvent extends Error {}

export function openSqliteStore(filename: string, driver?: SqlDatabase['driver']): SqliteStore {
  return new SqliteStore(filename, driver);
}
