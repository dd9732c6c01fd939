#!/usr/bin/env node
// Scale-out benchmark: sustained mixed checkout load against 1 and then 3 companion server instances
// on one PostgreSQL database, and the ratio.
//
// Starts a throwaway PostgreSQL cluster (initdb/pg_ctl from /usr/lib/postgresql/<v>/bin, as the
// `postgres` user when run as root, on a free loopback port, PostgreSQL's default durability) unless
// PWB_BENCH_POSTGRES=postgres://… names a server to use, the provider sandbox as a child process,
// and for each instance count N a fresh schema with N server processes (`cli.ts`) on it. The load
// generator spreads its requests over the instances round robin (as a load balancer would) and runs
// the workload of bench/load.mjs for the given time: create session (merchant API) → [read the
// checkout session] → start payment (bank chosen) → refresh; a quarter of the shoppers confirm at the
// sandbox's hosted pages and come back to refresh until completed; now and then the merchant reads a
// session or lists payments. Prints, per N: requests/s, p50/p99 latency, errors (any non-2xx or
// network error; must be 0), checkouts, notifications; then the throughput ratio N=3 / N=1.
// Everything runs on this machine: with fewer cores than processes the instances share the CPU,
// which the ratio shows (it measures that N instances stay correct and cost little, not the
// capacity of N machines). Traffic goes to 127.0.0.1 only.
//
// Usage: node bench/scale-out.mjs [seconds=30] [--instances 1,3] [--json FILE]
//   (env PWB_BENCH_CONCURRENCY, default 24; PWB_BENCH_POSTGRES to use a running PostgreSQL)
import { Buffer } from 'node:buffer';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { URLSearchParams, fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: node bench/scale-out.mjs [seconds=30] [--instances 1,3] [--json FILE]   (seconds 5–3600)';
let seconds = 30;
let counts = [1, 3];
let jsonFile = null;
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i];
  const value = () => process.argv[++i] ?? (console.error(`${arg} needs a value\n${USAGE}`), process.exit(2));
  if (arg === '--instances') counts = value().split(',').map(Number);
  else if (arg === '--json') jsonFile = resolve(value());
  else if (/^\d+(\.\d+)?$/.test(arg)) seconds = Number(arg);
  else {
    console.error(`unknown argument ${arg}\n${USAGE}`);
    process.exit(2);
  }
}
const concurrency = Number(process.env.PWB_BENCH_CONCURRENCY ?? 24);
if (!Number.isFinite(seconds) || seconds < 5 || seconds > 3600) {
  console.error(USAGE);
  process.exit(2);
}
if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n < 1 || n > 16)) {
  console.error('--instances takes a comma-separated list of 1–16');
  process.exit(2);
}
if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
  console.error('PWB_BENCH_CONCURRENCY must be an integer between 1 and 256');
  process.exit(2);
}

const require = createRequire(join(ROOT, 'packages/server/package.json'));
const pg = require('pg');
const MERCHANT_KEY = `mk_bench_${randomBytes(16).toString('hex')}`;
const WEBHOOK_SECRET = `whsec_bench_${randomBytes(8).toString('hex')}`;
const RETURN_URL = 'https://shop.example/checkout/return';
const BANKS = ['DK_TestBank', 'DK_Nordbank', 'DK_Fjordbank'];
const SHOPPER_PAYS = 0.25;

// ------------------------------------------------------------------------------------------------
// Child processes

const children = new Set();

