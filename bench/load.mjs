#!/usr/bin/env node
// Load benchmark of the companion server: starts the provider sandbox and the server as separate
// child processes on free loopback ports (temp SQLite file, rate limits off, webhooks to a receiver
// in this process), then runs a mixed checkout workload with bounded concurrency for N seconds:
// create session (merchant API) → [read checkout session] → start payment (browser API, bank
// chosen) → refresh; a quarter of the shoppers confirm at the sandbox's hosted pages and come back
// to refresh until completed; now and then the merchant reads a session or lists payments.
// Measures requests/s, latency per kind, errors (any non-2xx or network error; must be 0) and the
// server's memory (VmRSS every second, VmHWM at the end) from /proc. Traffic goes to 127.0.0.1 only.
//
// Usage: node bench/load.mjs [seconds=60] [--server-root DIR] [--json FILE]
//   (env PWB_BENCH_CONCURRENCY, default 24)
//   --server-root DIR  run the companion server of another checkout (its sources, by tsx from its
//                      own node_modules); the sandbox, the workload and the measuring stay this
//                      checkout's (bench/compare.mjs uses it for the base revision)
//   --json FILE        also write the summary figures to FILE as JSON
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { clearInterval, setInterval } from 'node:timers';
import { URLSearchParams, fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: node bench/load.mjs [seconds=60] [--server-root DIR] [--json FILE]   (seconds 1–3600)';
let seconds = 60;
let serverRoot = ROOT;
let jsonFile = null;
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i];
  const value = () => process.argv[++i] ?? (console.error(`${arg} needs a value\n${USAGE}`), process.exit(2));
  if (arg === '--server-root') serverRoot = resolve(value());
  else if (arg === '--json') jsonFile = resolve(value());
  else if (/^\d+(\.\d+)?$/.test(arg)) seconds = Number(arg);
  else {
    console.error(`unknown argument ${arg}\n${USAGE}`);
    process.exit(2);
  }
}
const concurrency = Number(process.env.PWB_BENCH_CONCURRENCY ?? 24);
if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3600) {
  console.error(USAGE);
  process.exit(2);
}
if (!existsSync(join(serverRoot, 'packages/server/src/cli.ts'))) {
  console.error(`no packages/server/src/cli.ts under ${serverRoot}`);
  process.exit(2);
}
if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
  console.error('PWB_BENCH_CONCURRENCY must be an integer between 1 and 256');
  process.exit(2);
}

const MERCHANT_KEY = `mk_bench_${randomBytes(16).toString('hex')}`;
const WEBHOOK_SECRET = `whsec_bench_${randomBytes(8).toString('hex')}`;
const RETURN_URL = 'https://shop.example/checkout/return';
const BANKS = ['DK_TestBank', 'DK_Nordbank', 'DK_Fjordbank'];
const SHOPPER_PAYS = 0.25;

// ------------------------------------------------------------------------------------------------
// Child processes

const children = new Set();

