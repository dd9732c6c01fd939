/**
 * Crash safety (design invariants 5 and 7): the server process is killed with SIGKILL at a named
 * crash point (src/crash-points.ts, PWB_CRASH_AT) in the middle of a payment, restarted on the
 * same database (a SQLite file, then a PostgreSQL schema) without PWB_CRASH_AT, and the payment
 * must resume with nothing lost and nothing duplicated: one provider payment per attempt, exactly
 * one successful provider payment per checkout, every merchant notification delivered (at least
 * once, same event id) and acknowledged. On PostgreSQL what a dead server held outlives it in the
 * database (an outbox lease until it ends, a provider-call claim for its interval), and a start
 * waits for a create another instance might still be making before it answers.
 *
 * Sandbox and server are real child processes; this process is the merchant backend (merchant API,
 * webhook receiver), the browser (checkout API) and the shopper (Mastercard hosted pages via form
 * posts; Vipps approval via the sandbox's control endpoint, which then sends Vipps' webhook).
 * Each test prints one `survived <crash point> (<store>): …` line.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CrashPointName } from '../../src/crash-points.js';
import pg from 'pg';
import { openSqlDatabase } from '../../src/store/sqlite-driver.js';
import { freshSchemaUrl, sharedPostgresUrl } from '../helpers/postgres.js';
import {
  MERCHANT_KEY,
  RETURN_URL,
  callJson,
  expectConnectionDropped,
  freePort,
  killAllChildren,
  providerPayments,
  registerVippsWebhook,
  shopperConfirms,
  startSandboxProcess,
  startServerProcess,
  startWebhookReceiver,
  vippsControl,
  waitUntil,
  type JsonResponse,
  type ReceivedEvent,
  type SandboxProcess,
  type ServerProcess,
  type ServerProcessOptions,
  type VippsWebhookDelivery,
  type WebhookReceiver,
  unregisterVippsWebhook,
} from './processes.js';

const TEST_TIMEOUT_MS = 60_000;

let dir: string;
let sandbox: SandboxProcess;
let receiver: WebhookReceiver;
/** Servers started by the current test (stopped after it, whatever happened). */
const running: ServerProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pwb-crash-'));
  [sandbox, receiver] = await Promise.all([startSandboxProcess(), startWebhookReceiver()]);
}, 40_000);

afterEach(async () => {
  // A failed test may leave its server running; the sandbox is stopped in afterAll.
  for (const server of running.splice(0)) await server.stop();
});

afterAll(async () => {
  await sandbox?.stop();
  await killAllChildren();
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startServer(
  database: TestDatabase,
  crashAt?: CrashPointName,
  extra: Pick<ServerProcessOptions, 'port' | 'vipps'> = {},
): Promise<ServerProcess> {
  const server = await startServerProcess({
    sandboxUrl: sandbox.url,
    database: database.url,
    // On PostgreSQL (shared by instances) a start waits this + 2 s for a create another instance may
    // still be making; the crashed one is not, so keep the wait short.
    env: { PWB_PROVIDER_TIMEOUT_MS: '3000' },
    webhookUrl: receiver.url,
    ...(crashAt ? { crashAt } : {}),
    ...extra,
  });
  running.push(server);
  return server;
}

async function expectKilledAtCrashPoint(server: ServerProcess): Promise<void> {
  // SIGKILL, not an exit code: nothing in the server got to run on the way out.
  expect(await server.exited).toEqual({ code: null, signal: 'SIGKILL' });
}

async function stopCleanly(server: ServerProcess): Promise<void> {
  expect(await server.stop()).toEqual({ code: 0, signal: null });
}

type StoreKind = 'sqlite' | 'postgres';

/**
 * The database a test's servers share, and a reader of what is durably committed there: the SQLite
 * file (with the driver the server uses) or the PostgreSQL schema (a client of its own). SQL is
 * written once, with `?` placeholders; counts come back as numbers from both.
 */
interface TestDatabase {
  /** PWB_DATABASE. */
  url: string;
  all<T>(sql: string, ...params: unknown[]): Promise<T[]>;
  one<T>(sql: string, ...params: unknown[]): Promise<T>;
}

async function testDatabase(kind: StoreKind, name: string): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const file = join(dir, `${name}.sqlite`);
    const all = async <T>(sql: string, ...params: unknown[]): Promise<T[]> => {
      if (!existsSync(file)) throw new Error(`no database at ${file}`);
      const db = openSqlDatabase(file);
      try {
        const statement = db.prepare(sql);
        if (!/^\s*select/i.test(sql)) {
          statement.run(...params);
          return [];
        }
        return statement.all(...params) as T[];
      } finally {
        db.close();
      }
    };
    return { url: file, all, one: async (sql, ...params) => (await all(sql, ...params))[0] as never };
  }
  const url = await freshSchemaUrl(await sharedPostgresUrl());
  const all = async <T>(sql: string, ...params: unknown[]): Promise<T[]> => {
    const client = new pg.Client({
      connectionString: url,
      // COUNT(*) is a bigint: a number here, as SQLite gives it.
      types: {
        getTypeParser: (oid: number, format?: string) =>
          oid === 20 ? Number : pg.types.getTypeParser(oid, format as 'text'),
      },
    });
    await client.connect();
    try {
      let n = 0;
      return (
        await client.query(
          sql.replace(/\?/g, () => `$${++n}`),
          params,
        )
      ).rows as T[];
    } finally {
      await client.end();
    }
  };
  return { url, all, one: async (sql, ...params) => (await all(sql, ...params))[0] as never };
}

