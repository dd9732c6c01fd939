/**
 * PostgreSQL schema, as an append-only list of migrations (never edit an applied one: add one),
 * recorded in `schema_migrations`. The tables and columns are SQLite's (migrations.ts) so that one
 * record ↔ row mapping serves both stores; a new SQLite migration gets its PostgreSQL twin here.
 *
 * - Text columns are `COLLATE "C"`: ids, timestamps and references sort by code unit, as in SQLite
 *   and JavaScript, whatever the database's default collation (keyset paging compares ids).
 * - Timestamps are ISO 8601 text (`Date.toISOString()`), as everywhere in the store.
 * - JSON is text, written and read by the shared mapping (sql-table.ts).
 * - Beyond SQLite's columns, PostgreSQL has what several server instances share in the database:
 *   `payments.seq` (insertion order; SQLite's rowid), `payments.next_provider_call_at`
 *   (tryClaimProviderCall), `outbox.lease_until` and `outbox.leased_by` (claimDueOutbox).
 */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'initial (SQLite migrations 1-3) with instance coordination columns',
    sql: `
      CREATE TABLE sessions (
        id TEXT COLLATE "C" PRIMARY KEY,
        client_token_hash TEXT COLLATE "C" NOT NULL UNIQUE,
        amount INTEGER NOT NULL CHECK (amount > 0),
        currency TEXT COLLATE "C" NOT NULL,
        reference TEXT COLLATE "C" NOT NULL,
        description TEXT NOT NULL,
        return_url TEXT NOT NULL,
        methods TEXT NOT NULL,
        countries TEXT NOT NULL,
        locale TEXT NOT NULL,
        metadata TEXT NOT NULL,
        state TEXT COLLATE "C" NOT NULL CHECK (state IN ('open', 'paid')),
        created_at TEXT COLLATE "C" NOT NULL,
        updated_at TEXT COLLATE "C" NOT NULL,
        expires_at TEXT COLLATE "C" NOT NULL
      );

      CREATE TABLE payments (
        seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        id TEXT COLLATE "C" PRIMARY KEY,
        session_id TEXT COLLATE "C" NOT NULL REFERENCES sessions(id),
        attempt_id TEXT COLLATE "C" NOT NULL,
        method TEXT COLLATE "C" NOT NULL,
        adapter_id TEXT COLLATE "C" NOT NULL,
        provider_payment_id TEXT COLLATE "C",
        status TEXT COLLATE "C" NOT NULL,
        provider_status TEXT,
        bank_id TEXT COLLATE "C",
        reference TEXT COLLATE "C" NOT NULL,
        amount INTEGER NOT NULL CHECK (amount > 0),
        currency TEXT COLLATE "C" NOT NULL,
        authorized_amount INTEGER NOT NULL DEFAULT 0,
        captured_amount INTEGER NOT NULL DEFAULT 0,
        refunded_amount INTEGER NOT NULL DEFAULT 0,
        cancelled_amount INTEGER NOT NULL DEFAULT 0,
        failure TEXT,
        redirect_url TEXT,
        expires_at TEXT COLLATE "C",
        created_at TEXT COLLATE "C" NOT NULL,
        updated_at TEXT COLLATE "C" NOT NULL,
        last_checked_at TEXT COLLATE "C",
        version INTEGER NOT NULL,
        superseded_by TEXT COLLATE "C",
        next_provider_call_at TEXT COLLATE "C",
        UNIQUE (session_id, attempt_id)
      );
      CREATE UNIQUE INDEX payments_provider_id ON payments (adapter_id, provider_payment_id)
        WHERE provider_payment_id IS NOT NULL;
      CREATE INDEX payments_created ON payments (created_at DESC, id DESC);
      CREATE INDEX payments_reference ON payments (reference, created_at DESC);
      CREATE INDEX payments_status_checked ON payments (status, last_checked_at);

      CREATE TABLE payment_events (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT COLLATE "C" NOT NULL UNIQUE,
        payment_id TEXT COLLATE "C" NOT NULL REFERENCES payments(id),
        type TEXT COLLATE "C" NOT NULL,
        status TEXT COLLATE "C" NOT NULL,
        provider_status TEXT,
        source TEXT COLLATE "C" NOT NULL,
        dedupe_key TEXT COLLATE "C",
        data TEXT,
        created_at TEXT COLLATE "C" NOT NULL
      );
      CREATE UNIQUE INDEX payment_events_dedupe ON payment_events (payment_id, dedupe_key)
        WHERE dedupe_key IS NOT NULL;
      CREATE INDEX payment_events_payment ON payment_events (payment_id, seq);

      CREATE TABLE outbox (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT COLLATE "C" NOT NULL UNIQUE,
        payment_id TEXT COLLATE "C" NOT NULL REFERENCES payments(id),
        type TEXT COLLATE "C" NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT COLLATE "C" NOT NULL,
        delivered_at TEXT COLLATE "C",
        last_error TEXT,
        created_at TEXT COLLATE "C" NOT NULL,
        lease_until TEXT COLLATE "C",
        leased_by TEXT COLLATE "C"
      );
      CREATE INDEX outbox_due ON outbox (next_attempt_at, seq) WHERE delivered_at IS NULL;
      CREATE INDEX outbox_undelivered_payment ON outbox (payment_id, next_attempt_at, seq)
        WHERE delivered_at IS NULL;

      CREATE TABLE idempotency_keys (
        key TEXT COLLATE "C" PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        status_code INTEGER NOT NULL,
        response_body TEXT NOT NULL,
        created_at TEXT COLLATE "C" NOT NULL,
        owner TEXT COLLATE "C",
        sealed TEXT
      );
    `,
  },
  {
    version: 2,
    name: 'express checkout (SQLite migration 4)',
    sql: `
      ALTER TABLE sessions ADD COLUMN express TEXT;
      ALTER TABLE payments ADD COLUMN shopper TEXT;
      ALTER TABLE payments ADD COLUMN shipping TEXT;
      ALTER TABLE payments ADD COLUMN provider_user_key TEXT COLLATE "C";
      ALTER TABLE payments ADD COLUMN shopper_erased_at TEXT COLLATE "C";
      CREATE INDEX payments_provider_user ON payments (adapter_id, provider_user_key)
        WHERE provider_user_key IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'shopper retention (SQLite migration 5)',
    // PWB_SHOPPER_RETENTION_DAYS: the payments still holding shopper details, oldest change first.
    sql: `
      CREATE INDEX payments_shopper_kept ON payments (updated_at) WHERE shopper IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'shared rate limits',
    // One fixed window per key (a checkout session or a client address), counted by every instance.
    // UNLOGGED: nothing here needs to survive a crash of the database (a restart resets the windows).
    sql: `
      CREATE UNLOGGED TABLE rate_windows (
        key TEXT COLLATE "C" PRIMARY KEY,
        window_start BIGINT NOT NULL,
        count INTEGER NOT NULL
      );
    `,
  },
];
