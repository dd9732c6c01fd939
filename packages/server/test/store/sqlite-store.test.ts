import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.js';
import { eventRecord, paymentRecord, runStoreContract, sessionRecord } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'pwb-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runStoreContract('sqlite (:memory:)', () => new SqliteStore(':memory:'));
runStoreContract('sqlite (file)', () => new SqliteStore(join(dir, `contract-${++n}.sqlite`)));

describe('SqliteStore on a file', () => {
  it('creates missing directories, uses WAL and records its migrations once', async () => {
    const file = join(dir, 'nested', 'deeper', 'db.sqlite');
    const store = new SqliteStore(file);
    expect(store.db.pragma('journal_mode')).toBe('wal');
    expect(store.appliedMigrations()).toEqual([1, 2]);
    await store.close();
    const reopened = new SqliteStore(file);
    expect(reopened.appliedMigrations()).toEqual([1, 2]);
    await reopened.close();
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
