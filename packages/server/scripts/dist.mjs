#!/usr/bin/env node
// Makes packages/server/dist a self-contained npm package (issue 7: `npx pay-with-bank-server` from
// the packed tarball). The server imports `@pay-with-bank/protocol`, a workspace package that is not
// published, so the build copies the protocol's compiled output into dist/vendor/protocol/ and
// rewrites the `@pay-with-bank/protocol[/subpath]` specifiers of the server's emitted .js and .d.ts
// files to relative paths. The tarball then needs only the npm dependencies in package.json (the
// protocol's own one, zod, is one of them). Inside the workspace nothing changes: demo, e2e, bench
// and the tests run the TypeScript sources through the `source` export condition.
//
//   node scripts/dist.mjs clean    before tsc: remove dist/ so no file of a deleted module is packed
//   node scripts/dist.mjs vendor   after tsc: vendor the protocol, rewrite specifiers, verify
//   node scripts/dist.mjs ensure   prepack: rebuild protocol + server if dist/ is missing or older
//                                  than a source, then verify (a tarball never carries a stale build)
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROTOCOL = '@pay-with-bank/protocol';
const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(serverDir, 'dist');
const vendorDir = join(dist, 'vendor', 'protocol');
// The workspace link pnpm creates for the devDependency (packages/protocol).
const protocolLink = join(serverDir, 'node_modules', ...PROTOCOL.split('/'));

class BuildError extends Error {}

/** Every file under `dir` (recursively) for which `keep(path)` holds. */
function walk(dir, keep = () => true) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter(keep);
}

const isEmitted = (file) => file.endsWith('.js') || file.endsWith('.d.ts');
// The .ts files tsc compiles (tsconfig.build.json excludes the tests; .d.ts files emit nothing).
const isSource = (file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts');
const newest = (files) => Math.max(0, ...files.map((file) => statSync(file).mtimeMs));
const oldest = (files) => Math.min(Infinity, ...files.map((file) => statSync(file).mtimeMs));
const toPosix = (path) => path.split(sep).join('/');

function protocolPackage() {
  if (!existsSync(protocolLink)) {
    throw new BuildError(`${PROTOCOL} is not linked in packages/server/node_modules: run \`npm run setup\` first`);
  }
  const dir = realpathSync(protocolLink);
  return { dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) };
}

/**
 * Specifier → { js, dts } paths relative to the protocol's dist/, from the protocol's `exports`
 * (`.` → index, `./paths` → paths, …), so a new protocol entry point is picked up without edits here.
 */
function protocolEntries(manifest) {
  const entries = new Map();
  for (const [subpath, conditions] of Object.entries(manifest.exports ?? {})) {
    const specifier = subpath === '.' ? PROTOCOL : `${PROTOCOL}/${subpath.replace(/^\.\//, '')}`;
    const inDist = (target) => {
      if (typeof target !== 'string' || !target.startsWith('./dist/')) {
        throw new BuildError(`${PROTOCOL} exports["${subpath}"] must point into ./dist/ (found ${target})`);
      }
      return target.slice('./dist/'.length);
    };
    entries.set(specifier, { js: inDist(conditions.default), dts: inDist(conditions.types) });
  }
  return entries;
}

function clean() {
  rmSync(dist, { recursive: true, force: true });
}

