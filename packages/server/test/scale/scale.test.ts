/**
 * Scale-out (issue 11): three companion server processes on one PostgreSQL database, behind a
 * round-robin load balancer (proxy.ts) in this process, with the provider sandbox in a process of
 * its own. This process is the merchant backend (merchant API through the balancer, a webhook
 * receiver), the browsers (checkout API) and the shoppers (the sandbox's hosted pages, Vipps
 * approvals by its controls). The sandbox is the judge of provider calls: its payments list
 * (Mastercard) and call statistics (Vipps).
 *
 * - 50 concurrent starts of one checkout over the three instances → one provider payment (both providers);
 * - 50 concurrent captures with different Idempotency-Keys → never more than reserved, the provider agrees;
 * - three live streams (GET …/events) on one Vipps payment, one on each instance, for 60 s → at most one
 *   status call per 2 s in total; the approval's webhook reaches one instance, and the final status
 *   reaches all three streams within 1 s of the moment the sandbox sent it, each ending `final`;
 * - kill -9 of an instance mid-start, mid-refresh, mid-callback (crash points, test/crash) and mid-delivery
 *   (SIGKILL from here while the merchant holds the notification): the others finish the payment and
 *   deliver every event (again only with the same id);
 * - PostgreSQL restarted (crash-like) under load: no payment lost or duplicated, each in its right state.
 *
 * The 60 s of watching run in the background while the start, capture and crash scenarios go on (they
 * use other payments), so the suite takes about two minutes. It prints its figures (`scale-out: …`).
 * PostgreSQL: a cluster of its own (it is restarted), as test/helpers/postgres.ts starts them.
 */
import { fillPath, paths, PAYMENT_STREAM_EVENTS, type PaymentStreamEvent } from '@pay-with-bank/protocol';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrashPointName } from '../../src/crash-points.js';
import { startCluster, type Cluster } from '../helpers/postgres.js';
import {
  MERCHANT_KEY,
  RETURN_URL,
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
  type SandboxProcess,
  type ServerProcess,
  type VippsWebhookDelivery,
  type WebhookReceiver,
} from '../crash/processes.js';
import { SseReader } from '../live/sse.js';
import { startProxy, type Proxy } from './proxy.js';

const PHONE = '91234567';
/** Another instance's create is waited for this long at most (PWB_PROVIDER_TIMEOUT_MS + 2 s). */
const PROVIDER_TIMEOUT_MS = 3_000;
const VIPPS_POLICY = { firstPollAfterMs: 5_000, intervalMs: 2_000 };
const WAIT_MS = 60_000;
/** Notifications of a status: each at most once per payment. */
const STATUS_EVENTS = new Set(
  ['pending', 'authorized', 'completed', 'failed', 'cancelled', 'expired'].map((s) => `payment.${s}`),
);

let cluster: Cluster;
let sandbox: SandboxProcess;
let receiver: WebhookReceiver;
let proxy: Proxy;
let vippsSecret: string;
/** The three instances behind the balancer (an instance killed is replaced in place). */
const instances: ServerProcess[] = [];
/** The waiters' live streams (cancelled at the end, whatever happened). */
const streams: SseReader[] = [];
/** Every payment of the suite (ours) and the references of its checkouts. */
const paymentIds = new Set<string>();
const figures = {
  vippsCreates: 0,
  vippsStatusCalls: 0,
  waitersStatusCalls: 0,
  waitersBound: 0,
  streamDelays: [] as number[],
  mastercardPayments: 0,
  killed: [] as string[],
  restartErrors: 0,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startInstance(options: { crashAt?: CrashPointName } = {}): Promise<ServerProcess> {
  return startServerProcess({
    sandboxUrl: sandbox.url,
    database: cluster.url,
    webhookUrl: receiver.url,
    vipps: { webhookSecret: vippsSecret },
    publicUrl: proxy.url,
    ...(options.crashAt ? { crashAt: options.crashAt } : {}),
    env: {
      PWB_PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
      // One client address (this process) sends everything: the per-address limits are per instance anyway.
      PWB_RATE_LIMIT_PER_MINUTE: '0',
      PWB_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
    },
  });
}

function db<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<pg.QueryResult<T>> {
  const client = new pg.Client({ connectionString: cluster.url });
  return client
    .connect()
    .then(() => client.query<T>(text, params))
    .finally(() => client.end());
}

/** Retries what a merchant backend or the element retries: the balancer's 502, 503 (store_unavailable), no answer. */
async function retrying(send: () => Promise<JsonResponse>, what: string, deadlineMs = 45_000): Promise<JsonResponse> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    let response: JsonResponse | null = null;
    try {
      response = await send();
    } catch {
      // no answer (a connection reset): try again
    }
    if (response && response.status !== 502 && response.status !== 503) return response;
    if (response?.status === 503) figures.restartErrors++;
    if (Date.now() > deadline) throw new Error(`${what}: still failing (${response?.status ?? 'no answer'})`);
    await sleep(200);
  }
}

