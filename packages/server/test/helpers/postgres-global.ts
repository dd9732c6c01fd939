/**
 * vitest global setup: the run directory where the first test file that needs PostgreSQL starts the
 * shared throwaway cluster (helpers/postgres.ts), and the teardown that stops and deletes it, or, on
 * PWB_TEST_POSTGRES's server, drops the schemas this run created.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { clusterAt, RUN_FILES, schemaPrefix, type ClusterFiles } from './postgres.js';

export default function setup(project: TestProject): () => Promise<void> {
  const runDir = mkdtempSync(join(tmpdir(), 'pwb-pg-run-'));
  // As root the cluster inside it runs as the postgres user, which must be able to reach it.
  chmodSync(runDir, 0o711);
  project.provide('pwbPostgresRunDir', runDir);
  return async () => {
    const clusterFile = join(runDir, RUN_FILES.cluster);
    if (existsSync(clusterFile)) {
      await clusterAt(JSON.parse(readFileSync(clusterFile, 'utf8')) as ClusterFiles).destroy();
    }
    const external = process.env.PWB_TEST_POSTGRES;
    if (external) await dropSchemas(external, schemaPrefix(runDir));
    rmSync(runDir, { recursive: true, force: true });
  };
}

async function dropSchemas(url: string, prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const { rows } = await client.query<{ name: string }>(
      'SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)',
      [prefix],
    );
    for (const { name } of rows) await client.query(`DROP SCHEMA ${name} CASCADE`);
  } finally {
    await client.end().catch(() => {});
  }
}
