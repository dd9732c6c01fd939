/**
 * Configuration from environment variables, validated once at start. Every missing or invalid
 * variable yields one readable line naming the variable; secret values are never echoed.
 * The README's table documents every variable here.
 */
import { existsSync, statSync } from 'node:fs';
import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from './log.js';
import type { ConfiguredProvider } from './providers/plugin.js';
import { PROVIDER_PLUGINS } from './providers/plugins.js';
import { parseReturnUrlRule, type ReturnUrlRule } from './security/return-url.js';
import { isPostgresUrl, postgresSecrets, postgresUrlProblem } from './store/postgres-connection.js';
import { defaultDriver, type SqlDatabase } from './store/sqlite-driver.js';

type SqliteDriver = SqlDatabase['driver'];

export interface WebhookConfig {
  url: string;
  secret: string;
}

export interface Config {
  port: number;
  host: string;
  /** Public base URL of this server (provider callbacks, OpenAPI `servers`). */
  publicUrl: string;
  merchantApiKeys: string[];
  payeeName: string;
  /** Browser origins allowed to call the checkout API (CORS). */
  allowedOrigins: string[];
  returnUrlAllowlist: ReturnUrlRule[];
  /** SQLite file path, `:memory:`, or a PostgreSQL URL (`postgres://…`; a secret: never logged). */
  database: string;
  /** PostgreSQL connections at most, per server process (PWB_DATABASE_POOL). */
  databasePoolSize: number;
  /** SQLite driver: by Node version unless PWB_SQLITE_DRIVER says (see store/sqlite-driver.ts). */
  sqliteDriver: SqliteDriver;
  logLevel: LogLevel;
  /** Timeout of every provider call, in milliseconds. */
  providerTimeoutMs: number;
  /** Browser API requests per checkout session per minute (0 = unlimited). */
  rateLimitPerMinute: number;
  /** Payment attempts per checkout session (0 = unlimited). */
  maxAttemptsPerSession: number;
  /** Browser API requests + failed merchant authentications per client address per minute (0 = unlimited). */
  rateLimitPerAddressPerMinute: number;
  /** Header a trusted reverse proxy sets to the client address (lower case), or null: use the socket address. */
  trustedProxyHeader: string | null;
  webhook: WebhookConfig | null;
  /** Time limit of a request to a merchant's shipping URL (express checkout), in milliseconds. */
  shippingTimeoutMs: number;
  /**
   * Express checkout: days a final payment keeps the shopper's details after its last change, then
   * they are erased (with `payment.shopper_erased`); null: kept as long as the payment.
   */
  shopperRetentionDays: number | null;
  /** Each configured provider plugin with the configuration it parsed, in preference order. */
  providers: ConfiguredProvider[];
}

export class ConfigError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export type Env = Record<string, string | undefined>;

export const DEFAULT_DATABASE = './.data/pay-with-bank.sqlite';
const MIN_API_KEY_LENGTH = 32;
const MIN_WEBHOOK_SECRET_LENGTH = 16;

/** Split a comma-separated list, dropping empty items and surrounding whitespace. */
function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Per-variable zod schemas; their messages never include the value (secrets stay out of errors). */
const PortVar = z
  .string()
  .regex(/^\d+$/, 'must be an integer between 0 and 65535')
  .transform(Number)
  .pipe(z.number().max(65535, 'must be an integer between 0 and 65535'));
