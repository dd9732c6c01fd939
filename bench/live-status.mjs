#!/usr/bin/env node
// Browser → server requests per waiting minute: the live status stream against today's polling.
//
// Starts the provider sandbox and the companion server as child processes (loopback, temp SQLite
// file, Vipps ePayment against the sandbox), then simulates one browser waiting on one Vipps payment
// that nobody approves for N seconds, twice:
//   - polling: POST /v1/checkout/payments/{id}/refresh, then again after the answer's
//     next.pollAfterMs (what the element does today);
//   - stream: GET /v1/checkout/payments/{id}/events read with a streaming fetch, reconnecting when
//     the server ends it (`end: lifetime` / `shutdown`) or the connection fails.
// After the wait the shopper approves in the sandbox: the time until the browser knows is printed
// too, and the Vipps status calls the server made for each payment (the sandbox's statistics).
// Counts are of HTTP requests the page's script sends; a browser adds one CORS preflight either way
// (cached for 10 minutes), not counted.
//
// Usage: node bench/live-status.mjs [seconds=60]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextDecoder } from 'node:util';
import { MERCHANT_KEY, freePort, killChildrenOnExit, startChild, startSandbox } from './lib/processes.mjs';

const seconds = Number(process.argv[2] ?? 60);
if (!Number.isFinite(seconds) || seconds < 5 || seconds > 3600) {
  console.error('usage: node bench/live-status.mjs [seconds=60]   (5–3600)');
  process.exit(2);
}

const RETURN_URL = 'https://shop.example/checkout/return';
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

killChildrenOnExit();

// ------------------------------------------------------------------------------------------------
// The world: sandbox, server, one waiting Vipps payment per run

const dir = mkdtempSync(join(tmpdir(), 'pwb-live-bench-'));
const sandbox = startSandbox();
const sandboxUrl = await sandbox.url;
const port = await freePort();
const serverUrl = `http://127.0.0.1:${port}`;
const server = startChild(
  'server',
  'packages/server/src/cli.ts',
  {
    PWB_PORT: String(port),
    PWB_HOST: '127.0.0.1',
    PWB_PUBLIC_URL: serverUrl,
    PWB_MERCHANT_API_KEYS: MERCHANT_KEY,
    PWB_PAYEE_NAME: 'Bench Shop AS',
    PWB_RETURN_URL_ALLOWLIST: 'https://shop.example/checkout',
    PWB_DATABASE: join(dir, 'bench.sqlite'),
    PWB_LOG_LEVEL: 'info',
    PWB_VIPPS_API: 'epayment',
    PWB_VIPPS_BASE_URL: `${sandboxUrl}/vipps`,
    PWB_VIPPS_CLIENT_ID: 'sandbox-vipps-client-id',
    PWB_VIPPS_CLIENT_SECRET: 'sandbox-vipps-client-secret',
    PWB_VIPPS_SUBSCRIPTION_KEY: 'sandbox-vipps-subscription-key',
    PWB_VIPPS_MERCHANT_SERIAL_NUMBER: '123456',
  },
  (line) => (/"msg":"listening"/.test(line) ? serverUrl : null),
);
await server.url;

