/**
 * How many Vipps API calls does the companion server make for one payment that waits 60 s while three
 * browser tabs poll it? Starts the sandbox and the server on free loopback ports, creates a session,
 * starts a Vipps payment the "user" never answers, opens three Chromium tabs on the return URL (each
 * runs <pay-with-bank>, which polls the server), waits, then reads the sandbox's per-payment call
 * counts. Without coalescing the tabs alone would cause ~90 provider calls a minute.
 *
 * Usage: node --conditions=source --import tsx bench/vipps-polling.ts [seconds=60] [ecom|epayment] [tabs=3]
 * (build the element first: pnpm --filter '@pay-with-bank/element...' build)
 */
import { readFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { startSandboxServer } from '@pay-with-bank/sandbox';
import { createServer, loadConfig } from '@pay-with-bank/server';
import { launchChromium } from './browser.mjs';

const seconds = Number(process.argv[2] ?? 60);
const api = (process.argv[3] ?? 'epayment') as 'ecom' | 'epayment';
const tabs = Number(process.argv[4] ?? 3);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const [sandboxPort, serverPort, pagePort] = [await freePort(), await freePort(), await freePort()];
const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
const serverUrl = `http://127.0.0.1:${serverPort}`;
const pageUrl = `http://127.0.0.1:${pagePort}`;
const apiKey = 'bench_merchant_key_0123456789abcdef0123456789';

const sandbox = await startSandboxServer({ port: sandboxPort, publicUrl: sandboxUrl });
const config = loadConfig({
  PWB_PORT: String(serverPort),
  PWB_PUBLIC_URL: serverUrl,
  PWB_MERCHANT_API_KEYS: apiKey,
  PWB_PAYEE_NAME: 'Bench Shop AS',
  PWB_ALLOWED_ORIGINS: pageUrl,
  PWB_RETURN_URL_ALLOWLIST: `${pageUrl}/`,
  PWB_DATABASE: join(tmpdir(), `pwb-bench-${process.pid}.sqlite`),
  PWB_LOG_LEVEL: 'error',
  PWB_VIPPS_API: api,
  PWB_VIPPS_BASE_URL: `${sandboxUrl}/vipps`,
  PWB_VIPPS_CLIENT_ID: 'sandbox-vipps-client-id',
  PWB_VIPPS_CLIENT_SECRET: 'sandbox-vipps-client-secret',
  PWB_VIPPS_SUBSCRIPTION_KEY: 'sandbox-vipps-subscription-key',
  PWB_VIPPS_MERCHANT_SERIAL_NUMBER: '123456',
  PWB_VIPPS_CALLBACK_SECRET: 'bench_callback_secret_0123456789abcdef0123',
});
const server = createServer(config);
let browserRequests = 0;
const httpServer = serve({
  port: serverPort,
  hostname: '127.0.0.1',
  fetch: (req) => {
    if (new URL(req.url).pathname.startsWith('/v1/checkout/')) browserRequests++;
    return server.fetch(req);
  },
});

// The merchant's return page: the script-tag build and the element, nothing else.
const bundle = readFileSync(new URL('../packages/element/dist/pay-with-bank.js', import.meta.url), 'utf8');
const page = serve({
  port: pagePort,
  hostname: '127.0.0.1',
  fetch: (req) =>
    new URL(req.url).pathname === '/pay-with-bank.js'
      ? new Response(bundle, { headers: { 'content-type': 'text/javascript' } })
      : new Response(
          `<!doctype html><title>Return</title><script type="module" src="/pay-with-bank.js"></script><pay-with-bank server-url="${serverUrl}"></pay-with-bank>`,
          { headers: { 'content-type': 'text/html' } },
        ),
});

async function json(res: Response) {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

const created = (await json(
  await fetch(`${serverUrl}/v1/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      amount: { value: 22_900, currency: 'NOK' },
      reference: 'bench-1',
      description: 'Polling benchmark',
      returnUrl: `${pageUrl}/return`,
    }),
  }),
)) as { clientToken: string };
const started = (await json(
  await fetch(`${serverUrl}/v1/checkout/payments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${created.clientToken}`, 'content-type': 'application/json', origin: pageUrl },
    body: JSON.stringify({ method: 'vipps', attemptId: 'bench-attempt-1' }),
  }),
)) as { payment: { id: string } };
const paymentId = started.payment.id;
const { payments } = (await json(
  await fetch(`${serverUrl}/v1/payments?reference=bench-1`, { headers: { authorization: `Bearer ${apiKey}` } }),
)) as { payments: { providerPaymentId: string }[] };
const providerId = payments[0]!.providerPaymentId;
await fetch(`${sandboxUrl}/__sandbox/vipps/stats`, { method: 'DELETE' }); // count only the waiting phase

const browser = await launchChromium();
const context = await browser.newContext();
const returnUrl = `${pageUrl}/return?pwb_return=${encodeURIComponent(created.clientToken)}&pwb_payment=${paymentId}`;
for (let i = 0; i < tabs; i++) await (await context.newPage()).goto(returnUrl);
await new Promise((r) => setTimeout(r, seconds * 1000));

const stats = (await json(await fetch(`${sandboxUrl}/__sandbox/vipps/stats`))) as {
  byRoute: Record<string, number>;
  byPayment: Record<string, { total: number; byRoute: Record<string, number> }>;
};
const mine = stats.byPayment[providerId] ?? { total: 0, byRoute: {} };
console.log(
  `vipps ${api}: 1 payment waited ${seconds} s with ${tabs} tabs open → ${browserRequests} browser requests to the server, ` +
    `${mine.total} Vipps API calls for the payment: ` +
    JSON.stringify(mine.byRoute),
);

await browser.close();
httpServer.close();
page.close();
await server.close();
await sandbox.close();
process.exit(0);
