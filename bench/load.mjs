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
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import {
  killChildrenOnExit,
  MERCHANT_KEY,
  ROOT,
  startSandbox,
  startServer,
  startWebhookReceiver,
} from './lib/processes.mjs';
import { percentile, Recorder } from './lib/stats.mjs';
import { httpClient, runCheckouts, serverApi, shopperConfirms } from './lib/workload.mjs';

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

killChildrenOnExit();

// HTTP client (keep-alive, no redirects followed) and statistics
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency * 2 });
const request = httpClient(agent);
const recorder = new Recorder();
const { latencies, errors, errorSamples } = recorder;
let sandboxRequests = 0;
let sandboxErrors = 0;

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
const receiver = await startWebhookReceiver();

let sandbox;
let server;
let exitCode = 0;
try {
  sandbox = startSandbox();
  const sandboxUrl = await sandbox.url;
  server = startServer('server', { database, sandboxUrl, webhookUrl: receiver.url }, { cwd: serverRoot });
  const serverUrl = await server.url;
  const pid = server.child.pid;

  const rssSamples = []; // { atMs, rssKb }
  const baseline = readProcStatus(pid).rssKb;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const sampler = setInterval(() => {
    rssSamples.push({ atMs: performance.now() - started, rssKb: readProcStatus(pid).rssKb });
  }, 1000);

  console.log(
    `load: ${seconds} s, ${concurrency} in flight, server pid ${pid} at ${serverUrl}, sandbox at ${sandboxUrl}`,
  );
  const api = serverApi(request, recorder, () => serverUrl);
  const journeys = await runCheckouts({
    api,
    recorder,
    concurrency,
    deadline,
    order: (n) => ({ reference: `LOAD-${n}`, description: 'Load test order' }),
    confirmAtBank: (redirectUrl) => shopperConfirms(request, sandboxUrl, redirectUrl, () => sandboxRequests++),
    onBankError(error) {
      sandboxErrors++;
      recorder.sample(`sandbox: ${error.message}`);
    },
    async onCompleted(paymentId) {
      if (Math.random() < 0.2) await api('merchant_payment', 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY);
    },
  });
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
  const all = recorder.all();
  const totalRequests = all.length + recorder.networkErrors;
  const errorCount = recorder.errorCount() + sandboxErrors;
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
    `  webhooks            ${receiver.received} received; outbox ${outbox.recorded} recorded, ${outbox.delivered} delivered by the end`,
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
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