const HttpUrlVar = z.string().refine(isHttpUrl, 'must be an absolute http(s) URL');
const LogLevelVar = z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` });
const CountVar = z
  .string()
  .regex(/^\d+$/, 'must be a whole number (0 = unlimited)')
  .transform(Number)
  .pipe(z.number().max(1_000_000, 'must be at most 1000000'));
/** Well inside the 10 s a wallet provider waits for shipping options, leaving room for our own answer. */
export const DEFAULT_SHIPPING_TIMEOUT_MS = 4_000;
const ShippingTimeoutVar = z
  .string()
  .regex(/^\d+$/, 'must be an integer between 100 and 8000')
  .transform(Number)
  .pipe(z.number().min(100, 'must be at least 100').max(8_000, 'must be at most 8000'));
const RetentionDaysVar = z
  .string()
  .regex(/^\d+$/, 'must be a number of days between 1 and 3650')
  .transform(Number)
  .pipe(z.number().min(1, 'must be at least 1').max(3650, 'must be at most 3650'));
const PoolVar = z
  .string()
  .regex(/^\d+$/, 'must be an integer between 1 and 1000')
  .transform(Number)
  .pipe(z.number().min(1, 'must be at least 1').max(1000, 'must be at most 1000'));
const TimeoutVar = z
  .string()
  .regex(/^\d+$/, 'must be an integer between 100 and 120000')
  .transform(Number)
  .pipe(z.number().min(100, 'must be at least 100').max(120_000, 'must be at most 120000'));

/** Validate one variable with its schema; push `NAME message` on failure. */
/**
 * Why PWB_DATABASE cannot be used as a SQLite database, or null. The value is never echoed: a
 * database URL may carry a password.
 */
function sqliteDatabaseProblem(value: string): string | null {
  if (value === ':memory:' || value.startsWith('file:')) return null;
  if (value.trim() === '' || value.includes('\0')) return 'must be the path of a SQLite database file';
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme) {
    return `a ${scheme}:// URL is neither a PostgreSQL URL (postgres://…) nor a SQLite database file path (e.g. ./data/pay-with-bank.sqlite)`;
  }
  if (existsSync(value) && statSync(value).isDirectory()) {
    return 'is a directory; give the path of a SQLite database file (e.g. inside it: <dir>/pay-with-bank.sqlite)';
  }
  return null;
}

function check<T>(issues: string[], name: string, schema: z.ZodType<T, string>, raw: string): T | undefined {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  issues.push(`${name} ${result.error.issues[0]?.message ?? 'is invalid'}`);
  return undefined;
}