const text = async (r: Response): Promise<JsonResponse> => {
  const body = await r.text();
  let parsed: unknown = body;
  try {
    parsed = body ? JSON.parse(body) : null;
  } catch {
    // the balancer's plain-text 502
  }
  return { status: r.status, headers: r.headers, body: parsed };
};

/** Like callJson, but a non-JSON answer (the balancer's 502) is kept as text. */
function call(base: string, method: string, path: string, bearer: string, body?: unknown, headers = {}) {
  return fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  }).then(text);
}

async function createCheckout(reference: string, vipps = false) {
  const res = await retrying(
    () =>
      call(
        proxy.url,
        'POST',
        '/v1/sessions',
        MERCHANT_KEY,
        {
          amount: vipps ? { value: 49900, currency: 'NOK' } : { value: 12500, currency: 'DKK' },
          reference,
          description: 'Scale-out',
          returnUrl: RETURN_URL,
          ...(vipps ? { methods: ['vipps'] } : {}),
        },
        { 'idempotency-key': `order-${reference}` },
      ),
    `session ${reference}`,
  );
  expect(res.status).toBe(201);
  return res.body as { session: { id: string }; clientToken: string };
}

const startBody = (attemptId: string, vipps: boolean, replace = false) =>
  vipps
    ? { method: 'vipps', attemptId, phoneNumber: PHONE }
    : { method: 'bank', attemptId, bankId: 'DK_TestBank', ...(replace ? { replace } : {}) };

function startPayment(base: string, token: string, attemptId: string, vipps = false, replace = false) {
  return call(base, 'POST', '/v1/checkout/payments', token, startBody(attemptId, vipps, replace));
}

const isFinal = (status: string) => ['completed', 'failed', 'cancelled', 'expired'].includes(status);

/** The element after the return: refresh (through the balancer) until the payment is final. */
async function refreshUntil(token: string, paymentId: string, done: (status: string) => boolean) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await retrying(
      () => call(proxy.url, 'POST', `/v1/checkout/payments/${paymentId}/refresh`, token),
      `refresh ${paymentId}`,
    );
    expect(res.status).toBe(200);
    if (done(res.body.payment.status as string)) return res.body.payment as { id: string; status: string };
    if (Date.now() > deadline) throw new Error(`payment ${paymentId} stayed ${res.body.payment.status}`);
    await sleep(600);
  }
}

async function merchantPayment(paymentId: string) {
  const res = await retrying(() => call(proxy.url, 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY), 'payment');
  expect(res.status).toBe(200);
  return res.body.payment as {
    id: string;
    status: string;
    providerPaymentId: string;
    capturedAmount: number;
    authorizedAmount: number;
  };
}

interface VippsStats {
  byRoute: Record<string, number>;
  byPayment: Record<string, { byRoute: Record<string, number> }>;
}
const vippsStats = () => vippsControl(sandbox.url, 'GET', '/stats') as Promise<VippsStats>;
const statusCallsOf = (stats: VippsStats, reference: string) =>
  stats.byPayment[reference]?.byRoute['GET /epayment/v1/payments/{reference}'] ?? 0;

/** Start a Vipps checkout (through the balancer) and return our payment and Vipps' reference. */
async function vippsPayment(reference: string) {
  const { clientToken } = await createCheckout(reference, true);
  const started = await startPayment(proxy.url, clientToken, 'attempt-vipps-1', true);
  expect(started.status).toBe(200);
  const paymentId = started.body.payment.id as string;
  paymentIds.add(paymentId);
  return { clientToken, paymentId, vippsReference: (await merchantPayment(paymentId)).providerPaymentId };
}

const crashRequestTo = (server: ServerProcess, method: string, prefix: string) =>
  proxy.pinNext((m, path) => m === method && path.startsWith(prefix), server.url);