function startChild(name, script, env, ready, cwd = ROOT) {
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
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s:\n${tail.join('\n')}`)), 30_000);
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

function killChildren() {
  for (const child of children) child.kill('SIGKILL');
}
process.once('SIGINT', () => {
  killChildren();
  process.exit(130);
});
process.once('exit', killChildren);

// ------------------------------------------------------------------------------------------------
// HTTP client (keep-alive, no redirects followed) and statistics

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency * 2 });

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

const latencies = new Map(); // kind → ms[]
const errors = new Map(); // kind → count
const errorSamples = [];
let networkErrors = 0; // requests that got no answer at all (no latency recorded)
let sandboxRequests = 0;
let sandboxErrors = 0;

function countError(kind, detail) {
  errors.set(kind, (errors.get(kind) ?? 0) + 1);
  if (errorSamples.length < 10) errorSamples.push(`${kind}: ${detail}`);
}

/** One timed request to the companion server; any non-2xx or network error counts as an error. */
async function api(kind, method, url, bearer, body) {
  const started = performance.now();
  let response;
  try {
    response = await request(url, {
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
  const ms = performance.now() - started;
  if (!latencies.has(kind)) latencies.set(kind, []);
  latencies.get(kind).push(ms);
  if (response.status < 200 || response.status > 299) {
    countError(kind, `HTTP ${response.status} ${response.text.slice(0, 200)}`);
    return null;
  }
  return JSON.parse(response.text);
}

/** The shopper at the sandbox's hosted pages: log in, choose the account, confirm. Not timed. */
async function shopperConfirms(sandboxUrl, redirectUrl) {
  const step = async (url, init, expected) => {
    sandboxRequests++;
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

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function readProcStatus(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
  } catch {
    return { rssKb: NaN, hwmKb: NaN };
  }
}

// ------------------------------------------------------------------------------------------------
// Run

const dir = mkdtempSync(join(tmpdir(), 'pwb-load-'));
const database = join(dir, 'pay-with-bank.sqlite');
let webhooksReceived = 0;
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    webhooksReceived++;
    res.writeHead(204).end();
  });
});
await new Promise((done) => receiver.listen(0, '127.0.0.1', done));

let sandbox;
let server;
let exitCode = 0;
try {
  sandbox = startChild(
    'sandbox',
    'packages/sandbox/src/cli.ts',
    { PWB_SANDBOX_PORT: '0', PWB_SANDBOX_HOST: '127.0.0.1' },
    (line) => /listening on (http:\/\/\S+)/.exec(line)?.[1] ?? null,
  );
  const sandboxUrl = await sandbox.url;
  server = startChild(
    'server',
    'packages/server/src/cli.ts',
    {
      PWB_PORT: '0', // any free port; the URL is read from the server's `listening` log line
      PWB_HOST: '127.0.0.1',
      PWB_MERCHANT_API_KEYS: MERCHANT_KEY,
      PWB_PAYEE_NAME: 'Nordic Goods ApS',
      PWB_RETURN_URL_ALLOWLIST: 'https://shop.example/checkout',
      PWB_DATABASE: database,
      PWB_LOG_LEVEL: 'info',
      // Generous limits: the benchmark measures the server, not its abuse protection.
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
    serverRoot,
  );
  const serverUrl = await server.url;
  const pid = server.child.pid;

  const rssSamples = []; // { atMs, rssKb }
  const baseline = readProcStatus(pid).rssKb;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const sampler = setInterval(() => {
    rssSamples.push({ atMs: performance.now() - started, rssKb: readProcStatus(pid).rssKb });
  }, 1000);

  const returns = []; // shoppers coming back from the bank: { token, paymentId, dueAt, tries }
  const journeys = { started: 0, paidAtBank: 0, completed: 0, unexpected: 0 };
  let sequence = 0;

  async function newCheckout() {
    journeys.started++;
    const n = ++sequence;
    const created = await api('create_session', 'POST', `${serverUrl}/v1/sessions`, MERCHANT_KEY, {
      amount: { value: 1000 + (n % 90000), currency: 'DKK' },
      reference: `LOAD-${n}`,
      description: 'Load test order',
      returnUrl: RETURN_URL,
    });
    if (!created) return;
    const token = created.clientToken;
    if (Math.random() < 0.3) await api('read_session', 'GET', `${serverUrl}/v1/checkout/session`, token);
    const start = await api('start_payment', 'POST', `${serverUrl}/v1/checkout/payments`, token, {
      method: 'bank',
      attemptId: `attempt-${n}-${randomBytes(4).toString('hex')}`,
      bankId: BANKS[n % BANKS.length],
    });
    if (!start) return;
    const paymentId = start.payment.id;
    const refreshUrl = `${serverUrl}/v1/checkout/payments/${paymentId}/refresh`;
    await api('refresh', 'POST', refreshUrl, token);
    if (Math.random() < SHOPPER_PAYS) {
      try {
        await shopperConfirms(sandboxUrl, start.redirectUrl);
        journeys.paidAtBank++;
        // Refresh is throttled to one provider call per second per payment: come back after that.
        returns.push({ token, paymentId, dueAt: performance.now() + 1100, tries: 0 });
      } catch (error) {
        sandboxErrors++;
        if (errorSamples.length < 10) errorSamples.push(`sandbox: ${error.message}`);
      }
    } else if (Math.random() < 0.5) {
      await api('refresh', 'POST', refreshUrl, token); // the widget polling (answered from the store)
    }
    if (Math.random() < 0.1)
      await api('merchant_session', 'GET', `${serverUrl}/v1/sessions/${created.session.id}`, MERCHANT_KEY);
    if (Math.random() < 0.05) await api('list_payments', 'GET', `${serverUrl}/v1/payments?limit=20`, MERCHANT_KEY);
  }

  async function shopperReturns(entry) {
    const body = await api(
      'refresh',
      'POST',
      `${serverUrl}/v1/checkout/payments/${entry.paymentId}/refresh`,
      entry.token,
    );
    if (!body) return;
    if (body.payment.status === 'completed') {
      journeys.completed++;
      if (Math.random() < 0.2)
        await api('merchant_payment', 'GET', `${serverUrl}/v1/payments/${entry.paymentId}`, MERCHANT_KEY);
    } else if (++entry.tries < 3) {
      returns.push({ ...entry, dueAt: performance.now() + 1100 });
    } else {
      journeys.unexpected++;
      countError('outcome', `payment ${entry.paymentId} still ${body.payment.status} after 3 refreshes`);
    }
  }

  async function worker() {
    while (performance.now() < deadline) {
      const dueIndex = returns.findIndex((r) => r.dueAt <= performance.now());
      if (dueIndex >= 0) await shopperReturns(returns.splice(dueIndex, 1)[0]);
      else await newCheckout();
    }
  }

  console.log(
    `load: ${seconds} s, ${concurrency} in flight, server pid ${pid} at ${serverUrl}, sandbox at ${sandboxUrl}`,
  );
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - started;
  clearInterval(sampler);
  const end = readProcStatus(pid);
  rssSamples.push({ atMs: elapsedMs, rssKb: end.rssKb });

  const serverExit = await server.stop();
  await sandbox.stop();

  // What the outbox recorded and delivered (the worker delivers at most 25 per second).
  const require = createRequire(join(ROOT, 'packages/server/package.json'));
  const Database = require('better-sqlite3');
  const db = new Database(database, { readonly: true });
  const outbox = db.prepare('SELECT COUNT(*) AS recorded, COUNT(delivered_at) AS delivered FROM outbox').get();
  const stored = db.prepare('SELECT status, COUNT(*) AS n FROM payments GROUP BY status ORDER BY status').all();
  db.close();
  const databaseBytes = ['', '-wal'].reduce(
    (sum, suffix) => sum + (existsSync(database + suffix) ? statSync(database + suffix).size : 0),
    0,
  );

  // ----------------------------------------------------------------------------------------------
  // Report
  const all = [...latencies.values()].flat().sort((a, b) => a - b);
  const totalRequests = all.length + networkErrors;
  const errorCount = [...errors.values()].reduce((s, n) => s + n, 0) + sandboxErrors;
  const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;
  const fmt = (ms) => (Number.isNaN(ms) ? '-' : ms.toFixed(1));
  const row = (name, values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `  ${name.padEnd(17)} ${String(sorted.length).padStart(7)} ${fmt(percentile(sorted, 50)).padStart(7)} ${fmt(percentile(sorted, 90)).padStart(7)} ${fmt(percentile(sorted, 99)).padStart(7)} ${fmt(sorted.at(-1) ?? NaN).padStart(8)}`;
  };
  const rssAt = (fraction) => {
    const target = fraction * elapsedMs;
    let best = rssSamples[0];
    for (const s of rssSamples) if (Math.abs(s.atMs - target) < Math.abs(best.atMs - target)) best = s;
    return best.rssKb;
  };
  const peakSampled = Math.max(...rssSamples.map((s) => s.rssKb));

  console.log('');
  console.log('pay-with-bank companion server: load benchmark');
  console.log(`  duration            ${(elapsedMs / 1000).toFixed(1)} s (${concurrency} requests in flight)`);
  console.log(
    `  requests            ${totalRequests} to the server (${(totalRequests / (elapsedMs / 1000)).toFixed(1)} req/s)`,
  );
  console.log(
    `  errors              ${errorCount}${errorCount ? `  ${JSON.stringify(Object.fromEntries(errors))}, sandbox ${sandboxErrors}` : ''}`,
  );
  console.log(
    `  checkouts           ${journeys.started} started, ${journeys.paidAtBank} paid at the bank, ${journeys.completed} seen completed`,
  );
  console.log(`  payments stored     ${stored.map((s) => `${s.status} ${s.n}`).join(', ')}`);
  console.log(
    `  database            ${(databaseBytes / 1024 / 1024).toFixed(1)} MB (${(databaseBytes / Math.max(1, journeys.started) / 1024).toFixed(1)} KB per checkout)`,
  );
  console.log(`  sandbox requests    ${sandboxRequests} (hosted pages, not counted above)`);
  console.log(
    `  webhooks            ${webhooksReceived} received; outbox ${outbox.recorded} recorded, ${outbox.delivered} delivered by the end`,
  );
  console.log(
    `  server log          ${server.problems.length} warn/error lines; stopped with ${JSON.stringify(serverExit)}`,
  );
  console.log('  latency (ms)        count     p50     p90     p99      max');
  console.log(row('all', all));
  for (const [kind, values] of [...latencies.entries()].sort()) console.log(row(kind, values));
  console.log(
    `  server RSS          start ${mb(baseline)}, 25% ${mb(rssAt(0.25))}, 50% ${mb(rssAt(0.5))}, 75% ${mb(rssAt(0.75))}, 100% ${mb(rssAt(1))}`,
  );
  console.log(
    `  RSS every 10%       ${Array.from({ length: 10 }, (_, i) => (rssAt((i + 1) / 10) / 1024).toFixed(0)).join(' ')} MB`,
  );
  console.log(
    `  server peak RSS     ${mb(Math.max(end.hwmKb, peakSampled))} (VmHWM ${mb(end.hwmKb)}, highest 1 s sample ${mb(peakSampled)})`,
  );
  if (errorSamples.length) console.log(`  first errors:\n    ${errorSamples.join('\n    ')}`);
  if (server.problems.length)
    console.log(`  first server warnings:\n    ${server.problems.slice(0, 5).join('\n    ')}`);
  if (jsonFile) {
    const figures = (values) => {
      const sorted = [...values].sort((a, b) => a - b);
      return {
        count: sorted.length,
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        p99: percentile(sorted, 99),
      };
    };
    writeFileSync(
      jsonFile,
      JSON.stringify({
        serverRoot,
        seconds: elapsedMs / 1000,
        concurrency,
        requests: totalRequests,
        requestsPerSecond: totalRequests / (elapsedMs / 1000),
        errors: errorCount,
        checkouts: journeys,
        latency: { all: figures(all), ...Object.fromEntries([...latencies].map(([kind, v]) => [kind, figures(v)])) },
        rssMb: { start: baseline / 1024, end: end.rssKb / 1024, peak: Math.max(end.hwmKb, peakSampled) / 1024 },
        serverWarnings: server.problems.length,
      }),
    );
  }
  if (errorCount > 0) exitCode = 1;
} catch (error) {
  console.error(`load: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await server?.stop();
  await sandbox?.stop();
  receiver.close();
  receiver.closeAllConnections();
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
