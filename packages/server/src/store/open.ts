/**
 * The store `PWB_DATABASE` names: a `postgres://` or `postgresql://` URL opens the PostgreSQL store
 * (several server instances may share it), anything else is a SQLite file (one server process per
 * file) or `:memory:`.
 */
import type { Config } from '../config.js';
import { isPostgresUrl } from './postgres-connection.js';
import { PostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export type DatabaseConfig = Pick<Config, 'database' | 'databasePoolSize' | 'sqliteDriver'>;

export function openStore(config: DatabaseConfig, options: { onIdleError?: (error: Error) => void } = {}): Store {
  if (isPostgresUrl(config.database)) {
    return new PostgresStore({
      url: config.database,
      poolSize: config.databasePoolSize,
      ...(options.onIdleError ? { onIdleError: options.onIdleError } : {}),
    });
  }
  return openSqliteStore(config.database, config.sqliteDriver);
}