/** Load and validate the configuration. Throws ConfigError listing every problem at once. */
export function loadConfig(env: Env): Config {
  const issues: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  // Server basics
  const rawPort = get('PWB_PORT');
  const portValue = (rawPort === undefined ? 4020 : check(issues, 'PWB_PORT', PortVar, rawPort)) ?? 4020;
  const host = get('PWB_HOST') ?? '127.0.0.1';

  let publicUrl = get('PWB_PUBLIC_URL') ?? `http://${host.includes(':') ? `[${host}]` : host}:${portValue}`;
  if (check(issues, 'PWB_PUBLIC_URL', HttpUrlVar, publicUrl) !== undefined) publicUrl = publicUrl.replace(/\/+$/, '');

  const merchantApiKeys = list(env.PWB_MERCHANT_API_KEYS);
  if (merchantApiKeys.length === 0) {
    issues.push(
      `PWB_MERCHANT_API_KEYS is required: one or more comma-separated keys of at least ${MIN_API_KEY_LENGTH} characters`,
    );
  }
  merchantApiKeys.forEach((key, index) => {
    if (key.length < MIN_API_KEY_LENGTH) {
      issues.push(`PWB_MERCHANT_API_KEYS: key #${index + 1} is shorter than ${MIN_API_KEY_LENGTH} characters`);
    } else if (!/^[\x21-\x7e]+$/.test(key)) {
      issues.push(`PWB_MERCHANT_API_KEYS: key #${index + 1} must be printable ASCII without spaces`);
    }
  });

  const payeeName = get('PWB_PAYEE_NAME');
  if (!payeeName) issues.push('PWB_PAYEE_NAME is required: the name shoppers see as the payee');
  else if (payeeName.length > 70) issues.push('PWB_PAYEE_NAME must be at most 70 characters');

  const allowedOrigins: string[] = [];
  for (const origin of list(env.PWB_ALLOWED_ORIGINS)) {
    const parsed = isHttpUrl(origin) ? new URL(origin) : null;
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, '')) {
      issues.push(`PWB_ALLOWED_ORIGINS: "${origin}" is not an origin (scheme://host[:port], no path)`);
    } else {
      allowedOrigins.push(parsed.origin);
    }
  }

  const returnUrlAllowlist: ReturnUrlRule[] = [];
  const rawAllowlist = list(env.PWB_RETURN_URL_ALLOWLIST);
  if (rawAllowlist.length === 0) {
    issues.push('PWB_RETURN_URL_ALLOWLIST is required: comma-separated origins or URL prefixes shoppers may return to');
  }
  for (const entry of rawAllowlist) {
    try {
      returnUrlAllowlist.push(parseReturnUrlRule(entry));
    } catch (error) {
      issues.push(`PWB_RETURN_URL_ALLOWLIST: "${entry}" ${(error as Error).message}`);
    }
  }

  const database = get('PWB_DATABASE') ?? DEFAULT_DATABASE;
  const databaseProblem = isPostgresUrl(database) ? postgresUrlProblem(database) : sqliteDatabaseProblem(database);
  if (databaseProblem) issues.push(`PWB_DATABASE: ${databaseProblem}`);
  const rawPool = get('PWB_DATABASE_POOL');
  const databasePoolSize = (rawPool === undefined ? 10 : check(issues, 'PWB_DATABASE_POOL', PoolVar, rawPool)) ?? 10;
  const rawDriver = get('PWB_SQLITE_DRIVER');
  let sqliteDriver: SqliteDriver = defaultDriver();
  if (rawDriver === 'better-sqlite3') sqliteDriver = 'better-sqlite3';
  else if (rawDriver === 'node') sqliteDriver = 'node:sqlite';
  else if (rawDriver !== undefined) issues.push('PWB_SQLITE_DRIVER: must be better-sqlite3 or node');

  const rawLevel = get('PWB_LOG_LEVEL');
  const logLevel: LogLevel =
    (rawLevel === undefined ? 'info' : check(issues, 'PWB_LOG_LEVEL', LogLevelVar, rawLevel)) ?? 'info';

  const rawTimeout = get('PWB_PROVIDER_TIMEOUT_MS');
  const providerTimeoutMs =
    (rawTimeout === undefined ? 10_000 : check(issues, 'PWB_PROVIDER_TIMEOUT_MS', TimeoutVar, rawTimeout)) ?? 10_000;

  const rawRate = get('PWB_RATE_LIMIT_PER_MINUTE');
  const rateLimitPerMinute =
    (rawRate === undefined ? 240 : check(issues, 'PWB_RATE_LIMIT_PER_MINUTE', CountVar, rawRate)) ?? 240;
  const rawAttempts = get('PWB_RATE_LIMIT_ATTEMPTS_PER_SESSION');
  const maxAttemptsPerSession =
    (rawAttempts === undefined ? 20 : check(issues, 'PWB_RATE_LIMIT_ATTEMPTS_PER_SESSION', CountVar, rawAttempts)) ??
    20;

  const rawAddressRate = get('PWB_RATE_LIMIT_PER_ADDRESS_PER_MINUTE');
  const rateLimitPerAddressPerMinute =
    (rawAddressRate === undefined
      ? 600
      : check(issues, 'PWB_RATE_LIMIT_PER_ADDRESS_PER_MINUTE', CountVar, rawAddressRate)) ?? 600;
  const trustedProxyHeader = get('PWB_TRUSTED_PROXY_HEADER')?.toLowerCase() ?? null;
  if (trustedProxyHeader !== null && !/^[a-z0-9-]{1,64}$/.test(trustedProxyHeader)) {
    issues.push('PWB_TRUSTED_PROXY_HEADER must be a header name such as x-forwarded-for');
  }

  // Merchant notifications
  let webhook: WebhookConfig | null = null;
  const webhookUrl = get('PWB_WEBHOOK_URL');
  const webhookSecret = get('PWB_WEBHOOK_SECRET');
  if (webhookUrl || webhookSecret) {
    if (!webhookUrl) issues.push('PWB_WEBHOOK_URL is required when PWB_WEBHOOK_SECRET is set');
    else check(issues, 'PWB_WEBHOOK_URL', HttpUrlVar, webhookUrl);
    if (!webhookSecret) issues.push('PWB_WEBHOOK_SECRET is required when PWB_WEBHOOK_URL is set');
    else if (webhookSecret.length < MIN_WEBHOOK_SECRET_LENGTH) {
      issues.push(`PWB_WEBHOOK_SECRET must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters`);
    }
    if (webhookUrl && webhookSecret && isHttpUrl(webhookUrl) && webhookSecret.length >= MIN_WEBHOOK_SECRET_LENGTH) {
      webhook = { url: webhookUrl, secret: webhookSecret };
    }
  }

  const rawShippingTimeout = get('PWB_SHIPPING_TIMEOUT_MS');
  const shippingTimeoutMs =
    (rawShippingTimeout === undefined
      ? DEFAULT_SHIPPING_TIMEOUT_MS
      : check(issues, 'PWB_SHIPPING_TIMEOUT_MS', ShippingTimeoutVar, rawShippingTimeout)) ??
    DEFAULT_SHIPPING_TIMEOUT_MS;
  const rawRetention = get('PWB_SHOPPER_RETENTION_DAYS');
  const shopperRetentionDays =
    rawRetention === undefined
      ? null
      : (check(issues, 'PWB_SHOPPER_RETENTION_DAYS', RetentionDaysVar, rawRetention) ?? null);

  // Providers: each plugin reads its own variables.
  const providerIssuesBefore = issues.length;
  const providers: ConfiguredProvider[] = [];
  for (const plugin of PROVIDER_PLUGINS) {
    const loaded = plugin.loadConfig(env);
    issues.push(...loaded.issues);
    if (loaded.config !== null) providers.push({ plugin, config: loaded.config } as ConfiguredProvider);
  }
  // Only when nothing was attempted: a half-configured provider already has its own message.
  if (providers.length === 0 && issues.length === providerIssuesBefore) {
    const prefixes = PROVIDER_PLUGINS.map((p) => `PWB_${p.name.toUpperCase()}_*`).join(' or ');
    issues.push(`No payment provider is configured: set the ${prefixes} variables (see README)`);
  }

  if (issues.length > 0) throw new ConfigError(issues);
  return {
    port: portValue,
    host,
    publicUrl,
    merchantApiKeys,
    payeeName: payeeName!,
    allowedOrigins,
    returnUrlAllowlist,
    database,
    databasePoolSize,
    sqliteDriver,
    logLevel,
    providerTimeoutMs,
    rateLimitPerMinute,
    maxAttemptsPerSession,
    rateLimitPerAddressPerMinute,
    trustedProxyHeader,
    webhook,
    shippingTimeoutMs,
    shopperRetentionDays,
    providers,
  };
}

/** Values that must never appear in a log line, response or error message. */
export function configSecrets(config: Config): string[] {
  const secrets = [...config.merchantApiKeys];
  if (isPostgresUrl(config.database)) secrets.push(...postgresSecrets(config.database));
  if (config.webhook) secrets.push(config.webhook.secret);
  for (const { plugin, config: providerConfig } of config.providers) secrets.push(...plugin.secrets(providerConfig));
  return secrets;
}

/** The configuration a provider plugin parsed, by the plugin's name (null when it is not configured). */
export function providerConfig<C>(config: Config, name: string): C | null {
  return (config.providers.find((p) => p.plugin.name === name)?.config as C | undefined) ?? null;
}