async function createSession(server: ServerProcess, reference: string) {
  const res = await callJson(server.url, 'POST', '/v1/sessions', MERCHANT_KEY, {
    amount: { value: 12500, currency: 'DKK' },
    reference,
    description: 'Two ceramic mugs',
    returnUrl: RETURN_URL,
  });
  expect(res.status).toBe(201);
  return res.body as { session: { id: string }; clientToken: string };
}

function startPayment(
  server: ServerProcess,
  clientToken: string,
  attemptId: string,
  bankId = 'DK_TestBank',
  replace = false,
): Promise<JsonResponse> {
  return callJson(server.url, 'POST', '/v1/checkout/payments', clientToken, {
    method: 'bank',
    attemptId,
    bankId,
    ...(replace ? { replace } : {}),
  });
}

/** What the widget does on return: token and payment id from the return URL, refresh until final. */
async function returnAndRefresh(server: ServerProcess, back: URL): Promise<JsonResponse> {
  expect(`${back.origin}${back.pathname}`).toBe(RETURN_URL);
  const token = back.searchParams.get('pwb_return')!;
  const paymentId = back.searchParams.get('pwb_payment')!;
  let res: JsonResponse | null = null;
  for (let i = 0; i < 5; i++) {
    res = await callJson(server.url, 'POST', `/v1/checkout/payments/${paymentId}/refresh`, token);
    expect(res.status).toBe(200);
    if (['completed', 'failed', 'cancelled', 'expired'].includes(res.body.payment.status)) break;
    await new Promise((r) => setTimeout(r, 1_100)); // refresh is throttled to one provider call per second
  }
  return res!;
}

async function merchantSession(server: ServerProcess, sessionId: string) {
  const res = await callJson(server.url, 'GET', `/v1/sessions/${sessionId}`, MERCHANT_KEY);
  expect(res.status).toBe(200);
  return res.body as { session: { state: string }; payments: { id: string; status: string; failure: unknown }[] };
}

