import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';

describe('SQLite file permissions', () => {
  it('creates the database directory and files readable by the server user only', async () => {
    const previous = process.umask(0o022); // a typical umask that would make files world-readable
    try {
      const dir = join(mkdtempSync(join(tmpdir(), 'pwb-perm-')), 'nested', 'data');
      const file = join(dir, 'db.sqlite');
      const store = openSqliteStore(file);
      await store.listSessionPayments('cs_nothing_here_000000');
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(`${file}-wal`).mode & 0o077).toBe(0);
      await store.close();
    } finally {
      process.umask(previous);
    }
  });
});