async function json(response) {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status} ${text}`);
  return JSON.parse(text);
}

let checkouts = 0;
/** A session and a Vipps payment waiting for the user: its token, id and Vipps reference. */
async function waitingPayment() {
  const reference = `live-bench-${++checkouts}`;
  const { clientToken } = await json(
    await fetch(`${serverUrl}/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MERCHANT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        amount: { value: 22_900, currency: 'NOK' },
        reference,
        description: 'Live status benchmark',
        returnUrl: RETURN_URL,
      }),
    }),
  );
  const started = await json(
    await fetch(`${serverUrl}/v1/checkout/payments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clientToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'vipps', attemptId: `bench-attempt-${checkouts}`, phoneNumber: '91234567' }),
    }),
  );
  const { payment } = await json(
    await fetch(`${serverUrl}/v1/payments/${started.payment.id}`, {
      headers: { authorization: `Bearer ${MERCHANT_KEY}` },
    }),
  );
  return { token: clientToken, paymentId: started.payment.id, vippsReference: payment.providerPaymentId };
}

async function vippsStatusCalls(vippsReference) {
  const stats = await json(await fetch(`${sandboxUrl}/__sandbox/vipps/stats`));
  return stats.byPayment[vippsReference]?.byRoute['GET /epayment/v1/payments/{reference}'] ?? 0;
}

async function approve(vippsReference) {
  await json(await fetch(`${sandboxUrl}/__sandbox/vipps/payments/${vippsReference}/approve`, { method: 'POST' }));
}

// ------------------------------------------------------------------------------------------------
// The two browsers

/** Today's element: refresh, wait next.pollAfterMs, again, until the payment is settled or final. */
async function pollingBrowser({ token, paymentId }, { waitMs, onWaited }) {
  let requests = 0;
  let requestsWhileWaiting = null;
  const waited = sleep(waitMs).then(async () => {
    requestsWhileWaiting = requests;
    await onWaited();
  });
  for (;;) {
    requests++;
    const { payment } = await json(
      await fetch(`${serverUrl}/v1/checkout/payments/${paymentId}/refresh`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      }),
    );
    if (payment.settled || payment.next.type !== 'wait') {
      await waited;
      return { requests, requestsWhileWaiting, payment };
    }
    await sleep(payment.next.pollAfterMs);
  }
}

/** The stream: one request per connection; reconnect when the server ends it or it fails. */
async function streamingBrowser({ token, paymentId }, { waitMs, onWaited }) {
  let requests = 0;
  let requestsWhileWaiting = null;
  let events = 0;
  let heartbeats = 0;
  let bytes = 0;
  const begun = Date.now();
  const waited = sleep(waitMs).then(async () => {
    requestsWhileWaiting = requests;
    await onWaited();
  });
  for (;;) {
    requests++;
    let response;
    try {
      response = await fetch(`${serverUrl}/v1/checkout/payments/${paymentId}/events`, {
        headers: { authorization: `Bearer ${token}` },
      });
    } catch {
      await sleep(1_000);
      continue;
    }
    if (response.status !== 200) throw new Error(`stream answered ${response.status}: ${await response.text()}`);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let end = null;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (message.startsWith(':')) {
            heartbeats++;
            continue;
          }
          const event = /^event: (.*)$/m.exec(message)?.[1];
          const data = JSON.parse(/^data: (.*)$/m.exec(message)?.[1] ?? 'null');
          if (event === 'payment') {
            events++;
            if (data.payment.settled || data.payment.next.type === 'none') {
              await waited;
              return { requests, requestsWhileWaiting, events, heartbeats, bytes, payment: data.payment };
            }
          } else if (event === 'end') end = data.reason;
        }
      }
    } catch {
      // the connection failed: reconnect
    }
    if (end === 'final') throw new Error('end: final without a final payment event');
    if (end === 'shutdown') await sleep(1_000);
    if (Date.now() - begun > waitMs + 30_000) throw new Error('the stream never brought the final status');
  }
}

/** One run: a waiting payment, `browser` on it for N s, then the approval and the time until known. */
async function run(name, browser) {
  const checkout = await waitingPayment();
  const waitMs = seconds * 1000;
  let approvedAt = 0;
  const result = await browser(checkout, {
    waitMs,
    onWaited: async () => {
      await approve(checkout.vippsReference);
      approvedAt = Date.now();
    },
  });
  const knownAfterMs = Date.now() - approvedAt;
  const waitingRequests = result.requestsWhileWaiting ?? result.requests;
  return {
    name,
    ...result,
    perMinute: (waitingRequests * 60) / seconds,
    knownAfterMs,
    vippsCalls: await vippsStatusCalls(checkout.vippsReference),
  };
}

try {
  const polling = await run('polling', pollingBrowser);
  const stream = await run('stream', streamingBrowser);
  const line = (r, extra) =>
    `${r.name.padEnd(8)} ${String(r.requestsWhileWaiting).padStart(4)} requests in ${seconds} s = ` +
    `${r.perMinute.toFixed(1).padStart(5)} per waiting minute; approval known after ${r.knownAfterMs} ms; ` +
    `Vipps status calls by the server ${r.vippsCalls}${extra}`;
  console.log(`One Vipps (ePayment) payment waiting ${seconds} s, then approved in the sandbox (server ${serverUrl}):`);
  console.log(line(polling, ''));
  console.log(
    line(stream, `; ${stream.events} events, ${stream.heartbeats} heartbeats, ${(stream.bytes / 1024).toFixed(1)} KiB`),
  );
  console.log(
    `ratio    polling / stream = ${(polling.perMinute / stream.perMinute).toFixed(1)}× requests per waiting minute`,
  );
} finally {
  await server.stop();
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
}
