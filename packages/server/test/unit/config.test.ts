import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_DATABASE, configSecrets, loadConfig, providerConfig } from '../../src/config.js';
import { isValidIban, parsePayeeAccount, type MastercardConfig } from '../../src/providers/mastercard/index.js';
import { baseEnv, MC_CLIENT_SECRET, MERCHANT_KEY, WEBHOOK_SECRET } from '../helpers/config.js';

function issuesOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const env = baseEnv();
    delete env.PWB_DATABASE;
    delete env.PWB_LOG_LEVEL;
    delete env.PWB_MASTERCARD_BASE_URL;
    const config = loadConfig(env);
    expect(config).toMatchObject({
      port: 4020,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:4020',
      database: DEFAULT_DATABASE,
      databasePoolSize: 10,
      logLevel: 'info',
      providerTimeoutMs: 10_000,
      rateLimitPerMinute: 240,
      maxAttemptsPerSession: 20,
      webhook: null,
    });
    expect(providerConfig<MastercardConfig>(config, 'mastercard')).toMatchObject({
      baseUrl: 'https://api.nordicapigateway.com',
      accounts: {
        DKK: { kind: 'bban', bankCode: '1234', accountNumber: '0123456789' },
        EUR: { kind: 'iban', iban: 'DK5000400440116243' },
      },
    });
    expect(config.merchantApiKeys).toHaveLength(2);
  });

  it('reads every variable', () => {
    const config = loadConfig(
      baseEnv({
        PWB_PORT: '0',
        PWB_HOST: '0.0.0.0',
        PWB_PUBLIC_URL: 'https://pay.example/',
        PWB_ALLOWED_ORIGINS: 'https://shop.example, http://localhost:4030',
        PWB_RETURN_URL_ALLOWLIST: 'https://shop.example/checkout,http://localhost:4030',
        PWB_DATABASE: '/tmp/x.sqlite',
        PWB_LOG_LEVEL: 'debug',
        PWB_PROVIDER_TIMEOUT_MS: '2500',
        PWB_WEBHOOK_URL: 'https://shop.example/hooks/pwb',
        PWB_WEBHOOK_SECRET: WEBHOOK_SECRET,
        PWB_MASTERCARD_ACCOUNT_SEK: 'bban:5000:1234567',
        PWB_MASTERCARD_USER_HASH_SALT: 'pepper-and-salt',
        PWB_RATE_LIMIT_PER_MINUTE: '0',
        PWB_RATE_LIMIT_ATTEMPTS_PER_SESSION: '5',
      }),
    );
    expect(config.rateLimitPerMinute).toBe(0);
    expect(config.maxAttemptsPerSession).toBe(5);
    expect(config.port).toBe(0);
    expect(config.host).toBe('0.0.0.0');
    expect(config.publicUrl).toBe('https://pay.example');
    expect(config.allowedOrigins).toEqual(['https://shop.example', 'http://localhost:4030']);
    expect(config.returnUrlAllowlist).toHaveLength(2);
    expect(config.database).toBe('/tmp/x.sqlite');
    expect(config.logLevel).toBe('debug');
    expect(config.providerTimeoutMs).toBe(2500);
    expect(config.webhook).toEqual({ url: 'https://shop.example/hooks/pwb', secret: WEBHOOK_SECRET });
    expect(Object.keys(providerConfig<MastercardConfig>(config, 'mastercard')!.accounts).sort()).toEqual([
      'DKK',
      'EUR',
      'SEK',
    ]);
    expect(providerConfig<MastercardConfig>(config, 'mastercard')!.userHashSalt).toBe('pepper-and-salt');
  });

  it('lists every problem at once, one line per variable', () => {
    const issues = issuesOf({ PWB_PORT: 'eighty', PWB_LOG_LEVEL: 'loud', PWB_PUBLIC_URL: 'ftp://x' });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PWB_PORT /),
        expect.stringMatching(/^PWB_LOG_LEVEL /),
        expect.stringMatching(/^PWB_PUBLIC_URL /),
        expect.stringMatching(/^PWB_MERCHANT_API_KEYS is required/),
        expect.stringMatching(/^PWB_PAYEE_NAME is required/),
        expect.stringMatching(/^PWB_RETURN_URL_ALLOWLIST is required/),
        expect.stringMatching(/^No payment provider is configured/),
      ]),
    );
    expect(issues).toHaveLength(7);
  });

  it.each([
    ['PWB_PORT', '70000'],
    ['PWB_PORT', '-1'],
    ['PWB_PROVIDER_TIMEOUT_MS', '5'],
    ['PWB_RATE_LIMIT_PER_MINUTE', 'many'],
    ['PWB_RATE_LIMIT_ATTEMPTS_PER_SESSION', '-3'],
    ['PWB_ALLOWED_ORIGINS', 'https://shop.example/path'],
    ['PWB_ALLOWED_ORIGINS', 'shop.example'],
    ['PWB_RETURN_URL_ALLOWLIST', 'https://user:pw@shop.example/'],
    ['PWB_RETURN_URL_ALLOWLIST', 'https://shop.example/?a=1'],
    ['PWB_RETURN_URL_ALLOWLIST', 'javascript:alert(1)'],
    ['PWB_MASTERCARD_ACCOUNT_DKK', 'iban:DK5000400440116244'],
    ['PWB_MASTERCARD_ACCOUNT_DKK', 'acct:123'],
    ['PWB_MASTERCARD_ACCOUNT_DKK', 'bban:12 34:0123'],
    ['PWB_MASTERCARD_ACCOUNT_EUR', 'bban:1234:0123456789'],
    ['PWB_MASTERCARD_BASE_URL', 'not a url'],
    ['PWB_PAYEE_NAME', 'x'.repeat(71)],
  ])('rejects %s=%s naming the variable', (name, value) => {
    const issues = issuesOf(baseEnv({ [name]: value }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(new RegExp(`^${name}`));
  });

  it('requires merchant keys of at least 32 characters and never echoes them', () => {
    const shortKey = 'short-but-secret-key';
    const issues = issuesOf(baseEnv({ PWB_MERCHANT_API_KEYS: `${MERCHANT_KEY},${shortKey}` }));
    expect(issues).toEqual(['PWB_MERCHANT_API_KEYS: key #2 is shorter than 32 characters']);
    expect(issues.join('\n')).not.toContain(shortKey);
  });

  it('never echoes secret values in any message', () => {
    const secret = 'tiny-secret';
    let message = '';
    try {
      loadConfig(
        baseEnv({
          PWB_WEBHOOK_URL: 'https://shop.example/h',
          PWB_WEBHOOK_SECRET: secret,
          PWB_MASTERCARD_CLIENT_ID: undefined,
        }),
      );
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('PWB_WEBHOOK_SECRET must be at least 16 characters');
    expect(message).toContain('PWB_MASTERCARD_CLIENT_ID is required');
    expect(message).not.toContain(secret);
    expect(message).not.toContain(MC_CLIENT_SECRET);
  });

  it('needs webhook URL and secret together', () => {
    expect(issuesOf(baseEnv({ PWB_WEBHOOK_URL: 'https://shop.example/h' }))).toEqual([
      'PWB_WEBHOOK_SECRET is required when PWB_WEBHOOK_URL is set',
    ]);
    expect(issuesOf(baseEnv({ PWB_WEBHOOK_SECRET: WEBHOOK_SECRET }))).toEqual([
      'PWB_WEBHOOK_URL is required when PWB_WEBHOOK_SECRET is set',
    ]);
  });

  it('needs a complete Mastercard configuration once any part is set', () => {
    const issues = issuesOf(
      baseEnv({
        PWB_MASTERCARD_CLIENT_SECRET: undefined,
        PWB_MASTERCARD_ACCOUNT_DKK: undefined,
        PWB_MASTERCARD_ACCOUNT_EUR: undefined,
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        'PWB_MASTERCARD_CLIENT_SECRET is required when Mastercard is configured',
        expect.stringMatching(/^Mastercard needs at least one payee account/),
      ]),
    );
  });

  it('lists the values that must never be logged', () => {
    const config = loadConfig(
      baseEnv({ PWB_WEBHOOK_URL: 'https://shop.example/h', PWB_WEBHOOK_SECRET: WEBHOOK_SECRET }),
    );
    expect(configSecrets(config)).toEqual(expect.arrayContaining([MERCHANT_KEY, WEBHOOK_SECRET, MC_CLIENT_SECRET]));
  });
});

describe('payee accounts', () => {
  it('refuses a PWB_DATABASE that is neither a SQLite file path nor a PostgreSQL URL, in one line, never echoing the value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pwb-config-db-'));
    try {
      for (const [value, reason] of [
        ['postgres://pwb:s3cret-pw@[db.example:5432/pwb', /is not a valid PostgreSQL URL/],
        ['postgresql://pwb:s3cret-pw@/pwb', /names no host/],
        ['mysql://root:s3cret-pw@db.example/pwb', /a mysql:\/\/ URL is neither a PostgreSQL URL/],
        [dir, /is a directory/],
      ] as const) {
        const issues = issuesOf({ ...baseEnv(), PWB_DATABASE: value });
        expect(issues).toHaveLength(1);
        expect(issues[0]).toMatch(/^PWB_DATABASE: /);
        expect(issues[0]).toMatch(reason);
        expect(issues[0]).not.toContain('s3cret-pw');
        expect(issues[0]).not.toMatch(/\n/);
      }
      for (const value of [':memory:', join(dir, 'pay.sqlite'), './relative/pay.sqlite']) {
        expect(loadConfig({ ...baseEnv(), PWB_DATABASE: value }).database).toBe(value);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes a PostgreSQL URL (and its pool size), and keeps its password out of the logs', () => {
    for (const value of [
      'postgres://pwb:s3cret%2Fpw@db.example:5432/pwb?sslmode=require',
      'POSTGRESQL://db.example/pwb',
      'postgres://pwb@/pwb?host=/var/run/postgresql',
    ]) {
      expect(loadConfig({ ...baseEnv(), PWB_DATABASE: value })).toMatchObject({
        database: value,
        databasePoolSize: 10,
      });
    }
    const config = loadConfig({
      ...baseEnv(),
      PWB_DATABASE: 'postgres://pwb:s3cret%2Fpw@db.example:5432/pwb',
      PWB_DATABASE_POOL: '25',
    });
    expect(config.databasePoolSize).toBe(25);
    expect(configSecrets(config)).toEqual(
      expect.arrayContaining(['postgres://pwb:s3cret%2Fpw@db.example:5432/pwb', 's3cret%2Fpw', 's3cret/pw']),
    );
    // A SQLite path is not a secret.
    expect(configSecrets(loadConfig(baseEnv({ PWB_DATABASE: '/tmp/x.sqlite' })))).not.toContain('/tmp/x.sqlite');
    for (const pool of ['0', '1001', 'ten']) {
      expect(issuesOf({ ...baseEnv(), PWB_DATABASE_POOL: pool })).toEqual([
        expect.stringMatching(/^PWB_DATABASE_POOL must be (at least 1|at most 1000|an integer between 1 and 1000)$/),
      ]);
    }
  });

  it('chooses the SQLite driver by Node version unless PWB_SQLITE_DRIVER says, and refuses other values', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(loadConfig(baseEnv()).sqliteDriver).toBe(major >= 24 ? 'node:sqlite' : 'better-sqlite3');
    expect(loadConfig({ ...baseEnv(), PWB_SQLITE_DRIVER: 'node' }).sqliteDriver).toBe('node:sqlite');
    expect(loadConfig({ ...baseEnv(), PWB_SQLITE_DRIVER: 'better-sqlite3' }).sqliteDriver).toBe('better-sqlite3');
    expect(issuesOf({ ...baseEnv(), PWB_SQLITE_DRIVER: 'postgres' })).toEqual([
      'PWB_SQLITE_DRIVER: must be better-sqlite3 or node',
    ]);
  });

  it('validates IBAN check digits', () => {
    expect(isValidIban('DK5000400440116243')).toBe(true);
    expect(isValidIban('DE89370400440532013000')).toBe(true);
    expect(isValidIban('DE89370400440532013001')).toBe(false);
  });
  it('parses iban and bban forms', () => {
    expect(parsePayeeAccount('iban:dk50 0040 0440 1162 43')).toEqual({ kind: 'iban', iban: 'DK5000400440116243' });
    expect(parsePayeeAccount('bban:1234:0123456789')).toEqual({
      kind: 'bban',
      bankCode: '1234',
      accountNumber: '0123456789',
    });
    expect(typeof parsePayeeAccount('bban:1234')).toBe('string');
  });
});
