/**
 * SQLite schema, as an append-only list of migrations. Never edit an applied migration: add one.
 * Applied versions are recorded in `schema_migrations`.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        client_token_hash TEXT NOT NULL UNIQUE,
        amount INTEGER NOT NULL CHECK (amount > 0),
        currency TEXT NOT NULL,
        reference TEXT NOT NULL,
        description TEXT NOT NULL,
        return_url TEXT NOT NULL,
        methods TEXT NOT NULL,
        countries TEXT NOT NULL,
        locale TEXT NOT NULL,
        metadata TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'paid')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );

      CREATE TABLE payments (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        attempt_id TEXT NOT NULL,
        method TEXT NOT NULL,
        adapter_id TEXT NOT NULL,
        provider_payment_id TEXT,
        status TEXT NOT NULL,
        provider_status TEXT,
        bank_id TEXT,
        reference TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount > 0),
        currency TEXT NOT NULL,
        authorized_amount INTEGER NOT NULL DEFAULT 0,
        captured_amount INTEGER NOT NULL DEFAULT 0,
        refunded_amount INTEGER NOT NULL DEFAULT 0,
        cancelled_amount INTEGER NOT NULL DEFAULT 0,
        failure TEXT,
        redirect_url TEXT,
        expires_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_checked_at TEXT,
        version INTEGER NOT NULL,
        UNIQUE (session_id, attempt_id)
      );
      CREATE UNIQUE INDEX payments_provider_id ON payments (adapter_id, provider_payment_id)
        WHERE provider_payment_id IS NOT NULL;
      CREATE INDEX payments_created ON payments (created_at DESC, id DESC);
      CREATE INDEX payments_reference ON payments (reference, created_at DESC);
      CREATE INDEX payments_status_checked ON payments (status, last_checked_at);

      CREATE TABLE payment_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        payment_id TEXT NOT NULL REFERENCES payments(id),
        type TEXT NOT NULL,
        status TEXT NOT NULL,
        provider_status TEXT,
        source TEXT NOT NULL,
        dedupe_key TEXT,
        data TEXT,
        created_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX payment_events_dedupe ON payment_events (payment_id, dedupe_key)
        WHERE dedupe_key IS NOT NULL;
      CREATE INDEX payment_events_payment ON payment_events (payment_id, seq);

      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        payment_id TEXT NOT NULL REFERENCES payments(id),
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        delivered_at TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX outbox_due ON outbox (next_attempt_at, seq) WHERE delivered_at IS NULL;

      CREATE TABLE idempotency_keys (
        key TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        status_code INTEGER NOT NULL,
        response_body TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'idempotency owner and sealed secret',
    sql: `
      ALTER TABLE idempotency_keys ADD COLUMN owner TEXT;
      ALTER TABLE idempotency_keys ADD COLUMN sealed TEXT;
    `,
  },
  {
    version: 3,
    name: 'payments.superseded_by',
    // Until now a replaced payment was marked only by its `superseded` event (data {"supersededBy":
    // "<id>"}); the column is backfilled from the first such event (malformed data is passed over).
    sql: `
      ALTER TABLE payments ADD COLUMN superseded_by TEXT;
      UPDATE payments SET superseded_by = (
        SELECT json_extract(e.data, '$.supersededBy') FROM payment_events e
         WHERE e.payment_id = payments.id AND e.type = 'superseded'
           AND CASE WHEN json_valid(e.data) THEN json_type(e.data, '$.supersededBy') END = 'text'
         ORDER BY e.seq LIMIT 1
      )
      WHERE id IN (SELECT payment_id FROM payment_events WHERE type = 'superseded');
    `,
  },
  {
    version: 4,
    name: 'express checkout',
    // Sessions: the express settings (JSON). Payments: the shopper's details and the shipping
    // choice (JSON), the hashed provider user id (consent removal finds a user's payments by it) and
    // when the details were erased.
    sql: `
      ALTER TABLE sessions ADD COLUMN express TEXT;
      ALTER TABLE payments ADD COLUMN shopper TEXT;
      ALTER TABLE payments ADD COLUMN shipping TEXT;
      ALTER TABLE payments ADD COLUMN provider_user_key TEXT;
      ALTER TABLE payments ADD COLUMN shopper_erased_at TEXT;
      CREATE INDEX payments_provider_user ON payments (adapter_id, provider_user_key)
        WHERE provider_user_key IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'shopper retention',
    // PWB_SHOPPER_RETENTION_DAYS: the payments still holding shopper details, oldest change first.
    sql: `
      CREATE INDEX payments_shopper_kept ON payments (updated_at) WHERE shopper IS NOT NULL;
    `,
  },
];
