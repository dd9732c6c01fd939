/**
 * The packed tarball is a working npm package on its own (issue 7): `pnpm pack` (whose prepack step
 * rebuilds protocol + server when dist/ is missing or stale), `npm install <tarball>` into an empty
 * project, then the `pay-with-bank-server` bin answers /healthz and creates a session, and a
 * TypeScript consumer type-checks against the shipped .d.ts files. The workspace-only
 * `@pay-with-bank/protocol` must not leak into the tarball: the build vendors it into dist/vendor/.
 *
 * Slow on purpose: npm fetches the dependencies from the registry and compiles better-sqlite3 from
 * source (1–3 minutes on a 2-core machine; Node 24+ would use node:sqlite at run time all the same).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const serverDir = fileURLToPath(new URL('../..', import.meta.url));
const workspaceRoot = join(serverDir, '..', '..');
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const API_KEY = 'pack-test-merchant-key-0123456789abcdef';

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment for npm: without the pnpm variables of the runner around this test. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_(?!config_)|pnpm_|PNPM_)/.test(key) || key === 'npm_config_user_agent') continue;
    env[key] = value;
  }
  // better-sqlite3 compiles from source here (no prebuilt download): against the local Node headers,
  // the way scripts/setup.sh does it.
  if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
  return env;
}

function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
  timeout = INSTALL_TIMEOUT_MS,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function runOk(...args: Parameters<typeof run>): Promise<RunResult> {
  const result = await run(...args);
  if (result.code !== 0) {
    throw new Error(`${args[0]} ${args[1].join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** Resolves with the URL of the first `listening` log line (PWB_PORT=0 picks a free port). */
function listeningUrl(child: ChildProcess, output: { text: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`no 'listening' line within 30 s:\n${output.text}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'listening' && entry.url) {
            clearTimeout(timer);
            resolve(entry.url);
          }
        } catch {
          // not a log line
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening:\n${output.text}`));
    });
  });
}