async function expectKilledAtCrashPoint(server: ServerProcess, point: string): Promise<void> {
  expect(await server.exited).toEqual({ code: null, signal: 'SIGKILL' });
  figures.killed.push(point);
}

beforeAll(async () => {
  [cluster, sandbox, receiver, proxy] = await Promise.all([
    // Acknowledged commits survive its crash, as in production (the restart below is crash-like).
    startCluster(undefined, { durableCommits: true }),
    startSandboxProcess(),
    startWebhookReceiver(),
    startProxy(),
  ]);
  // Registered once, its secret given to every instance (as the README says for several instances).
  vippsSecret = (await registerVippsWebhook(sandbox.url, `${proxy.url}/v1/callbacks/vipps-epayment/webhooks`)).secret;
  // The instances start together: the migrations run once (advisory lock), the others wait for them.
  instances.push(...(await Promise.all([startInstance(), startInstance(), startInstance()])));
  proxy.pool.push(...instances.map((i) => i.url));
}, 90_000);

afterAll(async () => {
  console.log(
    `scale-out: 3 instances on one PostgreSQL behind a round-robin balancer; killed: ${figures.killed.join(', ')}; ` +
      `Vipps creates ${figures.vippsCreates} (status calls ${figures.vippsStatusCalls}); ` +
      `Mastercard payments ${figures.mastercardPayments}; balancer 502s ${proxy?.badGateway}; ` +
      `503s while PostgreSQL restarted ${figures.restartErrors}`,
  );
  await Promise.all(streams.map((s) => s.cancel()));
  await killAllChildren();
  await Promise.all([receiver?.close(), proxy?.close(), cluster?.destroy()]);
}, 30_000);

