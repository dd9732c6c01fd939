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
// Usage: node bench/scale-out.mjs [seconds=30] [--instances 1,3] [--rate-limits] [--json FILE]
// --rate-limits: the servers count the rate limits (shared windows in PostgreSQL) with budgets no
// run reaches, so the figures include what counting costs (off by default: limits disabled).
//   (env PWB_BENCH_CONCURRENCY, default 24; PWB_BENCH_POSTGRES to use a running PostgreSQL)
import { spawnSync } from 'node:child_process';
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
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  freePort,
  killChildrenOnExit,
  ROOT,
  startSandbox,
  startServer,
  startWebhookReceiver,
} from './lib/processes.mjs';
import { percentile, Recorder } from './lib/stats.mjs';
import { httpClient, runCheckouts, serverApi, shopperConfirms } from './lib/workload.mjs';

const USAGE =
  'usage: node bench/scale-out.mjs [seconds=30] [--instances 1,3] [--rate-limits] [--json FILE]   (seconds 5–3600)';
let seconds = 30;
let rateLimits = false;
let counts = [1, 3];
let jsonFile = null;
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i];
  const value = () => process.argv[++i] ?? (console.error(`${arg} needs a value\n${USAGE}`), process.exit(2));
  if (arg === '--instances') counts = value().split(',').map(Number);
  else if (arg === '--json') jsonFile = resolve(value());
  else if (arg === '--rate-limits') rateLimits = true;
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
killChildrenOnExit();

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
// HTTP client and the workload (bench/lib/workload.mjs, bench/load.mjs's, spread over the instances)

// Idle keep-alive sockets are dropped after 4 s, before the server's 5 s keepAliveTimeout closes them:
// otherwise a request sent on a socket the server is closing at that moment fails (ECONNRESET), and
// with several instances each socket idles longer between requests.
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency * 2, timeout: 4_000 });
const request = httpClient(agent);

/** One run: `urls` (the instances) under load for `seconds`; returns its figures. */
async function runLoad(urls, sandboxUrl, label) {
  const recorder = new Recorder();
  let next = 0;
  const started = performance.now();
  const journeys = await runCheckouts({
    api: serverApi(request, recorder, () => urls[next++ % urls.length]),
    recorder,
    concurrency,
    deadline: started + seconds * 1000,
    order: (n) => ({ reference: `SCALE-${label}-${n}`, description: 'Scale-out benchmark order' }),
    confirmAtBank: (redirectUrl) => shopperConfirms(request, sandboxUrl, redirectUrl),
    onBankError: (error) => recorder.countError('sandbox', error.message),
  });
  const elapsedMs = performance.now() - started;
  const sorted = recorder.all();
  return {
    instances: urls.length,
    seconds: elapsedMs / 1000,
    requests: sorted.length + recorder.networkErrors,
    requestsPerSecond: sorted.length / (elapsedMs / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    errors: recorder.errorCount(),
    errorsByKind: Object.fromEntries(recorder.errors),
    errorSamples: recorder.errorSamples,
    checkouts: { started: journeys.started, paidAtBank: journeys.paidAtBank, completed: journeys.completed },
  };
}

// ------------------------------------------------------------------------------------------------
// Run

const receiver = await startWebhookReceiver();

let postgres = null;
let sandbox;
const results = [];
let exitCode = 0;
try {
  const serverUrl = process.env.PWB_BENCH_POSTGRES ?? (postgres = await startPostgres()).url;
  sandbox = startSandbox({ startTimeoutMs: 60_000 });
  const sandboxUrl = await sandbox.url;
  console.log(
    `scale-out: ${seconds} s per run, ${concurrency} in flight, instances ${counts.join(' then ')}, PostgreSQL ${postgres ? 'throwaway cluster' : 'PWB_BENCH_POSTGRES'}, rate limits ${rateLimits ? 'counted (shared)' : 'off'}`,
  );

  for (const n of counts) {
    const schema = `pwb_bench_${n}_${Date.now()}`;
    const database = await freshSchema(serverUrl, schema);
    const servers = Array.from({ length: n }, (_, i) =>
      // 60 s to start: several start at once, on few cores, and all but one wait for the migrations.
      startServer(
        `server ${i + 1}`,
        { database, sandboxUrl, webhookUrl: receiver.url, rateLimits },
        { startTimeoutMs: 60_000 },
      ),
    );
    const urls = await Promise.all(servers.map((s) => s.url));
    const webhooksBefore = receiver.received;
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
    result.notifications = { ...outbox, received: receiver.received - webhooksBefore };
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
  agent.destroy();
  postgres?.stop();
}
process.exit(exitCode);