describe('the packed @pay-with-bank/server tarball', () => {
  let work: string;
  let project: string;
  let tarball: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'pwb-pack-'));
    await runOk('pnpm', ['pack', '--pack-destination', work], serverDir);
    const packed = readdirSync(work).filter((name) => name.endsWith('.tgz'));
    expect(packed).toHaveLength(1);
    tarball = join(work, packed[0]!);

    project = join(work, 'project');
    mkdirSync(project);
    // npm 11 asks for an approval of dependency install scripts (better-sqlite3 compiles in one).
    const manifest = { name: 'merchant', private: true, type: 'module', allowScripts: { 'better-sqlite3': true } };
    writeFileSync(join(project, 'package.json'), JSON.stringify(manifest));
    await runOk('npm', ['install', '--no-audit', '--no-fund', tarball], project, npmEnv());
  }, INSTALL_TIMEOUT_MS);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds the build only: dist/ (no source maps, tests or sources), README and package.json', async () => {
    const { stdout } = await runOk('tar', ['-tzf', tarball], work);
    const entries = stdout.split('\n').filter((line) => line !== '' && !line.endsWith('/'));
    const unexpected = entries.filter(
      (entry) =>
        !/^package\/(package\.json|README\.md|LICENSE)$/.test(entry) && !/^package\/dist\/.+\.(js|d\.ts)$/.test(entry),
    );
    expect(unexpected).toEqual([]);
    expect(entries).toContain('package/dist/cli.js');
    expect(entries).toContain('package/dist/vendor/protocol/index.js');
    expect(entries.some((entry) => /\.test\.|\/test\/|\/src\//.test(entry))).toBe(false);

    const installed = join(project, 'node_modules', '@pay-with-bank', 'server');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      exports: Record<string, Record<string, string>>;
    };
    expect(Object.keys(manifest.dependencies)).not.toContain('@pay-with-bank/protocol');
    expect(JSON.stringify(manifest.dependencies)).not.toContain('workspace:');
    // The workspace's `source` condition points at src/, which is not packed.
    for (const conditions of Object.values(manifest.exports)) expect(Object.keys(conditions)).not.toContain('source');
    expect(readFileSync(join(installed, 'dist', 'cli.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it('starts from node_modules/.bin/pay-with-bank-server, answers /healthz and creates a session', async () => {
    const env = {
      PATH: process.env.PATH,
      PWB_PORT: '0',
      PWB_DATABASE: join(work, 'pay-with-bank.sqlite'),
      PWB_MERCHANT_API_KEYS: API_KEY,
      PWB_PAYEE_NAME: 'Pack Test ApS',
      PWB_ALLOWED_ORIGINS: 'http://localhost:4030',
      PWB_RETURN_URL_ALLOWLIST: 'http://localhost:4030/checkout',
      // Creating a session does not call the provider: any URL will do.
      PWB_MASTERCARD_BASE_URL: 'http://127.0.0.1:9/mastercard',
      PWB_MASTERCARD_CLIENT_ID: 'sandbox-client-id',
      PWB_MASTERCARD_CLIENT_SECRET: 'sandbox-client-secret',
      PWB_MASTERCARD_ACCOUNT_DKK: 'bban:1234:0123456789',
    };
    const child = spawn(join(project, 'node_modules', '.bin', 'pay-with-bank-server'), [], {
      cwd: project,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { text: '' };
    child.stdout.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await listeningUrl(child, output);

      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });

      const created = await fetch(`${url}/v1/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          amount: { value: 12_500, currency: 'DKK' },
          reference: 'order-pack-1',
          description: 'Pack test',
          returnUrl: 'http://localhost:4030/checkout/done',
        }),
      });
      const body = (await created.json()) as { session?: { id: string; state: string }; clientToken?: string };
      expect(created.status, JSON.stringify(body)).toBe(201);
      expect(body.session).toMatchObject({ id: expect.stringMatching(/^cs_/), state: 'open' });
      expect(body.clientToken).toMatch(/^pwb_ct_/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, output.text).toBe(0); // SIGTERM: a clean shutdown
  }, 60_000);

  it('`npx pay-with-bank-server` in the project runs the installed bin (bad configuration → exit 1)', async () => {
    const result = await run(
      'npx',
      ['--no', 'pay-with-bank-server'],
      project,
      { PATH: process.env.PATH, HOME: work },
      60_000,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('pay-with-bank-server: Invalid configuration');
    expect(result.stderr).toContain('PWB_MERCHANT_API_KEYS is required');
  }, 60_000);

  it('imports in plain Node: the webhooks entry point shares the main one’s function', async () => {
    const script = [
      "const main = await import('@pay-with-bank/server');",
      "const webhooks = await import('@pay-with-bank/server/webhooks');",
      'console.log(typeof main.createServer, main.constructWebhookEvent === webhooks.constructWebhookEvent);',
    ].join('\n');
    const { stdout } = await runOk(process.execPath, ['--input-type=module', '-e', script], project, {
      PATH: process.env.PATH,
    });
    expect(stdout.trim()).toBe('function true');
  }, 60_000);

  it('type-checks a TypeScript consumer (moduleResolution nodenext) against the shipped .d.ts', async () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          // The workspace's @types/node: the consumer project installs none of its own.
          typeRoots: [join(workspaceRoot, 'node_modules', '@types')],
        },
        files: ['consumer.ts'],
      }),
    );
    writeFileSync(
      join(project, 'consumer.ts'),
      [
        "import { createServer, constructWebhookEvent, loadConfig, type PayWithBankServer } from '@pay-with-bank/server';",
        "import { constructWebhookEvent as fromWebhooks, WebhookVerificationError } from '@pay-with-bank/server/webhooks';",
        '',
        'export const server: PayWithBankServer = createServer(loadConfig(process.env));',
        'export const handler: (request: Request) => Promise<Response> = server.fetch;',
        "export const event = fromWebhooks('{}', new Headers(), 'a-webhook-secret');",
        'export const same: typeof constructWebhookEvent = fromWebhooks;',
        'export const amount: number = event.payment.amount.value;',
        '// The types come through (from the vendored protocol), they are not `any`:',
        '// @ts-expect-error an event id is a string',
        'export const wrong: number = event.id;',
        "// @ts-expect-error 'NOK!' is not a currency",
        "export const currency: typeof event.payment.amount.currency = 'NOK!';",
        'export const isVerificationError = (error: unknown) => error instanceof WebhookVerificationError;',
        '',
      ].join('\n'),
    );
    const tsc = join(workspaceRoot, 'node_modules', '.bin', 'tsc');
    const result = await run(tsc, ['-p', 'tsconfig.json'], project, process.env, 120_000);
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.code).toBe(0);
  }, 120_000);
});