/** Outbox rows not acknowledged yet (the merchant answered 2xx and we recorded it). */
async function undeliveredCount(database: TestDatabase): Promise<number> {
  return (await database.one<{ n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL')).n;
}

/**
 * The merchant's view must be consistent: every delivery correctly signed, redeliveries of one
 * event id byte-identical, and after deduplication by id no payment announced twice in one state.
 */
function notificationsFor(paymentIds: string[]): ReceivedEvent[] {
  const mine = receiver.deliveries.filter((d) => paymentIds.includes(d.paymentId));
  expect(mine.every((d) => d.signatureValid)).toBe(true);
  const bodyById = new Map<string, string>();
  for (const d of mine) {
    expect(bodyById.get(d.id) ?? d.body).toBe(d.body);
    bodyById.set(d.id, d.body);
  }
  const unique = receiver.unique().filter((d) => paymentIds.includes(d.paymentId));
  const keys = unique.map((d) => `${d.paymentId} ${d.type}`);
  expect(new Set(keys).size).toBe(keys.length);
  return unique;
}

/** One line per crash point survived, in the test output. */
function report(point: CrashPointName, outcome: string, kind: 'sqlite' | 'postgres'): void {
  console.log(`survived ${point} (${kind}): ${outcome}`);
}

for (const kind of ['sqlite', 'postgres'] as const) {
  /** The merchant reference of a checkout: the sandbox keeps the payments of both runs. */
  const ref = (reference: string) => (kind === 'sqlite' ? reference : `${reference}-PG`);

  describe(`crash safety (SIGKILL at a crash point, restart on the same ${kind === 'sqlite' ? 'SQLite file' : 'PostgreSQL database'})`, () => {
    it(
      'start-payment:before-provider-create → the interrupted attempt is failed by the reconciler, a new attempt pays once',
      async () => {
        const reference = ref('CRASH-BEFORE-CREATE');
        const database = await testDatabase(kind, 'before-create');
        const doomed = await startServer(database, 'start-payment:before-provider-create');
        const { session, clientToken } = await createSession(doomed, reference);
        await expectConnectionDropped(startPayment(doomed, clientToken, 'attempt-first-01'));
        await expectKilledAtCrashPoint(doomed);

        // The provider was never called, but our row was committed before the call would have been made.
        expect(await providerPayments(sandbox.url, reference)).toHaveLength(0);
        const rows = await database.all<{ id: string; status: string; provider_payment_id: string | null }>(
          'SELECT id, status, provider_payment_id FROM payments WHERE session_id = ?',
          session.id,
        );
        expect(rows).toEqual([{ id: expect.stringMatching(/^pay_/), status: 'created', provider_payment_id: null }]);
        const interruptedId = rows[0]!.id;

        // The server comes back after three minutes of downtime. The reconciler's rule for interrupted
        // creates compares the row's creation time with now (2 minutes), so the downtime is simulated
        // by moving that one timestamp back; nothing else in the file is touched.
        await database.all(
          'UPDATE payments SET created_at = ? WHERE id = ?',
          new Date(Date.now() - 3 * 60_000).toISOString(),
          interruptedId,
        );

        const server = await startServer(database);
        await waitUntil(
          async () =>
            (await callJson(server.url, 'GET', `/v1/payments/${interruptedId}`, MERCHANT_KEY)).body.payment.status ===
            'failed',
          'the reconciler to fail the interrupted create',
        );
        const failed = await callJson(server.url, 'GET', `/v1/payments/${interruptedId}`, MERCHANT_KEY);
        expect(failed.body.payment).toMatchObject({
          status: 'failed',
          providerPaymentId: null,
          failure: { code: 'create_interrupted' },
        });

        // The same attempt is not silently re-created: a new attempt is explicit.
        const replay = await startPayment(server, clientToken, 'attempt-first-01');
        expect(replay.status).toBe(409);
        expect(replay.body.error.code).toBe('invalid_state');
        expect(await providerPayments(sandbox.url, reference)).toHaveLength(0);

        const second = await startPayment(server, clientToken, 'attempt-second-02');
        expect(second.status).toBe(200);
        const done = await returnAndRefresh(server, await shopperConfirms(sandbox.url, second.body.redirectUrl));
        expect(done.body.payment).toMatchObject({ id: second.body.payment.id, status: 'completed' });

        const atProvider = await providerPayments(sandbox.url, reference);
        expect(atProvider.map((p) => p.status.code)).toEqual(['Succeeded']);
        const merchant = await merchantSession(server, session.id);
        expect(merchant.session.state).toBe('paid');
        expect(merchant.payments.map((p) => [p.id, p.status])).toEqual([
          [second.body.payment.id, 'completed'],
          [interruptedId, 'failed'],
        ]);

        await waitUntil(async () => (await undeliveredCount(database)) === 0, 'every notification to be acknowledged');
        const events = notificationsFor([interruptedId, second.body.payment.id]);
        expect(events.map((e) => [e.paymentId, e.type]).sort()).toEqual(
          [
            [interruptedId, 'payment.failed'],
            [second.body.payment.id, 'payment.pending'],
            [second.body.payment.id, 'payment.completed'],
          ].sort(),
        );
        await stopCleanly(server);
        report(
          'start-payment:before-provider-create',
          'interrupted attempt failed (create_interrupted), replay refused, new attempt completed; 1 provider payment',
          kind,
        );
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'start-payment:after-provider-create → no second provider payment for the attempt, the session still completes',
      async () => {
        const reference = ref('CRASH-AFTER-CREATE');
        const database = await testDatabase(kind, 'after-create');
        const doomed = await startServer(database, 'start-payment:after-provider-create');
        const { session, clientToken } = await createSession(doomed, reference);
        await expectConnectionDropped(startPayment(doomed, clientToken, 'attempt-first-01'));
        await expectKilledAtCrashPoint(doomed);

        // The provider created its payment; we never wrote its id, and never sent the shopper there.
        const orphan = await providerPayments(sandbox.url, reference);
        expect(orphan.map((p) => p.status.code)).toEqual(['Preparing']);
        const rows = await database.all<{ id: string; status: string; provider_payment_id: string | null }>(
          'SELECT id, status, provider_payment_id FROM payments WHERE session_id = ?',
          session.id,
        );
        expect(rows).toEqual([{ id: expect.stringMatching(/^pay_/), status: 'created', provider_payment_id: null }]);

        const server = await startServer(database);
        // The browser retries the same attempt: it is still being resolved, and the provider is not called again.
        const replay = await startPayment(server, clientToken, 'attempt-first-01');
        expect(replay.status).toBe(409);
        expect(replay.body.error).toMatchObject({ code: 'payment_in_progress', details: { paymentId: rows[0]!.id } });
        expect(await providerPayments(sandbox.url, reference)).toHaveLength(1);

        // The interrupted row has no provider id yet and is still open (the reconciler fails it only
        // after two minutes), so a plain new attempt defers to it: payment_in_progress, nothing created.
        const blocked = await startPayment(server, clientToken, 'attempt-blocked-02');
        expect(blocked.status).toBe(409);
        expect(blocked.body.error).toMatchObject({ code: 'payment_in_progress', details: { paymentId: rows[0]!.id } });
        expect(await providerPayments(sandbox.url, reference)).toHaveLength(1);
        // The shopper chooses to pay another way (the widget sends replace): it is superseded and the
        // new attempt completes.
        const second = await startPayment(server, clientToken, 'attempt-second-02', 'DK_TestBank', true);
        expect(second.status).toBe(200);
        const done = await returnAndRefresh(server, await shopperConfirms(sandbox.url, second.body.redirectUrl));
        expect(done.body.payment).toMatchObject({ id: second.body.payment.id, status: 'completed' });

        // Two provider payments for two attempts; exactly one succeeded, the orphan was never reachable.
        const atProvider = await providerPayments(sandbox.url, reference);
        expect(atProvider).toHaveLength(2);
        expect(atProvider.filter((p) => p.status.code === 'Succeeded')).toHaveLength(1);
        expect(atProvider.find((p) => p.paymentId === orphan[0]!.paymentId)!.status.code).toBe('Preparing');
        const merchant = await merchantSession(server, session.id);
        expect(merchant.session.state).toBe('paid');
        expect(merchant.payments.map((p) => p.status)).toEqual(['completed', 'created']);

        await waitUntil(async () => (await undeliveredCount(database)) === 0, 'every notification to be acknowledged');
        const events = notificationsFor([rows[0]!.id, second.body.payment.id]);
        expect(events.map((e) => e.type).sort()).toEqual(['payment.completed', 'payment.pending']);
        await stopCleanly(server);
        report(
          'start-payment:after-provider-create',
          'same attempt and a plain new one answered payment_in_progress without a provider call, replacing attempt completed; 1 succeeded provider payment',
          kind,
        );
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'create-session:after-commit → the merchant’s retry with its Idempotency-Key gets the same session and token, not a second one',
      async () => {
        const database = await testDatabase(kind, 'create-session');
        const doomed = await startServer(database, 'create-session:after-commit');
        const request = {
          amount: { value: 12500, currency: 'DKK' },
          reference: ref('CRASH-SESSION'),
          description: 'Two ceramic mugs',
          returnUrl: RETURN_URL,
        };
        const headers = { 'idempotency-key': 'order-CRASH-SESSION' };
        await expectConnectionDropped(callJson(doomed.url, 'POST', '/v1/sessions', MERCHANT_KEY, request, headers));
        await expectKilledAtCrashPoint(doomed);
        const committed = await database.all<{ id: string }>('SELECT id FROM sessions');
        expect(committed).toHaveLength(1);

        const server = await startServer(database);
        const retry = await callJson(server.url, 'POST', '/v1/sessions', MERCHANT_KEY, request, headers);
        expect(retry.status).toBe(201);
        expect(retry.headers.get('idempotent-replayed')).toBe('true');
        expect(retry.body.session.id).toBe(committed[0]!.id);
        // The token works: it reads that very session.
        const seen = await callJson(server.url, 'GET', '/v1/checkout/session', retry.body.clientToken as string);
        expect(seen.status).toBe(200);
        expect(seen.body.reference).toBe(ref('CRASH-SESSION'));
        // A second retry agrees, and still only one session exists.
        const again = await callJson(server.url, 'POST', '/v1/sessions', MERCHANT_KEY, request, headers);
        expect([again.body.session.id, again.body.clientToken]).toEqual([
          retry.body.session.id,
          retry.body.clientToken,
        ]);
        expect((await database.one<{ n: number }>('SELECT COUNT(*) AS n FROM sessions')).n).toBe(1);
        await stopCleanly(server);
        report('create-session:after-commit', 'the retry replayed the committed session and token; one session', kind);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'refresh:after-provider-answer → after the restart the refresh finishes and the payment is completed',
      async () => {
        const reference = ref('CRASH-REFRESH');
        const database = await testDatabase(kind, 'refresh');
        const doomed = await startServer(database, 'refresh:after-provider-answer');
        const { session, clientToken } = await createSession(doomed, reference);
        const started = await startPayment(doomed, clientToken, 'attempt-first-01');
        expect(started.status).toBe(200);
        const paymentId = started.body.payment.id as string;
        const back = await shopperConfirms(sandbox.url, started.body.redirectUrl);
        expect((await providerPayments(sandbox.url, reference)).map((p) => p.status.code)).toEqual(['Succeeded']);

        const token = back.searchParams.get('pwb_return')!;
        await expectConnectionDropped(
          callJson(doomed.url, 'POST', `/v1/checkout/payments/${paymentId}/refresh`, token),
        );
        await expectKilledAtCrashPoint(doomed);
        // The provider's answer died with the process: nothing was written.
        const stored = await database.one('SELECT status, provider_status FROM payments WHERE id = ?', paymentId);
        expect(stored).toEqual({ status: 'pending', provider_status: 'Preparing' });

        const server = await startServer(database);
        const before = await callJson(server.url, 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY);
        expect(before.body.payment.status).toBe('pending');
        // The shopper's page retries its refresh (same return URL): the provider is asked again.
        const done = await returnAndRefresh(server, back);
        expect(done.body.payment).toMatchObject({ id: paymentId, status: 'completed', providerStatus: 'Succeeded' });
        expect((await merchantSession(server, session.id)).session.state).toBe('paid');
        expect(await providerPayments(sandbox.url, reference)).toHaveLength(1);

        await waitUntil(async () => (await undeliveredCount(database)) === 0, 'every notification to be acknowledged');
        expect(notificationsFor([paymentId]).map((e) => e.type)).toEqual(['payment.pending', 'payment.completed']);
        const statusEvents = await database.all<{ status: string }>(
          'SELECT status FROM payment_events WHERE payment_id = ? ORDER BY seq',
          paymentId,
        );
        expect(statusEvents.filter((e) => e.status === 'completed')).toHaveLength(1);
        await stopCleanly(server);
        report(
          'refresh:after-provider-answer',
          'refresh after restart completed the payment; one completed event',
          kind,
        );
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'outbox:in-flight → the acknowledged-but-unrecorded notification is delivered again (same id) and then recorded',
      async () => {
        const reference = ref('CRASH-OUTBOX');
        const database = await testDatabase(kind, 'outbox');
        const doomed = await startServer(database, 'outbox:in-flight');
        const { session, clientToken } = await createSession(doomed, reference);
        // The worker may kill the process before or after this answer is flushed (it polls every second).
        const first = await startPayment(doomed, clientToken, 'attempt-first-01').catch(() => null);
        await expectKilledAtCrashPoint(doomed);

        // The merchant received and acknowledged payment.pending; the server did not record it.
        const outbox = await database.all<{ id: string; type: string; delivered_at: string | null; attempts: number }>(
          'SELECT id, type, delivered_at, attempts FROM outbox ORDER BY seq',
        );
        expect(outbox).toEqual([
          { id: expect.stringMatching(/^evt_/), type: 'payment.pending', delivered_at: null, attempts: 0 },
        ]);
        const eventId = outbox[0]!.id;
        expect(receiver.deliveries.filter((d) => d.id === eventId)).toHaveLength(1);

        const server = await startServer(database);
        // On PostgreSQL the dead server's lease on the row outlives it (the delivery timeout + 5 s).
        await receiver.waitFor(
          (all) => all.filter((d) => d.id === eventId).length >= 2,
          'the redelivery of the event',
          kind === 'sqlite' ? 20_000 : 30_000,
        );
        await waitUntil(async () => (await undeliveredCount(database)) === 0, 'the redelivery to be recorded');

        // The payment itself carries on: same attempt → same payment, then completed.
        const replay = await startPayment(server, clientToken, 'attempt-first-01');
        expect(replay.status).toBe(200);
        if (first) expect(replay.body).toEqual(first.body);
        const paymentId = replay.body.payment.id as string;
        const done = await returnAndRefresh(server, await shopperConfirms(sandbox.url, replay.body.redirectUrl));
        expect(done.body.payment).toMatchObject({ id: paymentId, status: 'completed' });
        expect((await merchantSession(server, session.id)).session.state).toBe('paid');
        expect(await providerPayments(sandbox.url, reference)).toHaveLength(1);

        await receiver.waitFor(
          (all) => all.some((d) => d.paymentId === paymentId && d.type === 'payment.completed'),
          'payment.completed',
        );
        await waitUntil(async () => (await undeliveredCount(database)) === 0, 'every notification to be acknowledged');
        // Exactly twice: once before the crash, once after; recorded from then on, never sent again.
        expect(receiver.deliveries.filter((d) => d.id === eventId)).toHaveLength(2);
        expect(notificationsFor([paymentId]).map((e) => e.type)).toEqual(['payment.pending', 'payment.completed']);
        await stopCleanly(server);
        report(
          'outbox:in-flight',
          'notification redelivered with the same event id, then recorded; merchant deduped it',
          kind,
        );
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'callback:before-apply (Vipps ePayment webhook) → the redelivered webhook is applied exactly once after the restart',
      async () => {
        const database = await testDatabase(kind, 'callback');
        // The provider must reach the restarted server at the same URL: a fixed port and PWB_PUBLIC_URL.
        const port = await freePort();
        const hook = await registerVippsWebhook(
          sandbox.url,
          `http://127.0.0.1:${port}/v1/callbacks/vipps-epayment/webhooks`,
        );
        const vipps = { webhookSecret: hook.secret };
        // Vipps retries a webhook that got no 2xx; faster than its default backoff, for the test.
        await vippsControl(sandbox.url, 'PUT', '/webhook-retry', {
          maxAttempts: 40,
          initialDelayMs: 250,
          multiplier: 1,
        });
        // Only the authorisation's webhook goes out (the "created" one is dropped), so the crash
        // happens on exactly that event.
        await vippsControl(sandbox.url, 'PUT', '/webhook-delivery', { enabled: false });

        const doomed = await startServer(database, 'callback:before-apply', { port, vipps });
        const created = await callJson(doomed.url, 'POST', '/v1/sessions', MERCHANT_KEY, {
          amount: { value: 49900, currency: 'NOK' },
          reference: ref('CRASH-CALLBACK'),
          description: 'Wool sweater',
          returnUrl: RETURN_URL,
          methods: ['vipps'],
        });
        expect(created.status).toBe(201);
        const { session, clientToken } = created.body as { session: { id: string }; clientToken: string };
        const started = await callJson(doomed.url, 'POST', '/v1/checkout/payments', clientToken, {
          method: 'vipps',
          attemptId: 'attempt-first-01',
          phoneNumber: '91234567',
        });
        expect(started.status).toBe(200);
        const paymentId = started.body.payment.id as string;
        const reference = (await callJson(doomed.url, 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY)).body.payment
          .providerPaymentId as string;
        await vippsControl(sandbox.url, 'PUT', '/webhook-delivery', { enabled: true });

        // The user approves in the app; Vipps sends epayments.payment.authorized.v1 and the server dies
        // after authenticating it, before writing anything.
        await vippsControl(sandbox.url, 'POST', `/payments/${reference}/approve`, { phoneNumber: '91234567' });
        await expectKilledAtCrashPoint(doomed);
        const stored = {
          status: (await database.one<{ status: string }>('SELECT status FROM payments WHERE id = ?', paymentId))
            .status,
          keys: await database.all('SELECT dedupe_key FROM payment_events WHERE dedupe_key IS NOT NULL'),
        };
        expect(stored).toEqual({ status: 'pending', keys: [] });
        const deliveries = () =>
          vippsControl(sandbox.url, 'GET', `/webhook-deliveries?reference=${reference}`) as Promise<
            VippsWebhookDelivery[]
          >;
        const authorized = async () =>
          (await deliveries()).filter((d) => d.event === 'epayments.payment.authorized.v1');
        expect((await authorized()).map((d) => d.state)).toEqual(['pending']);

        // Unacknowledged, Vipps keeps sending it; the restarted server verifies and applies it.
        const server = await startServer(database, undefined, { port, vipps });
        await waitUntil(
          async () => (await authorized()).every((d) => d.state === 'delivered'),
          'Vipps to redeliver the webhook',
        );
        const [delivery] = await authorized();
        expect(delivery!.attempts.length).toBeGreaterThanOrEqual(2);
        expect(delivery!.attempts.at(-1)).toMatchObject({ httpStatus: 200 });

        const payment = await callJson(server.url, 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY);
        expect(payment.body.payment).toMatchObject({ status: 'authorized', authorizedAmount: 49900 });
        expect((await merchantSession(server, session.id)).session.state).toBe('paid');
        const applied = await database.all<{ source: string; status: string }>(
          'SELECT source, status FROM payment_events WHERE dedupe_key IS NOT NULL',
        );
        expect(applied).toEqual([{ source: 'callback', status: 'authorized' }]);
        // One provider payment for the attempt, and a replay of the attempt does not create another.
        const replay = await callJson(server.url, 'POST', '/v1/checkout/payments', clientToken, {
          method: 'vipps',
          attemptId: 'attempt-first-01',
          phoneNumber: '91234567',
        });
        expect(replay.body.payment).toMatchObject({ id: paymentId, status: 'authorized' });
        const stats = (await vippsControl(sandbox.url, 'GET', '/stats')) as {
          byPayment: Record<string, { byRoute: Record<string, number> }>;
        };
        expect(stats.byPayment[reference]!.byRoute['POST /epayment/v1/payments']).toBe(1);

        await waitUntil(async () => (await undeliveredCount(database)) === 0, 'every notification to be acknowledged');
        expect(notificationsFor([paymentId]).map((e) => e.type)).toEqual(['payment.pending', 'payment.authorized']);
        await stopCleanly(server);
        await unregisterVippsWebhook(sandbox.url, hook.id);
        report(
          'callback:before-apply',
          'Vipps redelivered the unacknowledged webhook; applied once, session paid',
          kind,
        );
      },
      TEST_TIMEOUT_MS,
    );
  });
}
