#!/usr/bin/env node
// Runs every check of the repository in order and prints one total at the end:
// type-check, lint/format, build, Node unit/integration tests (vitest), element tests in Chromium
// (web-test-runner), end-to-end journeys (Playwright). Stops counting a stage's tests only if its
// runner produced no report; any failing stage makes the exit code non-zero.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2); // optional stage names, e.g. `node scripts/test-all.mjs unit e2e`
const reports = join(root, 'node_modules', '.test-reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

let passed = 0;
let failed = 0;
const failures = [];
const timings = [];

function run(stage, cmd, args, cwd = root, extraEnv = {}) {
  if (only.length && !only.includes(stage)) return null;
  const started = Date.now();
  console.log(`\n▶ ${stage}: ${cmd} ${args.join(' ')}${cwd === root ? '' : `  (in ${cwd.replace(root, '')})`}`);
  const res = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...extraEnv } });
  const out = `${res.stdout}${res.stderr}`;
  process.stdout.write(out);
  timings.push([stage, cwd.replace(root, '') || '.', ((Date.now() - started) / 1000).toFixed(1)]);
  if (res.status !== 0) failures.push(`${stage} (${cwd.replace(root, '') || '.'}) exited ${res.status}`);
  return { ok: res.status === 0, out };
}

// 1. Static checks and builds (not counted as tests, but they fail the run).
run('typecheck', 'pnpm', ['-r', '--workspace-concurrency=1', 'typecheck']);
run('lint', 'pnpm', ['exec', 'eslint', '.']);
run('format', 'pnpm', ['exec', 'prettier', '--check', '.']);
run('build', 'pnpm', ['-r', '--workspace-concurrency=1', 'build']);
// The generated API references must be committed as generated: regenerate, then fail on any drift.
if (!only.length || only.includes('api-docs')) {
  const doc = spawnSync('node', ['--conditions=source', '--import', 'tsx', 'packages/server/src/openapi-cli.ts'], {
    cwd: root,
  });
  writeFileSync(join(root, 'docs', 'openapi.json'), doc.stdout);
}
run('api-docs', 'git', [
  'diff',
  '--exit-code',
  '--stat',
  '--',
  'docs/openapi.json',
  'packages/element/custom-elements.json',
]);

// 2. Node-side suites (vitest), counted from their JSON reports.
for (const pkg of ['protocol', 'sandbox', 'server']) {
  const dir = join(root, 'packages', pkg);
  const file = join(reports, `vitest-${pkg}.json`);
  const res = run(
    'unit',
    'pnpm',
    ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${file}`],
    dir,
  );
  if (!res) continue;
  if (existsSync(file)) {
    const json = JSON.parse(readFileSync(file, 'utf8'));
    passed += json.numPassedTests;
    failed += json.numFailedTests;
    if (json.numTotalTests === 0) failures.push(`unit (${pkg}) ran no test`);
  } else {
    failed += 1;
    failures.push(`unit (${pkg}) produced no report`);
  }
}

// 3. The element in Chromium (web-test-runner); its summary line carries the counts.
{
  const res = run('element', 'pnpm', ['exec', 'wtr'], join(root, 'packages', 'element'));
  if (res) {
    const counts = [...res.out.matchAll(/(\d+) passed, (\d+) failed/g)].pop();
    if (counts) {
      passed += Number(counts[1]);
      failed += Number(counts[2]);
    } else {
      failed += 1;
      failures.push('element: no test summary found');
    }
  }
}

// 4. End-to-end journeys over the demo (Playwright), counted from the JSON report.
{
  const file = join(root, 'e2e', 'test-results', 'results.json');
  rmSync(file, { force: true });
  // Run on its own, the stage goes through `pnpm run test` in e2e/, which first builds the element it
  // serves; after the build stage that is already done.
  const builtAbove = !only.length || only.includes('build');
  const res = run('e2e', 'pnpm', builtAbove ? ['exec', 'playwright', 'test'] : ['run', 'test'], join(root, 'e2e'));
  if (res) {
    if (existsSync(file)) {
      const { stats } = JSON.parse(readFileSync(file, 'utf8'));
      passed += stats.expected + stats.flaky;
      failed += stats.unexpected;
      if (stats.skipped) failures.push(`e2e skipped ${stats.skipped} test(s)`);
    } else {
      failed += 1;
      failures.push('e2e produced no report');
    }
  }
}

console.log('\nStage timings (s):');
for (const [stage, where, secs] of timings) console.log(`  ${stage.padEnd(10)} ${where.padEnd(20)} ${secs}`);
if (failures.length) console.log(`\nProblems:\n  - ${failures.join('\n  - ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failures.length || failed ? 1 : 0);
