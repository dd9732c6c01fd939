/**
 * One server process per SQLite file, with real processes. Locks, the refresh throttle, the
 * reconciler and the outbox live in one process's memory, so three processes on one file made 1 to
 * 3 provider payments for 50 concurrent starts of one checkout. A second process on the same file
 * is refused at start with a clear one-line reason; the lock dies with its process (SIGKILL too),
 * so a restart after a crash is never blocked. A database setting the server cannot use stops it
 * at start, in one line, without echoing the value.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  callJson,
  freePort,
  killAllChildren,
  MERCHANT_KEY,
  RETURN_URL,
  startSandboxProcess,
  startServerProcess,
  type SandboxProcess,
  type ServerProcess,
} from './processes.js';

let dir: string;
let sandbox: SandboxProcess;
const running: ServerProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pwb-one-process-'));
  sandbox = await startSandboxProcess();
}, 40_000);

afterEach(async () => {
  for (const server of running.splice(0)) await server.stop();
});

afterAll(async () => {
  await sandbox?.stop();
  await killAllChildren();
  rmSync(dir, { recursive: true, force: true });
});

async function start(database: string): Promise<ServerProcess> {
  const server = await startServerProcess({
    sandboxUrl: sandbox.url,
    database,
    webhookUrl: 'http://127.0.0.1:9/hooks',
  });
  running.push(server);
  return server;
}

/** Start a server that must not come up; resolves with what it printed. */
async function refusedStart(database: string): Promise<string> {
  const outcome = await start(database).then(
    () => null,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  expect(outcome, 'the second server started').not.toBeNull();
  return outcome!;
}

describe('one server process per SQLite file', () => {
  it('refuses a second process on the same file with a clear message; the first keeps serving', async () => {
    const database = join(dir, 'shared.sqlite');
    const first = await start(database);
    const printed = await refusedStart(database);
    expect(printed).toMatch(/exited during start \(\{"code":1,"signal":null\}\)/);
    expect(printed).toContain(`the database ${database} is in use by another pay-with-bank server process`);

    const session = await callJson(first.url, 'POST', '/v1/sessions', MERCHANT_KEY, {
      amount: { value: 12500, currency: 'DKK' },
      reference: 'ONE-PROCESS',
      description: 'Two ceramic mugs',
      returnUrl: RETURN_URL,
    });
    expect(session.status).toBe(201);
    expect((await first.stop()).code).toBe(0);
    // Stopped cleanly: the file is free again.
    await start(database);
  }, 60_000);

  it('a SIGKILLed process leaves no stale lock: the restart on its file starts at once', async () => {
    const database = join(dir, 'killed.sqlite');
    const doomed = await start(database);
    doomed.process.kill('SIGKILL');
    expect(await doomed.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const restarted = await start(database);
    expect((await callJson(restarted.url, 'GET', '/healthz', MERCHANT_KEY)).status).toBe(200);
  }, 60_000);

  it('a PostgreSQL server it cannot reach stops the server at start with a one-line reason, never echoing the URL', async () => {
    const port = await freePort(); // nothing listens there
    const printed = await refusedStart(`postgres://pwb:s3cret-pw@127.0.0.1:${port}/pwb`);
    expect(printed).toContain('failed to start: the PostgreSQL database is unavailable (ECONNREFUSED)');
    expect(printed).not.toContain('s3cret-pw');
    expect(printed).not.toContain(`:${port}`);
  }, 60_000);
});
