/**
 * SQLite store (better-sqlite3, or node:sqlite on Node 24+: see sqlite-driver.ts): embedded, no setup, WAL journal, synchronous=FULL so a committed
 * payment change survives a crash. Calls are synchronous underneath; the async interface lets other
 * stores (Postgres, D1) implement the same contract.
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { acquireInstanceLock } from './instance-lock.js';
import { MIGRATIONS } from './migrations.js';
import { defaultDriver, openSqlDatabase, type SqlDatabase } from './sqlite-driver.js';
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
  type SessionRecord,
  type Store,
  type StoreStats,
} from './store.js';

type Row = Record<string, unknown>;

const PATCH_COLUMNS: Record<keyof PaymentPatch, string> = {
  status: 'status',
  providerStatus: 'provider_status',
  providerPaymentId: 'provider_payment_id',
  bankId: 'bank_id',
  authorizedAmount: 'authorized_amount',
  capturedAmount: 'captured_amount',
  refundedAmount: 'refunded_amount',
  cancelledAmount: 'cancelled_amount',
  failure: 'failure',
  redirectUrl: 'redirect_url',
  expiresAt: 'expires_at',
  lastCheckedAt: 'last_checked_at',
  supersededBy: 'superseded_by',
};

const TERMINAL_SQL = TERMINAL_STATUS_LIST.map((s) => `'${s}'`).join(', ');

function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
}

function sessionFromRow(row: Row): SessionRecord {
  return {
    id: row.id as string,
    clientTokenHash: row.client_token_hash as string,
    amount: row.amount as number,
    currency: row.currency as SessionRecord['currency'],
    reference: row.reference as string,
    description: row.description as string,
    returnUrl: row.return_url as string,
    methods: JSON.parse(row.methods as string),
    countries: JSON.parse(row.countries as string),
    locale: row.locale as string,
    metadata: JSON.parse(row.metadata as string),
    state: row.state as SessionRecord['state'],
    createdAt: row.created_at as string,
    updatedAt: row.updated_at as string,
    expiresAt: row.expires_at as string,
  };
}

function paymentFromRow(row: Row): PaymentRecord {
  return {
    id: row.id as string,
    sessionId: row.session_id as string,
    attemptId: row.attempt_id as string,
    method: row.method as PaymentRecord['method'],
    adapterId: row.adapter_id as string,
    providerPaymentId: (row.provider_payment_id as string | null) ?? null,
    status: row.status as PaymentRecord['status'],
    providerStatus: (row.provider_status as string | null) ?? null,
    bankId: (row.bank_id as string | null) ?? null,
    reference: row.reference as string,
    amount: row.amount as number,
    currency: row.currency as PaymentRecord['currency'],
    authorizedAmount: row.authorized_amount as number,
    capturedAmount: row.captured_amount as number,
    refundedAmount: row.refunded_amount as number,
    cancelledAmount: row.cancelled_amount as number,
    failure: row.failure ? JSON.parse(row.failure as string) : null,
    redirectUrl: (row.redirect_url as string | null) ?? null,
    expiresAt: (row.expires_at as string | null) ?? null,
    createdAt: row.created_at as string,
    updatedAt: row.updated_at as string,
    lastCheckedAt: (row.last_checked_at as string | null) ?? null,
    version: row.version as number,
    supersededBy: (row.superseded_by as string | null) ?? null,
  };
}

function eventFromRow(row: Row): PaymentEventRecord {
  return {
    id: row.id as string,
    paymentId: row.payment_id as string,
    type: row.type as string,
    status: row.status as PaymentEventRecord['status'],
    providerStatus: (row.provider_status as string | null) ?? null,
    source: row.source as PaymentEventRecord['source'],
    dedupeKey: (row.dedupe_key as string | null) ?? null,
    data: row.data === null || row.data === undefined ? null : JSON.parse(row.data as string),
    createdAt: row.created_at as string,
  };
}

function outboxFromRow(row: Row): OutboxRecord {
  return {
    id: row.id as string,
    paymentId: row.payment_id as string,
    type: row.type as string,
    payload: row.payload as string,
    attempts: row.attempts as number,
    nextAttemptAt: row.next_attempt_at as string,
    deliveredAt: (row.delivered_at as string | null) ?? null,
    lastError: (row.last_error as string | null) ?? null,
    createdAt: row.created_at as string,
  };
}

function patchValue(key: keyof PaymentPatch, value: unknown): unknown {
  if (key === 'failure') return value === null || value === undefined ? null : JSON.stringify(value);
  return value ?? null;
}

export class SqliteStore implements Store {
  readonly db: SqlDatabase;
  /** The instance lock (see instance-lock.ts), held while the store is open; none for `:memory:`. */
  private readonly instanceLock: SqlDatabase | null = null;

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

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const applied = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
    );
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      this.db.transaction(() => {
        this.db.exec(migration.sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(migration.version, migration.name, new Date().toISOString());
      })();
    }
  }

  /** Applied migration versions (for tests and diagnostics). */
  appliedMigrations(): number[] {
    return (
      this.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]
    ).map((r) => r.version);
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
    if (this.instanceLock?.open) this.instanceLock.close();
  }

  async stats(): Promise<StoreStats> {
    const count = (table: string) => (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      sessions: count('sessions'),
      payments: count('payments'),
      paymentEvents: count('payment_events'),
      outbox: count('outbox'),
      idempotencyKeys: count('idempotency_keys'),
    };
  }

  async insertSession(s: SessionRecord, idempotency?: IdempotencyRecord): Promise<IdempotencyRecord | null> {
    const insert = this.db.transaction((): IdempotencyRecord | null => {
      if (idempotency && !this.insertIdempotency(idempotency)) return this.readIdempotency(idempotency.key);
      this.db
        .prepare(
          `INSERT INTO sessions (id, client_token_hash, amount, currency, reference, description, return_url, methods,
          countries, locale, metadata, state, created_at, updated_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          s.id,
          s.clientTokenHash,
          s.amount,
          s.currency,
          s.reference,
          s.description,
          s.returnUrl,
          JSON.stringify(s.methods),
          JSON.stringify(s.countries),
          s.locale,
          JSON.stringify(s.metadata),
          s.state,
          s.createdAt,
          s.updatedAt,
          s.expiresAt,
        );
      return null;
    });
    return insert();
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as Row | undefined;
    return row ? sessionFromRow(row) : null;
  }

  async findSessionByTokenHash(hash: string): Promise<SessionRecord | null> {
    const row = this.db.prepare('SELECT * FROM sessions WHERE client_token_hash = ?').get(hash) as Row | undefined;
    return row ? sessionFromRow(row) : null;
  }

  private insertEvent(e: PaymentEventRecord): boolean {
    const result = this.db
      .prepare(
        `INSERT INTO payment_events (id, payment_id, type, status, provider_status, source, dedupe_key, data, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(
        e.id,
        e.paymentId,
        e.type,
        e.status,
        e.providerStatus,
        e.source,
        e.dedupeKey,
        e.data === undefined || e.data === null ? null : JSON.stringify(e.data),
        e.createdAt,
      );
    return result.changes === 1;
  }

  async insertPayment(p: PaymentRecord, event: PaymentEventRecord): Promise<InsertPaymentResult> {
    const insert = this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO payments (id, session_id, attempt_id, method, adapter_id, provider_payment_id, status,
            provider_status, bank_id, reference, amount, currency, authorized_amount, captured_amount, refunded_amount,
            cancelled_amount, failure, redirect_url, expires_at, created_at, updated_at, last_checked_at, version,
            superseded_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          p.id,
          p.sessionId,
          p.attemptId,
          p.method,
          p.adapterId,
          p.providerPaymentId,
          p.status,
          p.providerStatus,
          p.bankId,
          p.reference,
          p.amount,
          p.currency,
          p.authorizedAmount,
          p.capturedAmount,
          p.refundedAmount,
          p.cancelledAmount,
          p.failure ? JSON.stringify(p.failure) : null,
          p.redirectUrl,
          p.expiresAt,
          p.createdAt,
          p.updatedAt,
          p.lastCheckedAt,
          p.version,
          p.supersededBy ?? null,
        );
      this.insertEvent(event);
    });
    try {
      insert();
      return { created: true, payment: (await this.getPayment(p.id))! };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.findPaymentByAttempt(p.sessionId, p.attemptId);
      if (!existing) throw error;
      return { created: false, payment: existing };
    }
  }

  async getPayment(id: string): Promise<PaymentRecord | null> {
    const row = this.db.prepare('SELECT * FROM payments WHERE id = ?').get(id) as Row | undefined;
    return row ? paymentFromRow(row) : null;
  }

  async findPaymentByAttempt(sessionId: string, attemptId: string): Promise<PaymentRecord | null> {
    const row = this.db
      .prepare('SELECT * FROM payments WHERE session_id = ? AND attempt_id = ?')
      .get(sessionId, attemptId) as Row | undefined;
    return row ? paymentFromRow(row) : null;
  }

  async findPaymentByProviderId(adapterId: string, providerPaymentId: string): Promise<PaymentRecord | null> {
    const row = this.db
      .prepare('SELECT * FROM payments WHERE adapter_id = ? AND provider_payment_id = ?')
      .get(adapterId, providerPaymentId) as Row | undefined;
    return row ? paymentFromRow(row) : null;
  }

  async listSessionPayments(sessionId: string): Promise<PaymentRecord[]> {
    return (
      this.db
        .prepare('SELECT * FROM payments WHERE session_id = ? ORDER BY created_at DESC, rowid DESC') // newest attempt first, even within one millisecond
        .all(sessionId) as Row[]
    ).map(paymentFromRow);
  }

  async listPayments(filter: PaymentListFilter): Promise<PaymentRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.reference !== undefined) {
      where.push('reference = ?');
      args.push(filter.reference);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      args.push(filter.status);
    }
    if (filter.from !== undefined) {
      where.push('created_at >= ?');
      args.push(filter.from);
    }
    if (filter.to !== undefined) {
      where.push('created_at < ?');
      args.push(filter.to);
    }
    if (filter.after) {
      where.push('(created_at < ? OR (created_at = ? AND id < ?))');
      args.push(filter.after.createdAt, filter.after.createdAt, filter.after.id);
    }
    const sql = `SELECT * FROM payments ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit) as Row[]).map(paymentFromRow);
  }

  async listPaymentsToReconcile(checkedBefore: string, limit: number): Promise<PaymentRecord[]> {
    return (
      this.db
        .prepare(
          `SELECT * FROM payments WHERE status NOT IN (${TERMINAL_SQL})
             AND (last_checked_at IS NULL OR last_checked_at < ?)
           ORDER BY last_checked_at IS NOT NULL, last_checked_at, created_at LIMIT ?`,
        )
        .all(checkedBefore, limit) as Row[]
    ).map(paymentFromRow);
  }

  async updatePayment(change: PaymentChange): Promise<PaymentChangeResult> {
    const keys = Object.keys(change.patch) as (keyof PaymentPatch)[];
    const assignments = keys.map((k) => `${PATCH_COLUMNS[k]} = ?`);
    const values = keys.map((k) => patchValue(k, change.patch[k]));
    const apply = this.db.transaction((): PaymentChangeResult => {
      const result = this.db
        .prepare(
          `UPDATE payments SET ${[...assignments, 'updated_at = ?', 'version = version + 1'].join(', ')}
           WHERE id = ? AND version = ?`,
        )
        .run(...values, change.updatedAt, change.paymentId, change.expectedVersion);
      if (result.changes !== 1) {
        const exists = this.db.prepare('SELECT 1 FROM payments WHERE id = ?').get(change.paymentId);
        return { ok: false, reason: exists ? 'version_conflict' : 'not_found' };
      }
      for (const event of change.events) {
        if (!this.insertEvent(event)) throw new DuplicateEvent();
      }
      for (const row of change.outbox) this.insertOutbox(row);
      if (change.sessionState) {
        this.db
          .prepare(
            `UPDATE sessions SET state = ?, updated_at = ? WHERE id = (SELECT session_id FROM payments WHERE id = ?)`,
          )
          .run(change.sessionState, change.updatedAt, change.paymentId);
      }
      return {
        ok: true,
        payment: paymentFromRow(this.db.prepare('SELECT * FROM payments WHERE id = ?').get(change.paymentId) as Row),
      };
    });
    try {
      return apply();
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
    return this.db.transaction(() => {
      const marked: PaymentRecord[] = [];
      for (const id of paymentIds) {
        const result = this.db
          .prepare(
            'UPDATE payments SET superseded_by = ?, updated_at = ?, version = version + 1 WHERE id = ? AND superseded_by IS NULL',
          )
          .run(supersededBy, at, id);
        if (Number(result.changes) !== 1) continue;
        const payment = paymentFromRow(this.db.prepare('SELECT * FROM payments WHERE id = ?').get(id) as Row);
        this.insertEvent(event(payment));
        marked.push(payment);
      }
      return marked;
    })();
  }

  async appendPaymentEvents(events: PaymentEventRecord[]): Promise<void> {
    this.db.transaction(() => {
      for (const e of events) this.insertEvent(e);
    })();
  }

  async listPaymentEvents(paymentId: string): Promise<PaymentEventRecord[]> {
    return (
      this.db.prepare('SELECT * FROM payment_events WHERE payment_id = ? ORDER BY seq').all(paymentId) as Row[]
    ).map(eventFromRow);
  }

  async markPaymentChecked(paymentId: string, at: string): Promise<void> {
    this.db.prepare('UPDATE payments SET last_checked_at = ? WHERE id = ?').run(at, paymentId);
  }

  private insertOutbox(o: OutboxRecord): void {
    this.db
      .prepare(
        `INSERT INTO outbox (id, payment_id, type, payload, attempts, next_attempt_at, delivered_at, last_error, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(o.id, o.paymentId, o.type, o.payload, o.attempts, o.nextAttemptAt, o.deliveredAt, o.lastError, o.createdAt);
  }

  async listDueOutbox(now: string, limit: number): Promise<OutboxRecord[]> {
    return (
      this.db
        .prepare(
          'SELECT * FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?',
        )
        .all(now, limit) as Row[]
    ).map(outboxFromRow);
  }

  async listOutbox(paymentId?: string): Promise<OutboxRecord[]> {
    const rows = paymentId
      ? this.db.prepare('SELECT * FROM outbox WHERE payment_id = ? ORDER BY seq').all(paymentId)
      : this.db.prepare('SELECT * FROM outbox ORDER BY seq').all();
    return (rows as Row[]).map(outboxFromRow);
  }

  async markOutboxDelivered(id: string, at: string): Promise<void> {
    this.db.prepare('UPDATE outbox SET delivered_at = ?, last_error = NULL WHERE id = ?').run(at, id);
  }

  async markOutboxRetry(id: string, attempts: number, nextAttemptAt: string, lastError: string): Promise<void> {
    this.db
      .prepare('UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?')
      .run(attempts, nextAttemptAt, lastError.slice(0, 500), id);
  }

  async getIdempotency(key: string): Promise<IdempotencyRecord | null> {
    return this.readIdempotency(key);
  }

  async saveIdempotency(r: IdempotencyRecord): Promise<IdempotencyRecord> {
    this.insertIdempotency(r);
    return this.readIdempotency(r.key)!;
  }

  private readIdempotency(key: string): IdempotencyRecord | null {
    const row = this.db.prepare('SELECT * FROM idempotency_keys WHERE key = ?').get(key) as Row | undefined;
    return row
      ? {
          key: row.key as string,
          fingerprint: row.fingerprint as string,
          statusCode: row.status_code as number,
          responseBody: row.response_body as string,
          createdAt: row.created_at as string,
          ...(row.owner == null ? {} : { owner: row.owner as string }),
          ...(row.sealed == null ? {} : { sealed: row.sealed as string }),
        }
      : null;
  }

  /** True when saved, false when the key was already taken. */
  private insertIdempotency(r: IdempotencyRecord): boolean {
    const result = this.db
      .prepare(
        `INSERT INTO idempotency_keys (key, fingerprint, status_code, response_body, created_at, owner, sealed)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
      )
      .run(r.key, r.fingerprint, r.statusCode, r.responseBody, r.createdAt, r.owner ?? null, r.sealed ?? null);
    return Number(result.changes) > 0;
  }
}

class DuplicateEvent extends Error {}

export function openSqliteStore(filename: string, driver?: SqlDatabase['driver']): SqliteStore {
  return new SqliteStore(filename, driver);
}