describe('three server instances on one PostgreSQL database', () => {
  let waiters: Promise<void> | null = null;

  it('opens three live streams on one Vipps payment, one directly on each instance, for 60 s (checked below)', async () => {
    const before = Date.now();
    const { clientToken, paymentId, vippsReference } = await vippsPayment('SCALE-WAITERS');
    const end = before + WAIT_MS;
    // Three tabs, each connected to one instance itself (not through the balancer): three processes.
    const tabs = await Promise.all(
      instances.map(async (server, index) => {
        const response = await fetch(`${server.url}${fillPath(paths.checkoutPaymentEvents, { paymentId })}`, {
          headers: { authorization: `Bearer ${clientToken}` },
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
        const reader = new SseReader(response);
        streams.push(reader);
        // Read as it comes (each message is stamped when it arrives), to the end of the stream.
        const read = reader.rest(WAIT_MS + 30_000);
        read.catch(() => {}); // reported by the test that awaits it
        return { index, pid: server.pid, reader, read };
      }),
    );
    expect(new Set(tabs.map((t) => t.pid)).size).toBe(3);
    let early = 0;
    const firstPollCheck = (async () => {
      await sleep(before + VIPPS_POLICY.firstPollAfterMs - 500 - Date.now());
      // Watching waits for the first-poll delay, on every instance. Vipps' `created` webhook carries
      // no status, so it prompts one refresh (news, not polling: it may ask at once).
      early = statusCallsOf(await vippsStats(), vippsReference);
      expect(early).toBeLessThanOrEqual(1);
    })();
    waiters = (async () => {
      await firstPollCheck;
      await sleep(end - Date.now());
      const elapsed = Date.now() - before;
      const calls = statusCallsOf(await vippsStats(), vippsReference);
      const polled = Math.floor((elapsed - VIPPS_POLICY.firstPollAfterMs) / VIPPS_POLICY.intervalMs) + 1;
      const bound = early + polled;
      // Still open, still pending: nothing but the current state (and heartbeats) so far.
      for (const tab of tabs) {
        expect(tab.reader.ended, `stream on instance ${tab.index + 1}`).toBe(false);
        const events = tab.reader.messages.filter((m) => m.kind === 'event');
        expect(events.length).toBeGreaterThanOrEqual(1);
        for (const e of events) {
          expect(e).toMatchObject({ event: PAYMENT_STREAM_EVENTS.payment, data: { payment: { status: 'pending' } } });
        }
      }
      const heartbeats = tabs.map((t) => t.reader.messages.filter((m) => m.kind === 'comment').length);
      Object.assign(figures, { waitersStatusCalls: calls, waitersBound: bound });
      console.log(
        `scale-out waiters: 3 live streams, one on each instance (pids ${tabs.map((t) => t.pid).join(', ')}), open ${(elapsed / 1000).toFixed(1)} s ` +
          `(heartbeats ${heartbeats.join('/')}) → ${calls} Vipps status calls ` +
          `(allowed: ${polled}, one per 2 s after the first 5 s, + ${early} prompted by the created webhook)`,
      );
      expect(calls).toBeLessThanOrEqual(bound);
      // Never two in one interval, whatever prompted them.
      expect(calls).toBeLessThanOrEqual(Math.floor(elapsed / VIPPS_POLICY.intervalMs) + 1);
      // The streams' watching did poll the provider (not never): at least half the allowed calls.
      expect(calls).toBeGreaterThanOrEqual(Math.floor(polled / 2));

      // The shopper approves: Vipps' webhook reaches one instance through the balancer, which commits
      // the change; the other two hear of it from PostgreSQL (LISTEN/NOTIFY).
      const webhooks = proxy.observe((m, path) => m === 'POST' && path.startsWith('/v1/callbacks/vipps-epayment/'));
      const approving = Date.now();
      await vippsControl(sandbox.url, 'POST', `/payments/${vippsReference}/approve`, { phoneNumber: PHONE });
      const approved = Date.now();
      await Promise.all(tabs.map((t) => t.read));
      // The webhook's delivery, as the sandbox (Vipps) recorded it: the attempt the server acknowledged.
      let delivery: VippsWebhookDelivery | undefined;
      await waitUntil(async () => {
        const all = (await vippsControl(
          sandbox.url,
          'GET',
          `/webhook-deliveries?reference=${vippsReference}`,
        )) as VippsWebhookDelivery[];
        delivery = all.find((d) => d.event === 'epayments.payment.authorized.v1' && d.state === 'delivered');
        return delivery !== undefined;
      }, 'the authorised webhook to be delivered');
      const acknowledged = delivery!.attempts.find((a) => a.httpStatus !== null && a.httpStatus < 300)!;
      const sentAt = Date.parse(acknowledged.at);
      const passage = webhooks.find((w) => w.body.includes(vippsReference) && w.status !== null && w.status < 300);
      expect(passage, 'the authorised webhook through the balancer').toBeDefined();
      const receiver = instances.findIndex((i) => i.url === passage!.upstream);
      const callsAfter = statusCallsOf(await vippsStats(), vippsReference);

      const delays = tabs.map((tab) => {
        const events = tab.reader.messages.filter((m) => m.kind === 'event');
        const final = events.find(
          (e) =>
            e.event === PAYMENT_STREAM_EVENTS.payment && (e.data as PaymentStreamEvent).payment.status !== 'pending',
        );
        expect(final, `final status on instance ${tab.index + 1}`).toBeDefined();
        expect(final!.data).toMatchObject({ payment: { id: paymentId, status: 'authorized', settled: true } });
        // Ends with `final` (do not reconnect), and the server closed it.
        expect(events.at(-1)).toMatchObject({ event: PAYMENT_STREAM_EVENTS.end, data: { reason: 'final' } });
        expect(events.at(-2)).toBe(final);
        expect(tab.reader.ended).toBe(true);
        return final!.at - sentAt;
      });
      Object.assign(figures, { streamDelays: delays });
      console.log(
        `scale-out streams: the authorised webhook, sent by the sandbox ${sentAt - approving} ms into the approve control ` +
          `(which returned after ${approved - approving} ms), reached the balancer ${passage!.receivedAt - sentAt} ms later and ` +
          `instance ${receiver + 1} answered it after ${passage!.answeredAt! - sentAt} ms; ` +
          `the final status (authorized) reached the streams on instances 1/2/3 ${delays.join('/')} ms after the webhook was sent, ` +
          `each then ended 'final'; Vipps status calls meanwhile ${callsAfter - calls}`,
      );
      for (const delay of delays) expect(delay).toBeLessThan(1_000);

      const captured = await call(proxy.url, 'POST', `/v1/payments/${paymentId}/capture`, MERCHANT_KEY, undefined, {
        'idempotency-key': 'waiters-capture-all',
      });
      expect(captured.body.payment.status).toBe('completed');
    })();
    waiters.catch(() => {}); // reported by the test that awaits it
  }, 30_000);

  it('50 concurrent starts of one checkout over the three instances make one provider payment (Mastercard and Vipps)', async () => {
    const { session, clientToken } = await createCheckout('SCALE-STARTS');
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => startPayment(proxy.url, clientToken, `tab-${String(i).padStart(4, '0')}`)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    const ids = new Set(answers.map((a) => a.body.payment.id as string));
    expect(ids.size).toBe(1);
    expect(await providerPayments(sandbox.url, 'SCALE-STARTS')).toHaveLength(1);
    const paymentId = [...ids][0]!;
    paymentIds.add(paymentId);
    await shopperConfirms(sandbox.url, answers[0]!.body.redirectUrl as string);
    expect((await refreshUntil(clientToken, paymentId, isFinal)).status).toBe('completed');
    const merchant = await call(proxy.url, 'GET', `/v1/sessions/${session.id}`, MERCHANT_KEY);
    expect(merchant.body.payments).toHaveLength(1);

    // The same on Vipps, where the sandbox counts the create calls.
    const createsBefore = (await vippsStats()).byRoute['POST /epayment/v1/payments'] ?? 0;
    const vipps = await createCheckout('SCALE-STARTS-VIPPS', true);
    const vippsAnswers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        startPayment(proxy.url, vipps.clientToken, `tab-${String(i).padStart(4, '0')}`, true),
      ),
    );
    expect(vippsAnswers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(new Set(vippsAnswers.map((a) => a.body.payment.id)).size).toBe(1);
    const creates = ((await vippsStats()).byRoute['POST /epayment/v1/payments'] ?? 0) - createsBefore;
    expect(creates).toBe(1);
    const vippsPaymentId = vippsAnswers[0]!.body.payment.id as string;
    paymentIds.add(vippsPaymentId);
    // Final, so that no reconciler of a crash scenario below refreshes it.
    const cancelled = await call(proxy.url, 'POST', `/v1/payments/${vippsPaymentId}/cancel`, MERCHANT_KEY);
    expect(cancelled.body.payment.status).toBe('cancelled');
    console.log(
      `scale-out starts: 50 concurrent starts (50 attempt ids) over 3 instances → 1 Mastercard payment; 50 on Vipps → ${creates} create call; ` +
        `answered per instance: ${instances.map((i) => proxy.answered.get(i.url) ?? 0).join('/')}`,
    );
  }, 60_000);

  it('50 concurrent captures with different keys never capture more than was reserved, and the provider agrees', async () => {
    const { paymentId, vippsReference, clientToken } = await vippsPayment('SCALE-CAPTURES');
    await vippsControl(sandbox.url, 'POST', `/payments/${vippsReference}/approve`, { phoneNumber: PHONE });
    await refreshUntil(clientToken, paymentId, (s) => s === 'authorized');
    // 50 × 10 NOK asked of 499 NOK reserved: 49 fit.
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call(
          proxy.url,
          'POST',
          `/v1/payments/${paymentId}/capture`,
          MERCHANT_KEY,
          { amount: 1000 },
          {
            'idempotency-key': `capture-${String(i).padStart(4, '0')}`,
          },
        ),
      ),
    );
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(49);
    expect(answers.filter((a) => a.status !== 200).map((a) => a.body.error.code)).toEqual([
      'amount_exceeds_authorized',
    ]);
    const payment = await merchantPayment(paymentId);
    expect(payment).toMatchObject({ authorizedAmount: 49900, capturedAmount: 49000, status: 'authorized' });
    const atVipps = (await vippsControl(sandbox.url, 'GET', `/payments/${vippsReference}`)) as {
      payment: { capturedValue: number };
    };
    expect(atVipps.payment.capturedValue).toBe(49000);
    const stats = await vippsStats();
    expect(stats.byPayment[vippsReference]!.byRoute['POST /epayment/v1/payments/{reference}/capture']).toBe(49);
    // The rest, so the payment is final.
    const rest = await call(proxy.url, 'POST', `/v1/payments/${paymentId}/capture`, MERCHANT_KEY, { amount: 900 });
    expect(rest.body.payment).toMatchObject({ status: 'completed', capturedAmount: 49900 });
    console.log(
      `scale-out captures: 50 concurrent captures of 1000 over 3 instances, 49900 reserved → 49 captured (49000), 1 amount_exceeds_authorized; Vipps captured ${atVipps.payment.capturedValue}`,
    );
  }, 60_000);

  it('kill -9 mid-start (provider created it, not recorded): the others neither call the provider again nor lose the checkout', async () => {
    const doomed = await startInstance({ crashAt: 'start-payment:after-provider-create' });
    const { session, clientToken } = await createCheckout('SCALE-KILL-START');
    crashRequestTo(doomed, 'POST', '/v1/checkout/payments');
    const lost = await startPayment(proxy.url, clientToken, 'attempt-first-01');
    expect(lost.status).toBe(502);
    await expectKilledAtCrashPoint(doomed, 'start');
    expect((await providerPayments(sandbox.url, 'SCALE-KILL-START')).map((p) => p.status.code)).toEqual(['Preparing']);

    // The browser retries the attempt on the others: they wait (for as long as a create may take)
    // for the dead instance's create rather than make another, then say it is in progress.
    const began = Date.now();
    const retry = await startPayment(proxy.url, clientToken, 'attempt-first-01');
    expect(retry.status).toBe(409);
    expect(retry.body.error.code).toBe('payment_in_progress');
    expect(Date.now() - began).toBeLessThan(PROVIDER_TIMEOUT_MS + 2_000 + 2_000);
    expect(await providerPayments(sandbox.url, 'SCALE-KILL-START')).toHaveLength(1);
    // "Choose another way": the new attempt pays.
    const second = await startPayment(proxy.url, clientToken, 'attempt-second-02', false, true);
    expect(second.status).toBe(200);
    paymentIds.add(second.body.payment.id as string);
    paymentIds.add(retry.body.error.details.paymentId as string);
    await shopperConfirms(sandbox.url, second.body.redirectUrl as string);
    expect((await refreshUntil(clientToken, second.body.payment.id as string, isFinal)).status).toBe('completed');
    const atProvider = await providerPayments(sandbox.url, 'SCALE-KILL-START');
    expect(atProvider.map((p) => p.status.code).sort()).toEqual(['Preparing', 'Succeeded']);
    const merchant = await call(proxy.url, 'GET', `/v1/sessions/${session.id}`, MERCHANT_KEY);
    expect(merchant.body.session.state).toBe('paid');
  }, 60_000);

  it('kill -9 mid-refresh (provider answered, not written): another instance finishes the payment', async () => {
    const doomed = await startInstance({ crashAt: 'refresh:after-provider-answer' });
    const { clientToken } = await createCheckout('SCALE-KILL-REFRESH');
    const started = await startPayment(proxy.url, clientToken, 'attempt-first-01');
    expect(started.status).toBe(200);
    const paymentId = started.body.payment.id as string;
    paymentIds.add(paymentId);
    await shopperConfirms(sandbox.url, started.body.redirectUrl as string);
    crashRequestTo(doomed, 'POST', `/v1/checkout/payments/${paymentId}/refresh`);
    expect((await call(proxy.url, 'POST', `/v1/checkout/payments/${paymentId}/refresh`, clientToken)).status).toBe(502);
    await expectKilledAtCrashPoint(doomed, 'refresh');
    expect((await merchantPayment(paymentId)).status).toBe('pending');
    expect((await refreshUntil(clientToken, paymentId, isFinal)).status).toBe('completed');
    expect(await providerPayments(sandbox.url, 'SCALE-KILL-REFRESH')).toHaveLength(1);
  }, 60_000);

  it('kill -9 mid-callback (authenticated Vipps webhook, not applied): Vipps redelivers it to another instance', async () => {
    const doomed = await startInstance({ crashAt: 'callback:before-apply' });
    await vippsControl(sandbox.url, 'PUT', '/webhook-retry', { maxAttempts: 40, initialDelayMs: 250, multiplier: 1 });
    // Only the authorisation's webhook goes out for this payment, so the crash happens on it.
    await vippsControl(sandbox.url, 'PUT', '/webhook-delivery', { enabled: false });
    const { paymentId, vippsReference } = await vippsPayment('SCALE-KILL-CALLBACK');
    await vippsControl(sandbox.url, 'PUT', '/webhook-delivery', { enabled: true });
    crashRequestTo(doomed, 'POST', '/v1/callbacks/vipps-epayment/');
    await vippsControl(sandbox.url, 'POST', `/payments/${vippsReference}/approve`, { phoneNumber: PHONE });
    await expectKilledAtCrashPoint(doomed, 'callback');
    const authorized = async () =>
      (
        (await vippsControl(
          sandbox.url,
          'GET',
          `/webhook-deliveries?reference=${vippsReference}`,
        )) as VippsWebhookDelivery[]
      ).filter((d) => d.event === 'epayments.payment.authorized.v1');
    await waitUntil(
      async () => (await authorized()).every((d) => d.state === 'delivered'),
      'Vipps to redeliver the webhook',
    );
    const [delivery] = await authorized();
    expect(delivery!.attempts.length).toBeGreaterThanOrEqual(2);
    expect(await merchantPayment(paymentId)).toMatchObject({ status: 'authorized', authorizedAmount: 49900 });
    const captured = await call(proxy.url, 'POST', `/v1/payments/${paymentId}/capture`, MERCHANT_KEY);
    expect(captured.body.payment.status).toBe('completed');
  }, 60_000);

  it('the three streams: at most one Vipps status call per 2 s for their payment in total, the final status on each within 1 s of the webhook (started above)', async () => {
    expect(waiters).not.toBeNull();
    await waiters;
  }, 90_000);

  it('kill -9 mid-delivery (the merchant got the notification, no answer yet): another instance delivers it again, same event id', async () => {
    const { clientToken } = await createCheckout('SCALE-KILL-OUTBOX');
    const held = receiver.holdNext((e) => e.type === 'payment.pending' && e.body.includes('SCALE-KILL-OUTBOX'));
    const started = await startPayment(proxy.url, clientToken, 'attempt-first-01');
    expect(started.status).toBe(200);
    const paymentId = started.body.payment.id as string;
    paymentIds.add(paymentId);
    const event = await held;
    // Whoever holds the lease is the instance delivering it right now.
    const { rows } = await db<{ leased_by: string }>('SELECT leased_by FROM outbox WHERE id = $1', [event.id]);
    const pid = Number(rows[0]!.leased_by.split(':')[1]);
    const victim = instances.findIndex((i) => i.pid === pid);
    expect(victim).toBeGreaterThanOrEqual(0);
    const killedAt = Date.now();
    instances[victim]!.process.kill('SIGKILL');
    expect(await instances[victim]!.exited).toEqual({ code: null, signal: 'SIGKILL' });
    figures.killed.push('outbox delivery');
    // A supervisor starts a new one; the balancer sends it traffic once it listens.
    const replacement = await startInstance();
    proxy.pool[victim] = replacement.url;
    instances[victim] = replacement;

    await receiver.waitFor(
      (all) => all.filter((d) => d.id === event.id).length >= 2,
      'the notification to be delivered again once its lease ran out',
      40_000,
    );
    const again = receiver.deliveries.filter((d) => d.id === event.id);
    expect(again[1]!.body).toBe(event.body);
    console.log(
      `scale-out outbox: the instance delivering ${event.type} was killed; delivered again with the same event id after ${((Date.now() - killedAt) / 1000).toFixed(1)} s (lease: delivery timeout + 5 s)`,
    );
    await shopperConfirms(sandbox.url, started.body.redirectUrl as string);
    expect((await refreshUntil(clientToken, paymentId, isFinal)).status).toBe('completed');
  }, 90_000);

  it('PostgreSQL restarted mid-load: no payment lost or duplicated, each in its right final state', async () => {
    const shoppers = 24;
    let sessionsMade = 0;
    const outcome = (i: number) => (i % 3 === 2 ? 'reject' : 'confirm');
    const checkout = async (i: number) => {
      const reference = `SCALE-LOAD-${String(i).padStart(3, '0')}`;
      const { clientToken } = await createCheckout(reference);
      sessionsMade++;
      const started = await retrying(() => startPayment(proxy.url, clientToken, 'attempt-load-01'), 'start');
      expect(started.status).toBe(200);
      const paymentId = started.body.payment.id as string;
      paymentIds.add(paymentId);
      await shopperConfirms(sandbox.url, started.body.redirectUrl as string, outcome(i));
      const final = await refreshUntil(clientToken, paymentId, isFinal);
      return { reference, paymentId, status: final.status, expected: outcome(i) };
    };
    const load = Promise.all(
      Array.from({ length: shoppers }, async (_, i) => {
        await sleep(i * 150); // arrivals spread over ~3.5 s
        return checkout(i);
      }),
    );
    await waitUntil(() => sessionsMade >= 6, 'the load to be under way');
    const errorsBefore = figures.restartErrors;
    await cluster.stop('immediate'); // like a crash: no checkpoint, connections cut
    await sleep(2_000);
    await cluster.start();
    const results = await load;
    expect(figures.restartErrors - errorsBefore).toBeGreaterThan(0); // it really was down under load

    for (const r of results) {
      expect(r.status, r.reference).toBe(r.expected === 'confirm' ? 'completed' : 'cancelled');
      const atProvider = await providerPayments(sandbox.url, r.reference);
      expect(
        atProvider.map((p) => p.status.code),
        r.reference,
      ).toEqual([r.expected === 'confirm' ? 'Succeeded' : 'Cancelled']);
    }
    const { rows } = await db<{ reference: string; sessions: number; payments: number }>(
      `SELECT s.reference, count(DISTINCT s.id)::int AS sessions, count(p.id)::int AS payments
         FROM sessions s LEFT JOIN payments p ON p.session_id = s.id
        WHERE s.reference LIKE 'SCALE-LOAD-%' GROUP BY s.reference`,
    );
    expect(rows).toHaveLength(shoppers);
    expect(rows.every((r) => r.sessions === 1 && r.payments === 1)).toBe(true);
    console.log(
      `scale-out PostgreSQL restart: ${shoppers} checkouts under way, PostgreSQL stopped (immediate) for 2 s → ${figures.restartErrors - errorsBefore} answers 503 store_unavailable (retried); ` +
        `${results.filter((r) => r.status === 'completed').length} completed, ${results.filter((r) => r.status === 'cancelled').length} cancelled, each one session, one payment, one provider payment`,
    );
  }, 120_000);

  it('delivered every merchant notification of the suite, duplicates only with the same event id and body', async () => {
    await waitUntil(
      async () =>
        (await db<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE delivered_at IS NULL')).rows[0]!.n === 0,
      'every notification to be acknowledged',
      40_000,
    );
    const { rows: outbox } = await db<{ id: string; payment_id: string; type: string; payload: string }>(
      'SELECT id, payment_id, type, payload FROM outbox ORDER BY seq',
    );
    const stats = await vippsStats();
    figures.vippsCreates = stats.byRoute['POST /epayment/v1/payments'] ?? 0;
    figures.vippsStatusCalls = stats.byRoute['GET /epayment/v1/payments/{reference}'] ?? 0;
    figures.mastercardPayments = (
      (await (await fetch(`${sandbox.url}/__sandbox/mastercard/payments`)).json()) as { payments: unknown[] }
    ).payments.length;
    const deliveries = receiver.deliveries;
    expect(deliveries.every((d) => d.signatureValid)).toBe(true);
    const byId = new Map(outbox.map((o) => [o.id, o]));
    // Nothing the outbox does not hold, each delivery byte-identical to its row.
    for (const d of deliveries) expect(d.body).toBe(byId.get(d.id)?.payload);
    const delivered = new Set(deliveries.map((d) => d.id));
    expect(outbox.filter((o) => !delivered.has(o.id))).toEqual([]);
    // Delivered again: the one held when its instance was killed, and those whose "delivered" mark was
    // lost with PostgreSQL (up to a lease's worth per instance); not each event by several workers,
    // which without leases would be most of them.
    expect(deliveries.length - delivered.size).toBeGreaterThanOrEqual(1);
    expect(deliveries.length - delivered.size).toBeLessThanOrEqual(Math.ceil(outbox.length / 4));
    // No payment announced twice in one state under different ids (captures and refunds are one event each).
    const statusEvents = outbox.filter((o) => STATUS_EVENTS.has(o.type));
    const keys = statusEvents.map((o) => `${o.payment_id} ${o.type}`);
    expect(new Set(keys).size).toBe(keys.length);
    // Every payment of the suite that reached a final state was announced in it.
    for (const id of paymentIds) {
      const payment = await merchantPayment(id);
      if (payment.status !== 'created') {
        expect(
          outbox.some((o) => o.payment_id === id && o.type === `payment.${payment.status}`),
          id,
        ).toBe(true);
      }
    }
    console.log(
      `scale-out notifications: ${outbox.length} events, ${deliveries.length} deliveries (${deliveries.length - delivered.size} again with the same id), none lost; ` +
        `${paymentIds.size} payments, ${figures.mastercardPayments} Mastercard payments, ${figures.vippsCreates} Vipps creates`,
    );
  }, 60_000);
});
