#!/usr/bin/env node
// Cold start of the companion server: time from spawning the built server (`node
// packages/server/dist/cli.js`, minimal environment, a free loopback port, a new temp SQLite file)
// to its first `GET /healthz` 200, over N runs. In the same run, alternating with it, the same for
// a bare Hono app (@hono/node-server + one route, the versions the server uses): the floor that
// Node, Hono and the HTTP listener cost anyway. Prints median, p10 and p90 of both and the ratio.
// The endpoint is polled every 2 ms from just after the spawn (a refused connection is retried).
//
// Usage: node bench/cold-start.mjs [runs=15] [--root DIR]… [--reuse-db] [--json]
//   --root DIR   measure the server of this checkout instead (its packages/server/dist must be
//                built); repeat it to measure several, alternating run by run (bench/compare.mjs
//                passes the base revision's worktree and the current tree)
//   --reuse-db   start every run on one database made by a warm-up start (a restart: no
//                migrations to apply) instead of a new file per run (a first start)
//   --json       print one JSON object instead of the table
// Build first: pnpm --filter @pay-with-bank/protocol build && pnpm --filter @pay-with-bank/server build
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const HERE = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const options = { runs: 15, roots: [], reuseDb: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--root') options.roots.push(resolve(argv[++i] ?? usage('--root needs a directory')));
    else if (arg === '--reuse-db') options.reuseDb = true;
    else if (arg === '--json') options.json = true;
    else if (/^\d+$/.test(arg)) options.runs = Number(arg);
    else usage(`unknown argument ${arg}`);
  }
  if (options.runs < 1 || options.runs > 500) usage('runs must be between 1 and 500');
  if (options.roots.length === 0) options.roots.push(HERE);
  return options;
}

function usage(problem) {
  console.error(
    `cold-start: ${problem}\nusage: node bench/cold-start.mjs [runs=15] [--root DIR]… [--reuse-db] [--json]`,
  );
  process.exit(2);
}

const FLOOR_APP = `
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
const app = new Hono();
app.get('/healthz', (c) => c.json({ ok: true }));
serve({ fetch: app.fetch, port: Number(process.env.PWB_PORT), hostname: '127.0.0.1' });
`;

async function freePort() {
  const server = net.createServer();
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

/** One GET /healthz: the status, or null when nothing listens yet. */
function probe(port) {
  return new Promise((done) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode));
    });
    req.on('error', () => done(null));
  });
}

/**
 * CPU time (user + system) the process has used so far, from /proc (Linux; 10 ms ticks), or NaN.
 * Less sensitive than wall time to other work on a shared machine.
 */
function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

/**
 * Spawn `args` and poll until GET /healthz answers 200; returns the milliseconds from just before
 * the spawn and the CPU milliseconds the process had used by then. Throws with the child's output when it exits first or takes longer than 30 s.
 */
async function timeToHealthy(name, args, { cwd, env }) {
  const port = await freePort();
  const output = [];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ...env,
      PWB_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  let exited = null;
  const exit = new Promise((done) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      done();
    }),
  );
  try {
    for (;;) {
      if (exited)
        throw new Error(`${name} exited before answering (${JSON.stringify(exited)}):\n${Buffer.concat(output)}`);
      if (performance.now() - started > 30_000)
        throw new Error(`${name} not healthy within 30 s:\n${Buffer.concat(output)}`);
      const status = await probe(port);
      if (status === 200) return { ms: performance.now() - started, cpuMs: cpuMsOf(child.pid) };
      if (status !== null) throw new Error(`${name}: GET /healthz answered ${status}:\n${Buffer.concat(output)}`);
      await sleep(2);
    }
  } finally {
    if (!exited) {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(force);
    }
  }
}

export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { runs: sorted.length, median, p10: at(10), p90: at(90), min: sorted[0], max: sorted.at(-1) };
}

/**
 * Measure the server of each root and the floor, alternating run by run (the order rotates each
 * run, so none always follows another); one unrecorded warm-up of each first (disk cache).
 */
