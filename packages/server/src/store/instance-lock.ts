/**
 * One server process per SQLite file. Locks, the refresh throttle, the reconciler and the outbox
 * worker coordinate inside one process; a second process on the same file would each call the
 * providers (three processes made 1 to 3 provider payments for 50 concurrent starts of one
 * checkout). So a second process is refused at start, with a clear message.
 *
 * The lock is an operating-system file lock held through SQLite itself: a small companion database
 * (`<file>.lock`) in `locking_mode = EXCLUSIVE`, where an empty `BEGIN EXCLUSIVE; COMMIT` takes the
 * exclusive lock and the mode keeps it for as long as the connection is open. Nothing is written, so
 * taking it costs no fsync (the earlier way, a row written to take the lock, cost one to three at
 * every start; both ways exclude each other). The OS releases it when the process ends in any way,
 * SIGKILL included, so a restart after a crash is never blocked by a stale lock (no pid files, no
 * heartbeats).
 */
import { closeSync, existsSync, openSync } from 'node:fs';
import { openSqlDatabase, type SqlDatabase } from './sqlite-driver.js';

export class DatabaseInUseError extends Error {
  constructor(filename: string) {
    super(
      `the database ${filename} is in use by another pay-with-bank server process. Run one server process per SQLite file (stop the other one, or give this one its own PWB_DATABASE).`,
    );
    this.name = 'DatabaseInUseError';
  }
}

export function lockFileOf(filename: string): string {
  return `${filename}.lock`;
}

/** Take the file's instance lock, or throw DatabaseInUseError when another process holds it. */
export function acquireInstanceLock(filename: string, driver: SqlDatabase['driver']): SqlDatabase {
  const lockFile = lockFileOf(filename);
  if (!existsSync(lockFile)) closeSync(openSync(lockFile, 'a', 0o600));
  const lock = openSqlDatabase(lockFile, driver);
  try {
    // No waiting: another holder means another live process.
    lock.exec('PRAGMA busy_timeout = 0');
    lock.exec('PRAGMA locking_mode = EXCLUSIVE');
    // Takes the exclusive lock; EXCLUSIVE mode keeps it after the (empty) commit.
    lock.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (error) {
    lock.close();
    if (isBusy(error)) throw new DatabaseInUseError(filename);
    throw error;
  }
  return lock;
}

function isBusy(error: unknown): boolean {
  const text = error instanceof Error ? `${(error as { code?: unknown }).code ?? ''} ${error.message}` : '';
  return /SQLITE_BUSY|SQLITE_LOCKED|database is locked/i.test(text);
}
