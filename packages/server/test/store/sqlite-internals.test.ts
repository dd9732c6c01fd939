/**
 * What the store contract cannot see: the table mappings match the schema, statements are prepared
 * once per store, and transactions (savepoints when nested) behave the same on both SQLite drivers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireInstanceLock, DatabaseInUseError, lockFileOf } from '../../src/store/instance-lock.js';
import { codecs, sqlTable } from '../../src/store/sql-table.js';
import { defaultDriver, openSqlDatabase, type SqlDatabase } from '../../src/store/sqlite-driver.js';
import { SQLITE_TABLES, SqliteStore } from '../../src/store/sqlite.js';
import type { PaymentChange } from '../../src/store/store.js';
import { eventRecord, outboxRecord, paymentRecord, sessionRecord } from './contract.js';

/** The drivers this Node can run: never better-sqlite3 on Node 24+ (see sqlite-driver.ts). */
function drivers(): SqlDatabase['driver'][] {
  if (defaultDriver() === 'node:sqlite') return ['node:sqlite'];
  try {
    createRequire(import.meta.url)('node:sqlite');
    return ['better-sqlite3', 'node:sqlite'];
  } catch {
    return ['better-sqlite3'];
  }
}

const dir = mkdtempSync(join(tmpdir(), 'pwb-internals-'));

