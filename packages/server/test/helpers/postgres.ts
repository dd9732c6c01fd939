/**
 * PostgreSQL for the tests: a throwaway cluster (initdb + pg_ctl in a temp directory, on a free
 * loopback port), or the server `PWB_TEST_POSTGRES=postgres://…` names.
 *
 * - One shared cluster per vitest run, started by the first test file that needs it (the others
 *   wait for it) and stopped by the run's global teardown (postgres-global.ts). A run that needs no
 *   PostgreSQL starts none.
 * - Each store a test opens gets a schema of its own (search_path in the URL), so tests and files
 *   never see each other's rows; on PWB_TEST_POSTGRES's server the teardown drops those schemas.
 * - A test that must stop and start PostgreSQL starts a cluster of its own (startCluster).
 * - No PostgreSQL binaries: the PostgreSQL tests fail with POSTGRES_MISSING (never skipped).
 *
 * PostgreSQL refuses to run as root, so as root (CI) initdb/pg_ctl run as the `postgres` user
 * (runuser), in a directory it owns; otherwise they run as the current user.
 */
import { spawn } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { PostgresStore } from '../../src/store/postgres.js';

export const POSTGRES_MISSING =
  'PostgreSQL is not installed: run `bash scripts/setup.sh` or apt-get install postgresql ' +
  '(or set PWB_TEST_POSTGRES=postgres://… to use a running server)';

/** Where Debian's packages put the server binaries (`/usr/lib/postgresql/<version>/bin`), newest version first. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter(
      (v) =>
        /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'pg_ctl')) && existsSync(join(root, v, 'bin', 'initdb')),
    )
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

const asRoot = (): boolean => process.getuid?.() === 0;

function run(command: string, args: string[]): Promise<void> {
  // As root, as the postgres user: the server refuses to run as root.
  const [cmd, argv] = asRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args[0] ?? ''} exited ${code}:\n${output.slice(-2000)}`)),
    );
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Cluster {
  /** `postgres://pwb@127.0.0.1:<port>/postgres` (trust authentication: no password). */
  url: string;
  port: number;
  dir: string;
  /** Stop the server: `fast` (sessions are ended, a clean shutdown) or `immediate` (like a crash). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Start it again on the same port and data. */
  start(): Promise<void>;
  /** Stop it and delete its directory. */
  destroy(): Promise<void>;
}

export interface ClusterFiles {
  bin: string;
  dir: string;
  port: number;
}

export interface ClusterOptions {
  /**
   * Commits wait for their WAL to be written (PostgreSQL's default, synchronous_commit=on), so a
   * crash of the server processes (`stop('immediate')`, a kill) loses no acknowledged commit, as in
   * production. Default off: a throwaway cluster need not survive a crash (fsync stays off either
   * way: the operating system, which keeps written data, is not the one crashing).
   */
  durableCommits?: boolean;
}

/** A new throwaway cluster on a free loopback port, running. Throws POSTGRES_MISSING without binaries. */
export async function startCluster(parent = tmpdir(), options: ClusterOptions = {}): Promise<Cluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(POSTGRES_MISSING);
  const dir = mkdtempSync(join(parent, 'pwb-pg-'));
  if (asRoot()) chownSync(dir, ...postgresIds());
  // ICU en-US as the default collation (where the build has ICU), like many production databases:
  // the store must not depend on a byte-order ("C") default.
  await run(join(bin, 'initdb'), [
    '-D',
    join(dir, 'data'),
    '-A',
    'trust',
    '-U',
    'pwb',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--locale-provider=icu',
    '--icu-locale=en-US',
  ]).catch(() => run(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'pwb', '-E', 'UTF8']));
  const cluster = clusterAt({ bin, dir, port: await freePort() }, options);
  await cluster.start();
  return cluster;
}

/** The cluster whose files are in `files.dir` (started or not). */
export function clusterAt({ bin, dir, port }: ClusterFiles, { durableCommits = false }: ClusterOptions = {}): Cluster {
  const pgCtl = join(bin, 'pg_ctl');
  const data = join(dir, 'data');
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=300',
    // A throwaway cluster: no waiting for the disk (a clean stop still writes everything).
    '-c fsync=off',
    `-c synchronous_commit=${durableCommits ? 'on' : 'off'}`,
    '-c full_page_writes=off',
  ].join(' ');
  return {
    url: `postgres://pwb@127.0.0.1:${port}/postgres`,
    port,
    dir,
    stop: (mode = 'fast') => run(pgCtl, ['-D', data, '-m', mode, '-w', 'stop']),
    start: () => run(pgCtl, ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']),
    async destroy() {
      await run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresIds(): [number, number] {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error(`${POSTGRES_MISSING} (there is no postgres user to run it as)`);
  const [, , uid, gid] = line.split(':');
  return [Number(uid), Number(gid)];
}

// ------------------------------------------------------------------------------------------------
// The run's shared server

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's directory for the shared cluster (postgres-global.ts). */
    pwbPostgresRunDir: string;
  }
}

/** Names of the files in the run directory. */
export const RUN_FILES = { lock: 'starting', cluster: 'cluster.json', failed: 'failed.txt' } as const;

let shared: Promise<string> | undefined;

/** The run's PostgreSQL server URL: PWB_TEST_POSTGRES, or the shared throwaway cluster (started on first use). */
export function sharedPostgresUrl(): Promise<string> {
  shared ??= findOrStartShared();
  return shared;
}

async function findOrStartShared(): Promise<string> {
  if (process.env.PWB_TEST_POSTGRES) return process.env.PWB_TEST_POSTGRES;
  const runDir = inject('pwbPostgresRunDir');
  const file = (name: string) => join(runDir, name);
  let starter = false;
  try {
    mkdirSync(file(RUN_FILES.lock));
    starter = true;
  } catch {
    // Another test file is starting it.
  }
  if (starter) {
    try {
      const cluster = await startCluster(runDir);
      const bin = postgresBinDir()!;
      writeFileSync(file(RUN_FILES.cluster), JSON.stringify({ bin, dir: cluster.dir, port: cluster.port }));
      return cluster.url;
    } catch (error) {
      writeFileSync(file(RUN_FILES.failed), error instanceof Error ? error.message : String(error));
      throw error;
    }
  }
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (existsSync(file(RUN_FILES.failed))) throw new Error(readFileSync(file(RUN_FILES.failed), 'utf8'));
    if (existsSync(file(RUN_FILES.cluster))) {
      const { port } = JSON.parse(readFileSync(file(RUN_FILES.cluster), 'utf8')) as ClusterFiles;
      return `postgres://pwb@127.0.0.1:${port}/postgres`;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the shared PostgreSQL test cluster did not start within 90 s');
}

/** The prefix of every schema this run creates (so the teardown can drop them on a shared server). */
export function schemaPrefix(runDir: string): string {
  return `pwb_test_${runDir
    .replace(/.*[-_]/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')}_`;
}

let schemas = 0;

/** `url` with a new, empty schema as its search_path. */
export async function freshSchemaUrl(url: string): Promise<string> {
  const schema = `${schemaPrefix(inject('pwbPostgresRunDir'))}${process.pid}_${++schemas}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  return withSearchPath(url, schema);
}

export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** A PostgresStore on a schema of its own on the run's server. */
export async function openTestPostgresStore(options: { poolSize?: number } = {}): Promise<PostgresStore> {
  const url = await freshSchemaUrl(await sharedPostgresUrl());
  return new PostgresStore({ url, poolSize: options.poolSize ?? 4 });
}
