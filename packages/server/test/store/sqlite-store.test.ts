import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { defaultDriver, openSqlDatabase } from '../../src/store/sqlite-driver.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { eventRecord, paymentRecord, runStoreContract, sessionRecord } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'pwb-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runStoreContract(`sqlite ${defaultDriver()} (:memory:)`, () => new SqliteStore(':memory:'));
runStoreContract(`sqlite ${defaultDriver()} (file)`, () => new SqliteStore(join(dir, `contract-${++n}.sqlite`)));
// Node 22 also has node:sqlite (the default from Node 24 on): run the contract on it as well. Never
// better-sqlite3 on Node 24+ (see sqlite-driver.ts).
if (defaultDriver() === 'better-sqlite3' && hasNodeSqlite()) {
  runStoreContract(
    'sqlite node:sqlite (file)',
    () => new SqliteStore(join(dir, `contract-${++n}.sqlite`), 'node:sqlite'),
  );
}

function hasNodeSqlite(): boolean {
  try {
    createRequire(import.meta.url)('node:sqlite');
    return true;
  } catch {
    return false;
  }
}

describe('SqliteStore on a file', () => {
  it('creates missing directories, uses WAL and records its migrations once', async () => {
    const file = join(dir, 'nested', 'deeper', 'db.sqlite');
    const store = new SqliteStore(file);
    expect(store.db.pragma('journal_mode')).toBe('wal');
    expect(store.appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.version));
    await store.close();
    const reopened = new SqliteStore(file);
    expect(reopened.appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.version));
    await reopened.close();
  });

  it('backfills supersededBy from the superseded events of a database made before the column', async () => {
    const file = join(dir, 'before-superseded-by.sqlite');
    // A database at schema version 2, as the previous release left it.
    const old = openSqlDatabase(file);
    old.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    for (const migration of MIGRATIONS.filter((m) => m.version <= 2)) {
      old.exec(migration.sql);
      old
        .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
        .run(migration.version, migration.name, 't');
    }
    const s = sessionRecord();
    const [replaced, twice, malformed, open, replacement] = Array.from({ length: 5 }, () => paymentRecord(s));
    old
      .prepare(
        `INSERT INTO sessions (id, client_token_hash, amount, currency, reference, description, return_url, methods,
           countries, locale, metadata, state, created_at, updated_at, expires_at)
         VALUES (?, ?, 100, 'DKK', 'R', 'D', 'https://x.example/', '["bank"]', '["DK"]', 'en', '{}', 'open', 't', 't', 't')`,
      )
      .run(s.id, s.clientTokenHash);
    const insertPayment = old.prepare(
      `INSERT INTO payments (id, session_id, attempt_id, method, adapter_id, status, reference, amount, currency,
         created_at, updated_at, version) VALUES (?, ?, ?, 'bank', 'fake', 'pending', 'R', 100, 'DKK', 't', 't', 3)`,
    );
    const insertEvent = old.prepare(
      `INSERT INTO payment_events (id, payment_id, type, status, source, data, created_at)
       VALUES (?, ?, ?, 'pending', 'system', ?, 't')`,
    );
    let n = 0;
    const event = (paymentId: string, type: string, data: string | null) =>
      insertEvent.run(`evt_backfill_${++n}`, paymentId, type, data);
    for (const p of [replaced!, twice!, malformed!, open!, replacement!]) {
      insertPayment.run(p.id, s.id, p.attemptId);
      event(p.id, 'created', '{"attemptId":"a"}');
    }
    event(replaced!.id, 'superseded', JSON.stringify({ supersededBy: replacement!.id }));
    event(twice!.id, 'superseded', JSON.stringify({ supersededBy: 'pay_first' }));
    event(twice!.id, 'superseded', JSON.stringify({ supersededBy: 'pay_second' }));
    event(malformed!.id, 'superseded', '{not json');
    event(open!.id, 'status', JSON.stringify({ supersededBy: 'pay_not_a_supersession' }));
    old.close();

    const store = new SqliteStore(file);
    expect(store.appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.version));
    const supersededBy = async (p: { id: string }) => (await store.getPayment(p.id))!.supersededBy;
    expect(await supersededBy(replaced!)).toBe(replacement!.id);
    expect(await supersededBy(twice!)).toBe('pay_first');
    expect(await supersededBy(malformed!)).toBeNull();
    expect(await supersededBy(open!)).toBeNull();
    expect(await supersededBy(replacement!)).toBeNull();
    // Rows from before the express columns read as an ordinary checkout.
    expect((await store.getSession(s.id))!.express).toBeNull();
    expect(await store.getPayment(replaced!.id)).toMatchObject({
      shopper: null,
      shipping: null,
      shopperErasedAt: null,
    });
    // The backfill changes no version (nothing anyone planned on moved).
    expect((await store.getPayment(replaced!.id))!.version).toBe(3);
    await store.close();
  });

  it('keeps everything across close and reopen', async () => {
    const file = join(dir, 'reopen.sqlite');
    const store = new SqliteStore(file);
    const s = sessionRecord();
    await store.insertSession(s);
    const p = paymentRecord(s, { providerPaymentId: 'prov-9', status: 'pending' });
    await store.insertPayment(p, eventRecord(p));
    await store.close();

    const reopened = new SqliteStore(file);
    expect(await reopened.getSession(s.id)).toEqual(s);
    expect(await reopened.getPayment(p.id)).toEqual(p);
    expect(await reopened.listPaymentEvents(p.id)).toHaveLength(1);
    // The unique (session, attempt) still holds after reopening.
    const dup = paymentRecord(s, { attemptId: p.attemptId });
    expect((await reopened.insertPayment(dup, eventRecord(dup))).created).toBe(false);
    await reopened.close();
  });
});