function startChild(name, script, env, ready) {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script], {
    cwd: ROOT,
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
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s:\n${tail.join('\n')}`)), 60_000);
    const onLine = (line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      if (/"level":"(warn|error)"/.test(line)) problems.push(line);
      const found = ready(line);
      if (found) {
        clearTimeout(timer);
        resolveUrl(found);
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${JSON.stringify(exit)}):\n${tail.join('\n')}`));
    });
  });
  url.catch(() => {});
  return {
    child,
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

function killChildren() {
  for (const child of children) child.kill('SIGKILL');
}
process.once('SIGINT', () => {
  killChildren();
  process.exit(130);
});
process.once('exit', killChildren);

function freePort() {
  return new Promise((done, fail) => {
    const probe = createTcpServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

// ------------------------------------------------------------------------------------------------
// PostgreSQL: a throwaway cluster (the recipe of packages/server/test/helpers/postgres.ts)

function postgresBin() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const version = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a))[0];
  return version ? join(root, version, 'bin') : null;
}

function asPostgresUser(command, args) {
  const root = process.getuid?.() === 0;
  const result = spawnSync(root ? 'runuser' : command, root ? ['-u', 'postgres', '--', command, ...args] : args, {
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`${command} ${args[0]} failed:\n${(result.stderr || result.stdout).slice(-1500)}`);
}

async function startPostgres() {
  const bin = postgresBin();
  if (!bin) {
    throw new Error(
      'PostgreSQL is not installed: apt-get install postgresql (or set PWB_BENCH_POSTGRES=postgres://… to use a running server)',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'pwb-bench-pg-'));
  chmodSync(dir, 0o711);
  if (process.getuid?.() === 0) {
    const [, , uid, gid] = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'))
      .split(':');
    chownSync(dir, Number(uid), Number(gid));
  }
  const data = join(dir, 'data');
  const port = await freePort();
  asPostgresUser(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'pwb', '-E', 'UTF8']);
  asPostgresUser(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`,
    '-l',
    join(dir, 'log'),
    '-w',
    'start',
  ]);
  return {
    url: `postgres://pwb@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        asPostgresUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** `url` with a new, empty schema as its search_path. */
async function freshSchema(url, name) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${name}`);
  return u.toString();
}

async function query(url, text) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

// ------------------------------------------------------------------------------------------------
// HTTP client and the workload (bench/load.mjs's, spread over the instances)

// Idle keep-alive sockets are dropped after 4 s, before the server's 5 s keepAliveTimeout closes them:
// otherwise a request sent on a socket the server is closing at that moment fails (ECONNRESET), and
// with several instances each socket idles longer between requests.
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency * 2, timeout: 4_000 });

function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolveResponse, reject) => {
    const target = new URL(url);
    if (target.hostname !== '127.0.0.1') return reject(new Error(`refusing non-loopback target ${target.origin}`));
    const req = http.request(target, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolveResponse({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function shopperConfirms(sandboxUrl, redirectUrl) {
  const step = async (url, init, expected) => {
    const res = await request(url, init);
    if (res.status !== expected)
      throw new Error(`sandbox ${init?.method ?? 'GET'} ${new URL(url).pathname} → ${res.status}`);
    return res;
  };
  const start = new URL(redirectUrl);
  const token = start.searchParams.get('startToken');
  const paymentId = start.searchParams.get('paymentId');
  const form = (fields) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, ...fields }).toString(),
  });
  const action = (name) => `${sandboxUrl}/mastercard/auth/payment/${encodeURIComponent(paymentId)}/${name}`;
  await step(redirectUrl, undefined, 200);
  const login = await step(action('login'), form({ userId: 'shopper', otp: '123456' }), 303);
  const accounts = new URL(login.headers.location, sandboxUrl);
  await step(accounts.href, undefined, 200);
  const bankSession = accounts.searchParams.get('bankSession');
  await step(action('confirm'), form({ ...(bankSession ? { bankSession } : {}), accountId: 'everyday' }), 303);
}

/** One run: `urls` (the instances) under load for `seconds`; returns its figures. */
async function runLoad(urls, sandboxUrl, label) {
  const latencies = [];
  let networkErrors = 0; // requests that got no answer at all (no latency recorded)
  const errors = new Map();
  const errorSamples = [];
  let next = 0;
  const pick = () => urls[next++ % urls.length];
  const countError = (kind, detail) => {
    errors.set(kind, (errors.get(kind) ?? 0) + 1);
    if (errorSamples.length < 10) errorSamples.push(`${kind}: ${detail}`);
  };
  const api = async (kind, method, path, bearer, body) => {
    const started = performance.now();
    let response;
    try {
      response = await request(`${pick()}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${bearer}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      networkErrors++;
      countError(kind, `network: ${error.message}`);
      return null;
    }
    latencies.push(performance.now() - started);
    if (response.status < 200 || response.status > 299) {
      countError(kind, `HTTP ${response.status} ${response.text.slice(0, 200)}`);
      return null;
    }
    return JSON.parse(response.text);
  };

  const journeys = { started: 0, paidAtBank: 0, completed: 0 };
  const returns = [];
  let sequence = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;

  async function newCheckout() {
    journeys.started++;
    const n = ++sequence;
    const created = await api('create_session', 'POST', '/v1/sessions', MERCHANT_KEY, {
      amount: { value: 1000 + (n % 90000), currency: 'DKK' },
      reference: `SCALE-${label}-${n}`,
      description: 'Scale-out benchmark order',
      returnUrl: RETURN_URL,
    });
    if (!created) return;
    const token = created.clientToken;
    if (Math.random() < 0.3) await api('read_session', 'GET', '/v1/checkout/session', token);
    const start = await api('start_payment', 'POST', '/v1/checkout/payments', token, {
      method: 'bank',
      attemptId: `attempt-${n}-${randomBytes(4).toString('hex')}`,
      bankId: BANKS[n % BANKS.length],
    });
    if (!start) return;
    const refreshPath = `/v1/checkout/payments/${start.payment.id}/refresh`;
    await api('refresh', 'POST', refreshPath, token);
    if (Math.random() < SHOPPER_PAYS) {
      try {
        await shopperConfirms(sandboxUrl, start.redirectUrl);
        journeys.paidAtBank++;
        returns.push({ token, refreshPath, dueAt: performance.now() + 1100, tries: 0 });
      } catch (error) {
        countError('sandbox', error.message);
      }
    } else if (Math.random() < 0.5) {
      await api('refresh', 'POST', refreshPath, token);
    }
    if (Math.random() < 0.1) await api('merchant_session', 'GET', `/v1/sessions/${created.session.id}`, MERCHANT_KEY);
    if (Math.random() < 0.05) await api('list_payments', 'GET', '/v1/payments?limit=20', MERCHANT_KEY);
  }

  async function shopperReturns(entry) {
    const body = await api('refresh', 'POST', entry.refreshPath, entry.token);
    if (!body) return;
    if (body.payment.status === 'completed') journeys.completed++;
    else if (++entry.tries < 3) returns.push({ ...entry, dueAt: performance.now() + 1100 });
    else countError('outcome', `${entry.refreshPath} still ${body.payment.status} after 3 refreshes`);
  }

  async function worker() {
    while (performance.now() < deadline) {
      const due = returns.findIndex((r) => r.dueAt <= performance.now());
      if (due >= 0) await shopperReturns(returns.splice(due, 1)[0]);
      else await newCheckout();
    }
  }

  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - started;
  const sorted = latencies.sort((a, b) => a - b);
  const errorCount = [...errors.values()].reduce((s, n) => s + n, 0);
  return {
    instances: urls.length,
    seconds: elapsedMs / 1000,
    requests: sorted.length + networkErrors,
    requestsPerSecond: sorted.length / (elapsedMs / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    errors: errorCount,
    errorsByKind: Object.fromEntries(errors),
    errorSamples,
    checkouts: journeys,
  };
}

// ------------------------------------------------------------------------------------------------
// Run

let webhooksReceived = 0;
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    webhooksReceived++;
    res.writeHead(204).end();
  });
});
await new Promise((done) => receiver.listen(0, '127.0.0.1', done));