function vendor() {
  if (!existsSync(join(dist, 'index.js'))) throw new BuildError('dist/index.js is missing: run tsc first');
  const { dir, manifest } = protocolPackage();
  const protocolDist = join(dir, 'dist');
  const entries = protocolEntries(manifest);

  // The protocol must be built, and built after its last source edit (pnpm -r build runs it first).
  // Only the outputs of its current sources are taken: a file of a deleted module left in its dist/
  // (tsc does not clean) is not vendored.
  const sources = walk(join(dir, 'src'), isSource);
  const outputs = sources.flatMap((file) => {
    const rel = relative(join(dir, 'src'), file).replace(/\.ts$/, '');
    return [`${rel}.js`, `${rel}.d.ts`];
  });
  const missing = outputs.filter((rel) => !existsSync(join(protocolDist, rel)));
  if (missing.length > 0) {
    throw new BuildError(
      `${PROTOCOL} is not built (no dist/${missing[0]}): run \`pnpm -r --workspace-concurrency=1 build\``,
    );
  }
  if (newest(sources) > oldest(outputs.map((rel) => join(protocolDist, rel)))) {
    throw new BuildError(`${PROTOCOL}'s dist/ is older than its sources: build it first (pnpm -r build)`);
  }
  for (const { js, dts } of entries.values()) {
    if (!outputs.includes(js) || !outputs.includes(dts)) throw new BuildError(`${PROTOCOL} has no source for ${js}`);
  }

  // Copy its .js and .d.ts, without the source-map comments: the maps point at sources the tarball
  // does not carry, so they are left out.
  rmSync(vendorDir, { recursive: true, force: true });
  for (const rel of outputs) {
    const target = join(vendorDir, rel);
    mkdirSync(dirname(target), { recursive: true });
    const text = readFileSync(join(protocolDist, rel), 'utf8');
    writeFileSync(target, text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));
  }

  // Rewrite the specifiers of import/export declarations, `import()` and `import("…")` types.
  const specifierPattern = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(@pay-with-bank\/protocol(?:\/[^'"]*)?)\2/g;
  let rewritten = 0;
  for (const file of walk(dist, (f) => isEmitted(f) && !f.startsWith(vendorDir + sep))) {
    const text = readFileSync(file, 'utf8');
    const next = text.replace(specifierPattern, (_match, prefix, quote, specifier) => {
      const entry = entries.get(specifier);
      if (!entry) {
        throw new BuildError(`${relative(serverDir, file)} imports ${specifier}, which ${PROTOCOL} does not export`);
      }
      let target = toPosix(relative(dirname(file), join(vendorDir, entry.js)));
      if (!target.startsWith('.')) target = `./${target}`;
      rewritten += 1;
      // A relative `./x.js` also resolves to `./x.d.ts` for TypeScript (moduleResolution node16/nodenext/bundler).
      return `${prefix}${quote}${target}${quote}`;
    });
    if (next !== text) writeFileSync(file, next);
  }
  if (rewritten === 0) throw new BuildError(`no ${PROTOCOL} import found in dist/: is this script still needed?`);

  // The bin must start with its shebang and be executable (npm also sets the mode when it links bins).
  const cli = join(dist, 'cli.js');
  if (!readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')) {
    throw new BuildError('dist/cli.js has no shebang');
  }
  chmodSync(cli, 0o755);

  check();
  console.log(`dist: vendored ${PROTOCOL} into dist/vendor/protocol, rewrote ${rewritten} import(s)`);
}

/** The package layout the tarball needs: entry points present, no reference to the workspace-only protocol. */
function check() {
  const pkg = JSON.parse(readFileSync(join(serverDir, 'package.json'), 'utf8'));
  const targets = [...Object.values(pkg.bin ?? {})];
  for (const conditions of Object.values(pkg.publishConfig?.exports ?? pkg.exports ?? {})) {
    const values = typeof conditions === 'string' ? [conditions] : Object.values(conditions);
    targets.push(...values.filter((target) => target.startsWith('./dist/')));
  }
  for (const target of targets) {
    if (!existsSync(join(serverDir, target))) throw new BuildError(`${target} is missing: build the server`);
  }
  const left = walk(dist, isEmitted).filter((file) =>
    /['"]@pay-with-bank\/protocol(?:\/[^'"]*)?['"]/.test(readFileSync(file, 'utf8')),
  );
  if (left.length > 0) {
    throw new BuildError(`still importing ${PROTOCOL}: ${left.map((f) => relative(serverDir, f)).join(', ')}`);
  }
  if (!existsSync(join(vendorDir, 'index.js'))) {
    throw new BuildError('dist/vendor/protocol is missing: build the server');
  }
}

/** Why dist/ cannot be packed as it is, or null when it is complete and newer than every source. */
function staleness() {
  try {
    check();
  } catch (error) {
    if (error instanceof BuildError) return error.message;
    throw error;
  }
  const { dir } = protocolPackage();
  const emitted = walk(dist, isEmitted);
  const inputs = [
    ...walk(join(serverDir, 'src'), isSource),
    ...walk(join(dir, 'src'), isSource),
    join(serverDir, 'tsconfig.build.json'),
    join(serverDir, '..', '..', 'tsconfig.base.json'),
  ];
  if (newest(inputs) > oldest(emitted)) return 'dist/ is older than a source file';
  // A module deleted since the build would otherwise still be packed.
  for (const file of emitted) {
    const rel = relative(dist, file);
    if (rel.startsWith(`vendor${sep}`) || !rel.endsWith('.js')) continue;
    if (!existsSync(join(serverDir, 'src', rel.replace(/\.js$/, '.ts')))) return `dist/${toPosix(rel)} has no source`;
  }
  return null;
}

function ensure() {
  // Only pnpm applies publishConfig.exports (dropping the `source` condition, whose src/ is not
  // packed) and turns the workspace:* devDependencies into versions.
  if (process.env.npm_config_user_agent?.startsWith('npm/')) {
    console.warn('dist: pack with `pnpm pack`: `npm pack` keeps the workspace-only `source` export condition');
  }
  const reason = staleness();
  if (reason === null) return;
  console.log(`dist: ${reason}; building ${PROTOCOL} and the server`);
  const res = spawnSync(
    'pnpm',
    ['--filter', PROTOCOL, '--filter', '@pay-with-bank/server', '--workspace-concurrency=1', 'run', 'build'],
    { cwd: serverDir, stdio: 'inherit' },
  );
  if (res.status !== 0) throw new BuildError(`the build failed (${res.error?.message ?? `exit ${res.status}`})`);
  check();
}

const commands = { clean, vendor, ensure, check };
const command = commands[process.argv[2]];
if (!command) {
  console.error(`usage: node scripts/dist.mjs ${Object.keys(commands).join('|')}`);
  process.exit(2);
}
try {
  command();
} catch (error) {
  if (!(error instanceof BuildError)) throw error;
  console.error(`packages/server/scripts/dist.mjs ${process.argv[2]}: ${error.message}`);
  process.exit(1);
}
