#!/usr/bin/env node
// Before/after on the same machine in one run (issue 8): the companion server's cold start
// (bench/cold-start.mjs) and mixed-load throughput (bench/load.mjs) of a base revision against the
// current tree, measured alternately so that both see the same machine load.
//
// 1. `git worktree add --detach /tmp/pwb-base-<rev> <rev>` (outside the repository), install its
//    dependencies (`pnpm install --frozen-lockfile --offline` with npm_config_nodedir=/usr, falling
//    back to a normal install) and build its protocol and server packages.
// 2. The current tree is this checkout as it is on disk (uncommitted changes included); its
//    protocol and server are rebuilt when a source is newer than dist/cli.js. `--current-rev REV`
//    measures a committed revision in a second worktree instead (nothing of this checkout is built).
// 3. Cold start: one bench/cold-start.mjs run over both servers and the bare Hono floor, run by run
//    in rotation. Load: `--rounds` rounds of bench/load.mjs per tree, in the order base, current,
//    current, base, … (this checkout's load script and sandbox for both; only the server differs).
// 4. Prints both sets of figures and the ratios, and removes the worktrees (unless --keep).
//
// Usage: node bench/compare.mjs [baseRev=0e5311c] [--current-rev REV] [--runs 15] [--seconds 20]
//                               [--rounds 2] [--keep] [--skip-load]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_BASE = '0e5311c'; // the state before the issue 8 store and start-up work began
const USAGE =
  'usage: node bench/compare.mjs [baseRev=0e5311c] [--current-rev REV] [--runs 15] [--seconds 20] [--rounds 2] [--keep] [--skip-load]';

class CompareError extends Error {}