/** A change of payment `paymentId` at version 1 that changes nothing unless `extra` says. */
const change = (paymentId: string, extra: Partial<PaymentChange> = {}): PaymentChange => ({
  paymentId,
  expectedVersion: 1,
  patch: {},
  updatedAt: 't',
  events: [],
  outbox: [],
  ...extra,
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('table mappings', () => {
  it('name exactly the columns the migrations create (besides seq)', () => {
    const store = new SqliteStore(':memory:');
    for (const table of SQLITE_TABLES) {
      const columns = (store.db.prepare(`PRAGMA table_info(${table.name})`).all() as { name: string }[])
        .map((c) => c.name)
        .filter((name) => name !== 'seq');
      expect([...table.columns].sort(), table.name).toEqual(columns.sort());
    }
    void store.close();
  });

  it('read and write fields through their codecs, one line per field', () => {
    interface Thing {
      id: string;
      someFlag: boolean;
      tags: string[];
      note: string | null;
      extra: { a: number } | null;
      owner?: string | null;
    }
    const things = sqlTable<Thing>('things', {
      id: 'value',
      someFlag: 'boolean',
      tags: 'json',
      note: 'nullable',
      extra: 'nullableJson',
      owner: 'optional',
    });
    expect(things.columns).toEqual(['id', 'some_flag', 'tags', 'note', 'extra', 'owner']);
    expect(things.insertSql).toBe(
      'INSERT INTO things (id, some_flag, tags, note, extra, owner) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const full: Thing = { id: 't1', someFlag: true, tags: ['a'], note: 'n', extra: { a: 1 }, owner: 'o' };
    expect(things.values(full)).toEqual(['t1', 1, '["a"]', 'n', '{"a":1}', 'o']);
    expect(things.values({ id: 't2', someFlag: false, tags: [], note: null, extra: null })).toEqual([
      't2',
      0,
      '[]',
      null,
      null,
      null,
    ]);
    expect(
      things.read({ id: 't1', some_flag: 1, tags: '["a"]', note: 'n', extra: '{"a":1}', owner: 'o', seq: 9 }),
    ).toEqual(full);
    // NULL: null for nullable fields, left out for optional ones.
    const sparse = things.read({ id: 't2', some_flag: 0, tags: '[]', note: null, extra: null, owner: null });
    expect(sparse).toStrictEqual({ id: 't2', someFlag: false, tags: [], note: null, extra: null });
    expect(things.column('someFlag')).toBe('some_flag');
    expect(things.write('extra', { a: 2 })).toBe('{"a":2}');
    expect(codecs.boolean.read(0n)).toBe(false);
    // @ts-expect-error a table must map every field of its record
    sqlTable<Thing>('things', { id: 'value' });
  });
});

describe.each(drivers())('SQLite on %s', (driver) => {
  it('prepares each statement once per store', async () => {
    const store = new SqliteStore(':memory:', driver);
    const prepared: string[] = [];
    const prepare = store.db.prepare.bind(store.db);
    (store.db as { prepare: SqlDatabase['prepare'] }).prepare = (sql) => {
      prepared.push(sql);
      return prepare(sql);
    };
    const round = async () => {
      const s = sessionRecord();
      await store.insertSession(s, {
        key: `k-${s.id}`,
        fingerprint: 'f',
        statusCode: 201,
        responseBody: '{}',
        createdAt: 't',
      });
      await store.getSession(s.id);
      await store.findSessionByTokenHash(s.clientTokenHash);
      const p = paymentRecord(s);
      await store.insertPayment(p, eventRecord(p));
      await store.insertPayment({ ...paymentRecord(s), attemptId: p.attemptId }, eventRecord(p)); // a replay
      const updated = await store.updatePayment({
        paymentId: p.id,
        expectedVersion: 1,
        patch: { status: 'pending', providerStatus: 'x' },
        updatedAt: 't',
        events: [eventRecord(p, { type: 'status' })],
        outbox: [outboxRecord(p)],
        sessionState: 'open',
      });
      expect(updated.ok).toBe(true);
      await store.updatePayment(change(p.id)); // a version conflict
      await store.markSuperseded([p.id], 'pay_other', 't', (x) => eventRecord(x, { type: 'superseded' }));
      await store.appendPaymentEvents([eventRecord(p, { type: 'note' })]);
      await store.markPaymentChecked(p.id, 't');
      await store.getPayment(p.id);
      await store.findPaymentByAttempt(s.id, p.attemptId);
      await store.findPaymentByProviderId('fake', 'none');
      await store.listSessionPayments(s.id);
      await store.listPayments({ limit: 5, reference: s.reference });
      await store.listPaymentsToReconcile('t', 5);
      await store.listPaymentEvents(p.id);
      await store.listDueOutbox('u', 5);
      await store.listOutbox(p.id);
      await store.listOutbox();
      const [row] = await store.listOutbox(p.id);
      await store.markOutboxRetry(row!.id, 1, 't', 'e');
      await store.markOutboxDelivered(row!.id, 't');
      await store.saveIdempotency({
        key: `x-${s.id}`,
        fingerprint: 'f',
        statusCode: 200,
        responseBody: '{}',
        createdAt: 't',
      });
      await store.getIdempotency(`x-${s.id}`);
      await store.stats();
      await store.ping();
    };
    await round();
    const first = prepared.length;
    expect(first).toBeGreaterThan(10);
    await round();
    await round();
    expect(prepared.slice(first)).toEqual([]);
    await store.close();
  });

  it('writes bookkeeping without waiting for the disk, and everything else with synchronous = FULL', async () => {
    const store = new SqliteStore(join(dir, `sync-${driver.replace(':', '-')}.sqlite`), driver);
    const synchronous = () => store.db.pragma('synchronous');
    const FULL = 2;
    const NORMAL = 1;
    expect(synchronous()).toBe(FULL);
    const seen: unknown[] = [];
    const prepare = store.db.prepare.bind(store.db);
    (store.db as { prepare: SqlDatabase['prepare'] }).prepare = (sql) => {
      const statement = prepare(sql);
      if (!sql.startsWith('UPDATE')) return statement;
      const record = () => seen.push(synchronous());
      return {
        run: (...params: unknown[]) => (record(), statement.run(...params)),
        get: (...params: unknown[]) => (record(), statement.get(...params)),
        all: (...params: unknown[]) => (record(), statement.all(...params)),
      };
    };
    const s = sessionRecord();
    await store.insertSession(s);
    const p = paymentRecord(s);
    await store.insertPayment(p, eventRecord(p));
    await store.markPaymentChecked(p.id, '2030-01-01T00:09:00.000Z');
    expect((await store.getPayment(p.id))!.lastCheckedAt).toBe('2030-01-01T00:09:00.000Z');
    expect(synchronous()).toBe(FULL);
    const o = outboxRecord(p);
    await store.updatePayment(change(p.id, { outbox: [o] }));
    await store.markOutboxRetry(o.id, 1, 't', 'HTTP 500');
    await store.markOutboxDelivered(o.id, 't');
    expect((await store.listOutbox(p.id))[0]).toMatchObject({ attempts: 1, deliveredAt: 't', lastError: null });
    // The checked/retry/delivered updates ran with NORMAL, the payment change with FULL.
    expect(seen).toEqual([NORMAL, FULL, NORMAL, NORMAL]);
    expect(synchronous()).toBe(FULL);
    await store.close();
  });

  it('commits, rolls back, and rolls back a nested transaction on its own', () => {
    const db = openSqlDatabase(':memory:', driver);
    db.exec('CREATE TABLE t (v INTEGER)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const values = () => (db.prepare('SELECT v FROM t ORDER BY v').all() as { v: number }[]).map((r) => r.v);
    const add = db.transaction((...vs: number[]) => {
      for (const v of vs) insert.run(v);
      return vs.length;
    });
    expect(add(1, 2)).toBe(2);
    const failing = db.transaction((v: number) => {
      insert.run(v);
      throw new Error('no');
    });
    expect(() => failing(3)).toThrow('no');
    expect(values()).toEqual([1, 2]);
    const outer = db.transaction(() => {
      insert.run(4);
      try {
        failing(5);
      } catch {
        // the inner savepoint is rolled back; the outer transaction goes on
      }
      add(6);
    });
    outer();
    expect(values()).toEqual([1, 2, 4, 6]);
    // The same wrappers work again after all that.
    expect(add(7)).toBe(1);
    expect(values()).toEqual([1, 2, 4, 6, 7]);
    db.close();
  });

  it('takes the instance lock without writing, refuses a second holder, and frees it on close', () => {
    const file = join(dir, `lock-${driver.replace(':', '-')}.sqlite`);
    const first = acquireInstanceLock(file, driver);
    // SQLite keeps file locks per process too, so a second connection here stands for a second process.
    expect(() => acquireInstanceLock(file, driver)).toThrow(DatabaseInUseError);
    first.close();
    const again = acquireInstanceLock(file, driver);
    again.close();
  });

  it('excludes a holder that took the lock the earlier way (a row written in EXCLUSIVE mode), both ways', () => {
    const file = join(dir, `lock-earlier-${driver.replace(':', '-')}.sqlite`);
    const earlier = () => {
      const lock = openSqlDatabase(lockFileOf(file), driver);
      try {
        lock.exec('PRAGMA busy_timeout = 0; PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = DELETE');
        lock.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER, since TEXT)');
        lock.prepare('INSERT OR REPLACE INTO holder (id, pid, since) VALUES (1, ?, ?)').run(process.pid, 't');
      } catch (error) {
        lock.close();
        throw error;
      }
      return lock;
    };
    const old = earlier();
    expect(() => acquireInstanceLock(file, driver)).toThrow(DatabaseInUseError);
    old.close();
    const now = acquireInstanceLock(file, driver);
    expect(() => earlier()).toThrow(/SQLITE_BUSY|locked/);
    now.close();
  });
});
