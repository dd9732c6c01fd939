// The processes of the load benchmarks (bench/load.mjs, bench/scale-out.mjs): the provider sandbox
// and companion server instances as child processes (`node … cli.ts`, configured by environment,
// on free loopback ports, their URL read from their start line), and the merchant's webhook
// receiver in this process.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MERCHANT_KEY = `mk_bench_${randomBytes(16).toString('hex')}`;
export const WEBHOOK_SECRET = `whsec_bench_${randomBytes(8).toString('hex')}`;

const children = new Set();

/**
 * `node --conditions=source --import tsx <script>` with only `env` (and PATH, HOME), its output
 * drained for the whole run; `url` resolves with what `ready` finds in an output line, and
 * `problems` collects the warn/error log lines (a run should have none).
 */
export function startChild(name, script, env, ready, { cwd = ROOT, startTimeoutMs = 30_000 } = {}) {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise((done) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      done({ code, signal });
    }),
  );
  const problems = [];
  const tail = [];
  const url = new Promise((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${startTimeoutMs / 1000} s:\n${tail.join('\n')}`)),
      startTimeoutMs,
    );
    const onLine = (line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      // Warnings and errors the server logs during the run are reported (they should be none).
      if (/"level":"(warn|error)"/.test(line)) problems.push(line);
      const found = ready(line);
      if (found) {
        clearTimeout(timer);
        resolveUrl(found);
      }
    };
    // Keep draining both pipes for the whole run so the child never blocks on a full pipe.
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${JSON.stringify(exit)}):\n${tail.join('\n')}`));
    });
  });
  url.catch(() => {}); // awaited by the caller; never an unhandled rejection when it is not
  return {
    child,
    exited,
    problems,
    url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const exit = await exited;
      clearTimeout(force);
      return exit;
    },
  };
}

/** On exit or Ctrl-C, SIGKILL whatever startChild started and is still running. */
export function killChildrenOnExit() {
  const killChildren = () => {
    for (const child of children) child.kill('SIGKILL');
  };
  process.once('SIGINT', () => {
    killChildren();
    process.exit(130);
  });
  process.once('exit', killChildren);
}

/** The provider sandbox (`packages/sandbox/src/cli.ts`) on a free port. */
export function startSandbox(options = {}) {
  return startChild(
    'sandbox',
    'packages/sandbox/src/cli.ts',
    { PWB_SANDBOX_PORT: '0', PWB_SANDBOX_HOST: '127.0.0.1' },
    (line) => /listening on (http:\/\/\S+)/.exec(line)?.[1] ?? null,
    options,
  );
}

/**
 * A companion server (`packages/server/src/cli.ts` under `options.cwd`, default this checkout) on
 * `database`, Mastercard at the sandbox, notifications to `webhookUrl`, rate limits off unless
 * `rateLimits` (then counted, with budgets no run reaches). Options: startChild's.
 */
export function startServer(name, { database, sandboxUrl, webhookUrl, rateLimits = false }, options = {}) {
  const env = {
    PWB_PORT: '0', // any free port; the URL is read from the server's `listening` log line
    PWB_HOST: '127.0.0.1',
    PWB_MERCHANT_API_KEYS: MERCHANT_KEY,
    PWB_PAYEE_NAME: 'Nordic Goods ApS',
    PWB_RETURN_URL_ALLOWLIST: 'https://shop.example/checkout',
    PWB_DATABASE: database,
    PWB_LOG_LEVEL: 'info',
    // Generous limits: the benchmark measures the server, not its abuse protection.
    PWB_RATE_LIMIT_PER_MINUTE: rateLimits ? '1000000' : '0',
    PWB_RATE_LIMIT_ATTEMPTS_PER_SESSION: '0',
    PWB_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: rateLimits ? '1000000' : '0',
    PWB_MASTERCARD_BASE_URL: `${sandboxUrl}/mastercard`,
    PWB_MASTERCARD_CLIENT_ID: 'sandbox-client-id',
    PWB_MASTERCARD_CLIENT_SECRET: 'sandbox-client-secret',
    PWB_MASTERCARD_ACCOUNT_DKK: 'bban:1234:0123456789',
    PWB_WEBHOOK_URL: webhookUrl,
    PWB_WEBHOOK_SECRET: WEBHOOK_SECRET,
  };
  const listening = (line) => {
    if (!line.includes('"listening"')) return null;
    try {
      return JSON.parse(line).url ?? null;
    } catch {
      return null;
    }
  };
  return startChild(name, 'packages/server/src/cli.ts', env, listening, options);
}

/** The merchant's webhook endpoint: answers 204 to everything and counts what it received. */
export async function startWebhookReceiver() {
  let received = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(204).end();
    });
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks/pwb`,
    get received() {
      return received;
    },
    close() {
      server.close();
      server.closeAllConnections();
    },
  };
}

/** A free loopback port, chosen by the OS. */
export function freePort() {
  return new Promise((done, fail) => {
    const probe = createTcpServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}