function parseArgs(argv) {
  const options = { base: DEFAULT_BASE, currentRev: null, runs: 15, seconds: 20, rounds: 2, keep: false, load: true };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${arg} needs a value`);
      return v;
    };
    const count = (min, max) => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < min || n > max) fail(`${arg} must be an integer from ${min} to ${max}`);
      return n;
    };
    if (arg === '--current-rev') options.currentRev = value();
    else if (arg === '--runs') options.runs = count(1, 500);
    else if (arg === '--seconds') options.seconds = count(1, 3600);
    else if (arg === '--rounds') options.rounds = count(1, 20);
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--skip-load') options.load = false;
    else if (arg.startsWith('-')) fail(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (positional.length > 1) fail('one base revision at most');
  if (positional[0]) options.base = positional[0];
  return options;
}

function fail(problem) {
  console.error(`compare: ${problem}\n${USAGE}`);
  process.exit(2);
}

const log = (line) => console.log(`compare: ${line}`);

/** Run a command to completion; throws CompareError with the tail of its output when it fails. */
function run(command, args, { cwd = ROOT, env = {}, what = `${command} ${args.join(' ')}` } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new CompareError(`${what}: ${result.error.message}`);
  if (result.status !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-25).join('\n');
    throw new CompareError(`${what} failed (exit ${result.status ?? result.signal}) in ${cwd}:\n${tail}`);
  }
  return result.stdout;
}

const git = (...args) => run('git', args, { what: `git ${args.join(' ')}` }).trim();

function resolveRevision(rev) {
  try {
    return git('rev-parse', '--verify', '--quiet', `${rev}^{commit}`);
  } catch {
    throw new CompareError(`${rev} is not a commit of this repository (git rev-parse found nothing)`);
  }
}

/** A fresh detached worktree of `commit` at `path`; an earlier one left there is removed first. */
function addWorktree(path, commit) {
  if (existsSync(path)) {
    log(`removing the worktree left at ${path} by an earlier run`);
    removeWorktree(path);
  }
  git('worktree', 'add', '--detach', path, commit);
}

function removeWorktree(path) {
  try {
    git('worktree', 'remove', '--force', path);
  } catch {
    // Not (or no longer) a registered worktree: plain files.
  }
  rmSync(path, { recursive: true, force: true });
  // Still registered (its directory was already gone): forget it. Other worktrees are left alone.
  const registered = git('worktree', 'list', '--porcelain')
    .split('\n')
    .some((line) => line === `worktree ${path}`);
  if (registered) git('worktree', 'prune');
}

function install(tree) {
  const env = { npm_config_nodedir: '/usr', CI: 'true' };
  try {
    run('pnpm', ['install', '--frozen-lockfile', '--offline'], { cwd: tree, env, what: 'pnpm install --offline' });
    return 'offline';
  } catch (offline) {
    log(`offline install failed in ${tree}, trying a normal install (${offline.message.split('\n')[0]})`);
    try {
      run('pnpm', ['install', '--frozen-lockfile'], { cwd: tree, env, what: 'pnpm install' });
      return 'online';
    } catch (online) {
      throw new CompareError(`cannot install the dependencies of ${tree}:\n${online.message}`);
    }
  }
}

function build(tree) {
  for (const pkg of ['@pay-with-bank/protocol', '@pay-with-bank/server']) {
    try {
      run('pnpm', ['--filter', pkg, 'build'], { cwd: tree, what: `pnpm --filter ${pkg} build` });
    } catch (error) {
      throw new CompareError(`cannot build ${pkg} in ${tree}:\n${error.message}`);
    }
  }
  if (!existsSync(join(tree, 'packages/server/dist/cli.js'))) {
    throw new CompareError(`the server build in ${tree} made no packages/server/dist/cli.js`);
  }
}

const newestSource = (dir) =>
  existsSync(dir)
    ? Math.max(
        0,
        ...readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile() && e.name.endsWith('.ts'))
          .map((e) => statSync(join(e.parentPath, e.name)).mtimeMs),
      )
    : 0;

function distIsFresh(tree) {
  const cli = join(tree, 'packages/server/dist/cli.js');
  const protocolDist = join(tree, 'packages/protocol/dist');
  if (!existsSync(cli) || !existsSync(protocolDist)) return false;
  const built = Math.min(statSync(cli).mtimeMs, statSync(protocolDist).mtimeMs);
  return (
    newestSource(join(tree, 'packages/server/src')) < built && newestSource(join(tree, 'packages/protocol/src')) < built
  );
}

/** Run a bench script of this checkout, streaming nothing; returns its stdout. */
function benchScript(script, args) {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bench', script), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => {
      children.delete(child);
      if (code === 0) done(out);
      else
        reject(
          new CompareError(
            `bench/${script} ${args.join(' ')} exited ${code}:\n${`${out}\n${err}`.trim().split('\n').slice(-30).join('\n')}`,
          ),
        );
    });
  });
}

const children = new Set();
const worktrees = [];
let keep = false;
function cleanup() {
  for (const child of children) child.kill('SIGKILL');
  if (keep) return;
  while (worktrees.length) removeWorktree(worktrees.pop());
}
process.once('SIGINT', () => {
  cleanup();
  process.exit(130);
});

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function report({ options, baseCommit, currentLabel, cold, loads }) {
  const [base, current] = cold.servers;
  const ms = (v) => `${v.toFixed(0)} ms`;
  const ratio = (a, b) => (a === 0 ? '-' : (b / a).toFixed(2));
  const lines = [];
  const table = (rows) => {
    const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows)
      lines.push(`  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ')}`);
  };
  lines.push('');
  lines.push(
    `Before/after, one run on ${cpus().length} cores (load average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}), Node ${process.version}`,
  );
  lines.push(`  base     ${options.base} (${baseCommit.slice(0, 12)})`);
  lines.push(`  current  ${currentLabel}`);
  lines.push('');
  lines.push(`Cold start to the first GET /healthz 200 (${cold.runs} runs each, in rotation, a new database per run)`);
  table([
    ['', 'base', 'current', 'current/base'],
    ['server median', ms(base.median), ms(current.median), ratio(base.median, current.median)],
    ['server p10', ms(base.p10), ms(current.p10), ratio(base.p10, current.p10)],
    ['server p90', ms(base.p90), ms(current.p90), ratio(base.p90, current.p90)],
    [
      'server CPU until then, median',
      ms(base.cpu.median),
      ms(current.cpu.median),
      ratio(base.cpu.median, current.cpu.median),
    ],
    ['server / bare Hono floor', base.ratio.toFixed(2), current.ratio.toFixed(2), ratio(base.ratio, current.ratio)],
    [
      'server − floor',
      ms(base.median - cold.floor.median),
      ms(current.median - cold.floor.median),
      ratio(base.median - cold.floor.median, current.median - cold.floor.median),
    ],
  ]);
  lines.push(
    `  bare Hono floor: median ${ms(cold.floor.median)} (p10 ${ms(cold.floor.p10)}, p90 ${ms(cold.floor.p90)}), CPU ${ms(cold.floor.cpu.median)}`,
  );
  if (loads) {
    const pick = (tree, f) => loads.filter((l) => l.tree === tree).map((l) => f(l.result));
    const row = (name, f, format) => {
      const b = median(pick('base', f));
      const c = median(pick('current', f));
      return [name, format(b), format(c), ratio(b, c)];
    };
    const n1 = (v) => v.toFixed(1);
    lines.push('');
    lines.push(
      `Mixed load, bench/load.mjs ${options.seconds} s × ${options.rounds} per tree (medians over the rounds; order ${loads.map((l) => l.tree).join(', ')})`,
    );
    table([
      ['', 'base', 'current', 'current/base'],
      row('requests/s', (r) => r.requestsPerSecond, n1),
      row('latency p50 (ms)', (r) => r.latency.all.p50, n1),
      row('latency p90 (ms)', (r) => r.latency.all.p90, n1),
      row('latency p99 (ms)', (r) => r.latency.all.p99, n1),
      row(
        'server peak RSS (MB)',
        (r) => r.rssMb.peak,
        (v) => v.toFixed(0),
      ),
      row(
        'errors',
        (r) => r.errors,
        (v) => String(v),
      ),
    ]);
    lines.push(
      `  requests/s per round: base ${pick('base', (r) => r.requestsPerSecond.toFixed(1)).join(', ')}; current ${pick('current', (r) => r.requestsPerSecond.toFixed(1)).join(', ')}`,
    );
  }
  return lines.join('\n');
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  keep = options.keep;
  const baseCommit = resolveRevision(options.base);
  const basePath = join(tmpdir(), `pwb-base-${options.base.replace(/[^A-Za-z0-9._-]/g, '_')}`);
  log(`base ${options.base} = ${baseCommit}: worktree ${basePath}`);
  addWorktree(basePath, baseCommit);
  worktrees.push(basePath);
  log(`installing the base's dependencies (${install(basePath)})`);
  log('building the base protocol and server');
  build(basePath);

  let currentPath = ROOT;
  let currentLabel = `${ROOT} (working tree at ${git('rev-parse', '--short=12', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ', with uncommitted changes' : ''})`;
  if (options.currentRev) {
    const commit = resolveRevision(options.currentRev);
    currentPath = join(tmpdir(), `pwb-current-${commit.slice(0, 12)}`);
    currentLabel = `${options.currentRev} (${commit.slice(0, 12)}), worktree ${currentPath}`;
    log(`current ${currentLabel}`);
    addWorktree(currentPath, commit);
    worktrees.push(currentPath);
    log(`installing the current revision's dependencies (${install(currentPath)})`);
    log('building the current protocol and server');
    build(currentPath);
  } else if (!distIsFresh(ROOT)) {
    log('building this checkout’s protocol and server (a source is newer than dist)');
    build(ROOT);
  }

  log(`cold start: ${options.runs} runs of each server and the floor, in rotation`);
  const cold = JSON.parse(
    await benchScript('cold-start.mjs', [String(options.runs), '--root', basePath, '--root', currentPath, '--json']),
  );

  let loads = null;
  if (options.load) {
    loads = [];
    const dir = mkdtempSync(join(tmpdir(), 'pwb-compare-'));
    try {
      for (let round = 0; round < options.rounds; round++) {
        const order = round % 2 === 0 ? ['base', 'current'] : ['current', 'base'];
        for (const tree of order) {
          const file = join(dir, `${tree}-${round}.json`);
          log(`load round ${round + 1}/${options.rounds}: ${tree}, ${options.seconds} s`);
          await benchScript('load.mjs', [
            String(options.seconds),
            '--server-root',
            tree === 'base' ? basePath : currentPath,
            '--json',
            file,
          ]).catch((error) => {
            // load.mjs exits 1 when any request failed; its figures are still written and reported.
            if (!existsSync(file)) throw error;
            log(`${tree} had errors in round ${round + 1}:\n${error.message}`);
          });
          loads.push({ tree, result: JSON.parse(readFileSync(file, 'utf8')) });
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(report({ options, baseCommit, currentLabel, cold, loads }));
}

try {
  await main();
} catch (error) {
  console.error(`compare: ${error instanceof CompareError ? error.message : (error?.stack ?? String(error))}`);
  process.exitCode = 1;
} finally {
  cleanup();
  if (!keep) log('worktrees removed');
}