export async function measureColdStart({ runs, roots, reuseDb = false }) {
  for (const root of roots) {
    const cli = join(root, 'packages/server/dist/cli.js');
    if (!existsSync(cli)) {
      throw new Error(
        `${cli} is missing: build the server first (pnpm --filter @pay-with-bank/protocol build && pnpm --filter @pay-with-bank/server build)`,
      );
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'pwb-cold-'));
  let n = 0;
  const serverEnv = (index) => ({
    PWB_HOST: '127.0.0.1',
    PWB_MERCHANT_API_KEYS: `mk_bench_${randomBytes(16).toString('hex')}`,
    PWB_PAYEE_NAME: 'Cold Start ApS',
    PWB_RETURN_URL_ALLOWLIST: 'https://shop.example/checkout',
    PWB_DATABASE: join(dir, reuseDb ? `reused-${index}.sqlite` : `run-${++n}.sqlite`),
    PWB_LOG_LEVEL: 'warn',
    // One provider is required; nothing listens at this address (the server must not call it to start).
    PWB_MASTERCARD_BASE_URL: 'http://127.0.0.1:9/mastercard',
    PWB_MASTERCARD_CLIENT_ID: 'cold-start-client-id',
    PWB_MASTERCARD_CLIENT_SECRET: 'cold-start-client-secret',
    PWB_MASTERCARD_ACCOUNT_DKK: 'bban:1234:0123456789',
  });
  const subjects = [
    ...roots.map((root, index) => ({
      name: `server ${root}`,
      start: () =>
        timeToHealthy('server', [join(root, 'packages/server/dist/cli.js')], {
          cwd: join(root, 'packages/server'),
          env: serverEnv(index),
        }),
    })),
    {
      name: 'bare Hono app',
      // Resolved from the (first) server's own node_modules: the Hono versions it runs on.
      start: () =>
        timeToHealthy('bare Hono app', ['--input-type=module', '--eval', FLOOR_APP], {
          cwd: join(roots[0], 'packages/server'),
          env: {},
        }),
    },
  ];
  try {
    for (const subject of subjects) await subject.start();
    const times = subjects.map(() => []);
    for (let i = 0; i < runs; i++) {
      for (let k = 0; k < subjects.length; k++) {
        const index = (i + k) % subjects.length;
        times[index].push(await subjects[index].start());
      }
    }
    const wall = (list) => list.map((t) => t.ms);
    const cpu = (list) => summarize(list.map((t) => t.cpuMs));
    const floor = { ...summarize(wall(times.at(-1))), cpu: cpu(times.at(-1)) };
    const servers = roots.map((root, index) => {
      const s = summarize(wall(times[index]));
      return { root, ...s, ratio: s.median / floor.median, cpu: cpu(times[index]), times: times[index] };
    });
    return { node: process.version, reuseDb, runs, servers, floor: { ...floor, times: times.at(-1) } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatColdStart(result) {
  const ms = (v) => `${v.toFixed(0)} ms`;
  const stats = (s) => `median ${ms(s.median)} (p10 ${ms(s.p10)}, p90 ${ms(s.p90)})`;
  const lines = [
    `Cold start to the first GET /healthz 200: ${result.runs} runs each, alternating, Node ${result.node}, ${result.reuseDb ? 'one reused database per server' : 'a new database per run'}`,
  ];
  for (const s of result.servers) {
    lines.push(`  server ${s.root}/packages/server/dist/cli.js`);
    lines.push(`    ${stats(s)}; ${s.ratio.toFixed(2)} × the floor (+${ms(s.median - result.floor.median)})`);
    lines.push(`    CPU until then ${stats(s.cpu)}`);
  }
  lines.push(`  bare Hono app (@hono/node-server + one route: the floor)`);
  lines.push(`    ${stats(result.floor)}`);
  lines.push(`    CPU until then ${stats(result.floor.cpu)}`);
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = parseArgs(process.argv.slice(2));
  try {
    const result = await measureColdStart(options);
    console.log(options.json ? JSON.stringify(result) : formatColdStart(result));
  } catch (error) {
    console.error(`cold-start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