let postgres = null;
let sandbox;
const results = [];
let exitCode = 0;
try {
  const serverUrl = process.env.PWB_BENCH_POSTGRES ?? (postgres = await startPostgres()).url;
  sandbox = startChild(
    'sandbox',
    'packages/sandbox/src/cli.ts',
    { PWB_SANDBOX_PORT: '0', PWB_SANDBOX_HOST: '127.0.0.1' },
    (line) => /listening on (http:\/\/\S+)/.exec(line)?.[1] ?? null,
  );
  const sandboxUrl = await sandbox.url;
  console.log(
    `scale-out: ${seconds} s per run, ${concurrency} in flight, instances ${counts.join(' then ')}, PostgreSQL ${postgres ? 'throwaway cluster' : 'PWB_BENCH_POSTGRES'}`,
  );

  for (const n of counts) {
    const schema = `pwb_bench_${n}_${Date.now()}`;
    const database = await freshSchema(serverUrl, schema);
    const servers = Array.from({ length: n }, (_, i) =>
      startChild(
        `server ${i + 1}`,
        'packages/server/src/cli.ts',
        {
          PWB_PORT: '0',
          PWB_HOST: '127.0.0.1',
          PWB_MERCHANT_API_KEYS: MERCHANT_KEY,
          PWB_PAYEE_NAME: 'Nordic Goods ApS',
          PWB_RETURN_URL_ALLOWLIST: 'https://shop.example/checkout',
          PWB_DATABASE: database,
          PWB_LOG_LEVEL: 'info',
          PWB_RATE_LIMIT_PER_MINUTE: '0',
          PWB_RATE_LIMIT_ATTEMPTS_PER_SESSION: '0',
          PWB_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
          PWB_MASTERCARD_BASE_URL: `${sandboxUrl}/mastercard`,
          PWB_MASTERCARD_CLIENT_ID: 'sandbox-client-id',
          PWB_MASTERCARD_CLIENT_SECRET: 'sandbox-client-secret',
          PWB_MASTERCARD_ACCOUNT_DKK: 'bban:1234:0123456789',
          PWB_WEBHOOK_URL: `http://127.0.0.1:${receiver.address().port}/hooks/pwb`,
          PWB_WEBHOOK_SECRET: WEBHOOK_SECRET,
        },
        (line) => {
          if (!line.includes('"listening"')) return null;
          try {
            return JSON.parse(line).url ?? null;
          } catch {
            return null;
          }
        },
      ),
    );
    const urls = await Promise.all(servers.map((s) => s.url));
    const webhooksBefore = webhooksReceived;
    const result = await runLoad(urls, sandboxUrl, `${n}`);
    // Let the outbox catch up, then count what it recorded and delivered.
    let outbox;
    for (let i = 0; i < 30; i++) {
      [outbox] = await query(
        database,
        'SELECT count(*)::int AS recorded, count(delivered_at)::int AS delivered FROM outbox',
      );
      if (outbox.delivered === outbox.recorded) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const [providerCalls] = await query(
      database,
      'SELECT count(*)::int AS payments, count(*) FILTER (WHERE provider_payment_id IS NOT NULL)::int AS created FROM payments',
    );
    const exits = [];
    for (const s of servers) exits.push(await s.stop());
    result.notifications = { ...outbox, received: webhooksReceived - webhooksBefore };
    result.payments = providerCalls;
    result.serverWarnings = servers.reduce((sum, s) => sum + s.problems.length, 0);
    result.warningSamples = servers.flatMap((s) => s.problems).slice(0, 3);
    result.exits = exits;
    results.push(result);
    const fmt = (ms) => (Number.isNaN(ms) ? '-' : ms.toFixed(1));
    console.log('');
    console.log(`${n} instance${n > 1 ? 's' : ''} on one PostgreSQL`);
    console.log(
      `  requests            ${result.requests} in ${result.seconds.toFixed(1)} s: ${result.requestsPerSecond.toFixed(1)} req/s`,
    );
    console.log(`  latency (ms)        p50 ${fmt(result.p50)}, p99 ${fmt(result.p99)}`);
    console.log(
      `  errors              ${result.errors}${result.errors ? ` ${JSON.stringify(result.errorsByKind)}` : ''}`,
    );
    console.log(
      `  checkouts           ${result.checkouts.started} started, ${result.checkouts.paidAtBank} paid at the bank, ${result.checkouts.completed} seen completed`,
    );
    console.log(
      `  notifications       ${result.notifications.recorded} recorded, ${result.notifications.delivered} delivered, ${result.notifications.received} received (again with the same id: ${result.notifications.received - result.notifications.delivered})`,
    );
    console.log(`  server warnings     ${result.serverWarnings}; stopped with ${JSON.stringify(exits)}`);
    if (result.errorSamples.length) console.log(`  first errors:\n    ${result.errorSamples.join('\n    ')}`);
    if (result.warningSamples.length) console.log(`  first warnings:\n    ${result.warningSamples.join('\n    ')}`);
    if (result.errors > 0) exitCode = 1;
  }

  if (results.length >= 2) {
    const [base, ...others] = results;
    console.log('');
    for (const other of others) {
      console.log(
        `ratio ${other.instances}/${base.instances} instances: throughput ${(other.requestsPerSecond / base.requestsPerSecond).toFixed(2)}×, p50 ${(other.p50 / base.p50).toFixed(2)}×, p99 ${(other.p99 / base.p99).toFixed(2)}×`,
      );
    }
  }
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ seconds, concurrency, results }, null, 2));
} catch (error) {
  console.error(`scale-out: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await sandbox?.stop();
  receiver.close();
  receiver.closeAllConnections();
  agent.destroy();
  postgres?.stop();
}
process.exit(exitCode);
