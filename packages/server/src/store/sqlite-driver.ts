/**
 * The SQLite driver under the store, chosen by Node version: better-sqlite3 on Node 20 and 22, Node's
 * built-in `node:sqlite` from Node 24 on. Why: better-sqlite3 12 (the last line that runs on Node 20)
 * aborts Node 24 processes when a statement is garbage-collected after its environment is gone
 * ("Assertion failed: (env) != nullptr" in Statement::~Statement), and better-sqlite3 13 no longer
 * loads on Node 20. Both drivers are synchronous and speak the same SQL; this module gives the store
 * the few calls it uses. The server's `PWB_SQLITE_DRIVER=better-sqlite3 | node` overrides the choice.
 */
import { createRequire } from 'node:module';

export interface SqlStatement {
  run(...params: unknown[]): { changes: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export interface SqlDatabase {
  readonly driver: 'better-sqlite3' | 'node:sqlite';
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  /**
   * Wraps `fn` in a transaction (a savepoint when nested); rolls back when it throws. Build the
   * wrapper once and call it many times: the arguments are passed through.
   */
  transaction<A extends unknown[], T>(fn: (...args: A) => T): (...args: A) => T;
  /** The value of a PRAGMA, e.g. `pragma('journal_mode')` → `'wal'`. */
  pragma(name: string): unknown;
  readonly open: boolean;
  close(): void;
}

const require = createRequire(import.meta.url);

/** The driver for this Node version (the server's config may override it: PWB_SQLITE_DRIVER). */
export function defaultDriver(): SqlDatabase['driver'] {
  return Number(process.versions.node.split('.')[0]) >= 24 ? 'node:sqlite' : 'better-sqlite3';
}

export function openSqlDatabase(filename: string, driver = defaultDriver()): SqlDatabase {
  return driver === 'node:sqlite' ? openNodeSqlite(filename) : openBetterSqlite(filename);
}

function openBetterSqlite(filename: string): SqlDatabase {
  // Loaded lazily so that a Node 24 process never loads it.
  const Database = require('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(filename);
  return {
    driver: 'better-sqlite3',
    exec: (sql) => void db.exec(sql),
    prepare: (sql) => db.prepare(sql) as unknown as SqlStatement,
    transaction: <A extends unknown[], T>(fn: (...args: A) => T) => db.transaction(fn) as unknown as (...args: A) => T,
    pragma: (name) => db.pragma(name, { simple: true }),
    get open() {
      return db.open;
    },
    close: () => db.close(),
  };
}

interface NodeSqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  close(): void;
}

function openNodeSqlite(filename: string): SqlDatabase {
  const { DatabaseSync } = require('node:sqlite') as { DatabaseSync: new (path: string) => NodeSqliteDatabase };
  const db = new DatabaseSync(filename);
  let open = true;
  let depth = 0;
  // The transaction control statements, prepared once per connection (savepoints per depth).
  const control = new Map<string, SqlStatement>();
  const run = (sql: string): void => {
    let statement = control.get(sql);
    if (!statement) control.set(sql, (statement = db.prepare(sql)));
    statement.run();
  };
  return {
    driver: 'node:sqlite',
    exec: (sql) => db.exec(sql),
    prepare: (sql) => {
      const statement = db.prepare(sql);
      // Errors carry SQLite's extended code as `errcode`; give them better-sqlite3's `code` names.
      const wrap =
        <A extends unknown[], R>(call: (...args: A) => R) =>
        (...args: A): R => {
          try {
            return call(...args);
          } catch (error) {
            throw withSqliteCode(error);
          }
        };
      return {
        run: wrap((...p: unknown[]) => statement.run(...p)),
        get: wrap((...p: unknown[]) => statement.get(...p)),
        all: wrap((...p: unknown[]) => statement.all(...p)),
      };
    },
    transaction:
      <A extends unknown[], T>(fn: (...args: A) => T) =>
      (...args: A): T => {
        const savepoint = `pwb_sp_${depth}`;
        run(depth === 0 ? 'BEGIN' : `SAVEPOINT ${savepoint}`);
        depth++;
        try {
          const result = fn(...args);
          depth--;
          run(depth === 0 ? 'COMMIT' : `RELEASE ${savepoint}`);
          return result;
        } catch (error) {
          depth--;
          if (depth === 0) run('ROLLBACK');
          else {
            run(`ROLLBACK TO ${savepoint}`);
            run(`RELEASE ${savepoint}`);
          }
          throw error;
        }
      },
    pragma: (name) => {
      const row = db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown> | undefined;
      return row ? Object.values(row)[0] : undefined;
    },
    get open() {
      return open;
    },
    close: () => {
      if (!open) return;
      open = false;
      control.clear();
      db.close();
    },
  };
}

const EXTENDED_CODES: Record<number, string> = {
  1555: 'SQLITE_CONSTRAINT_PRIMARYKEY',
  2067: 'SQLITE_CONSTRAINT_UNIQUE',
  787: 'SQLITE_CONSTRAINT_FOREIGNKEY',
  1299: 'SQLITE_CONSTRAINT_NOTNULL',
  275: 'SQLITE_CONSTRAINT_CHECK',
  5: 'SQLITE_BUSY',
};

function withSqliteCode(error: unknown): unknown {
  if (error instanceof Error && 'errcode' in error && typeof error.errcode === 'number') {
    const code = EXTENDED_CODES[error.errcode];
    if (code) Object.defineProperty(error, 'code', { value: code, configurable: true });
  }
  return error;
}
