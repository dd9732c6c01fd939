/**
 * The PostgreSQL store's connection: which `PWB_DATABASE` values are PostgreSQL URLs, the pool
 * (node-postgres), and which errors mean "the database cannot be reached right now" (retryable:
 * StoreUnavailableError) rather than a bug. The URL and its password never appear in an error
 * message this module makes; the secrets it returns are masked in the server's logs.
 */
import { createRequire } from 'node:module';
import type pg from 'pg';
import type { PostgresStoreOptions } from './postgres.js';
import { StoreUnavailableError } from './store.js';

// node-postgres is loaded on first use: a server on SQLite never loads it (start-up time).
const require = createRequire(import.meta.url);

/** True for `postgres://…` and `postgresql://…` (case-insensitive), the URLs that select this store. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value.trim());
}

/** Why `value` cannot be used as a PostgreSQL URL, or null. Never echoes the value. */
export function postgresUrlProblem(value: string): string | null {
  const url = parseUrl(value);
  if (!url) return 'is not a valid PostgreSQL URL (postgres://user:password@host:5432/database)';
  if (!url.host && !url.params.get('host')) {
    return 'names no host (postgres://user:password@host:5432/database, or ?host=/socket/dir)';
  }
  return null;
}

/**
 * The parts of the URL this module checks, or null when it is not a URL. As in node-postgres, the
 * host may be empty after credentials (`postgres://user@/db?host=/run/postgresql`, a Unix socket),
 * which WHATWG URLs refuse: such a URL is read with a placeholder host, reported as none.
 */
function parseUrl(value: string): { host: string; password: string; params: URLSearchParams } | null {
  for (const [text, host] of [
    [value, (url: URL) => url.hostname],
    [value.replace('@/', '@no-host/'), () => ''],
  ] as const) {
    try {
      const url = new URL(text);
      return { host: host(url), password: url.password, params: url.searchParams };
    } catch {
      // try the next reading
    }
  }
  return null;
}

/** What must never be logged: the URL itself and its password, as written and decoded. */
export function postgresSecrets(value: string): string[] {
  const secrets = [value];
  const url = parseUrl(value);
  const password = url ? url.password || url.params.get('password') || '' : '';
  if (password) secrets.push(password, safeDecode(password));
  return secrets;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * A pool for the store's statements, or (`purpose: 'locks'`) for the connections that hold its
 * advisory locks (PostgresStore.withLock): `size` connections, each awaited at most `waitMs`.
 */
export function createPool(
  options: PostgresStoreOptions,
  { purpose = 'statements', size = options.poolSize ?? 10, waitMs = options.connectTimeoutMs ?? 5_000 } = {},
): pg.Pool {
  const { Pool } = require('pg') as typeof pg;
  const pool = new Pool({
    connectionString: options.url,
    max: size,
    connectionTimeoutMillis: waitMs,
    idleTimeoutMillis: 30_000,
    // A connection whose peer vanished (no FIN, no RST) is noticed by TCP keep-alive.
    keepAlive: true,
    application_name: purpose === 'locks' ? 'pay-with-bank-server (locks)' : 'pay-with-bank-server',
  });
  // Without a listener an idle connection's error (a database restart) would crash the process.
  pool.on('error', (error) => options.onIdleError?.(asStoreUnavailable(error)));
  return pool;
}

/**
 * SQLSTATE codes that mean the database is unreachable or going away, not that the statement was
 * wrong: connection exceptions (class 08), an administrator or crash shutdown, a server starting
 * up, too many connections, out of memory or disk.
 */
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[1-4]|53[0-9]{3}|58000|58030)$/;
/** Node socket errors on the way to the database. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT', // a Unix socket that is not there (the server is not running)
]);
/** node-postgres's own messages for a lost or unobtainable connection (they carry no code). */
const CLIENT_MESSAGES =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Query read timeout|Connection ended unexpectedly/i;

/** Whether `error` means the database cannot be reached now (so the operation may succeed later). */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.test(code) || SOCKET_CODES.has(code))) return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  return CLIENT_MESSAGES.test(error.message);
}

/** A short reason without host names, users or URLs: the error's code, or a fixed phrase. */
function reasonOf(error: unknown): string {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,20}$/.test(code)) return code;
  if (error instanceof AggregateError) return error.errors.map(reasonOf).join(', ');
  const message = error instanceof Error ? error.message : '';
  if (/timeout exceeded when trying to connect/i.test(message)) return 'connect timeout';
  if (/Query read timeout/i.test(message)) return 'query timeout';
  return 'connection lost';
}

export function asStoreUnavailable(error: unknown): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  return new StoreUnavailableError(`the PostgreSQL database is unavailable (${reasonOf(error)})`, { cause: error });
}

/** Connection errors become StoreUnavailableError; anything else is passed on as it is. */
export function toStoreError(error: unknown): unknown {
  return isConnectionError(error) ? asStoreUnavailable(error) : error;
}
