/**
 * Real processes for the crash suite: the sandbox and the companion server run as child processes
 * (exactly as in production: `node … cli.ts`, configured by environment), so a crash point's
 * SIGKILL takes the whole server down with whatever it had in memory. The test process plays the
 * merchant backend (merchant API + a webhook receiver), the browser (checkout API) and the shopper
 * (the sandbox's hosted pages, driven with plain form posts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CrashPointName } from '../../src/crash-points.js';
import { verifyWebhookSignature } from '../../src/notifications/signature.js';
import { EPAYMENT_WEBHOOK_EVENTS } from '../../src/providers/vipps/webhooks.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const MERCHANT_KEY = 'mk_crash_0123456789abcdefghijklmnopqrstuv';
export const WEBHOOK_SECRET = 'whsec_crash_suite_0123456789';
export const RETURN_URL = 'https://shop.example/checkout/return';

const STARTUP_TIMEOUT_MS = 30_000;

/** Every child started here, so a failing test never leaves one behind. */
const children = new Set<ChildProcess>();

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child {
  process: ChildProcess;
  pid: number;
  /** Output lines so far (stdout and stderr), for assertions and failure messages. */
  lines: string[];
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  /** Graceful stop (SIGTERM), then SIGKILL if it does not go within `graceMs`. */
  stop(graceMs?: number): Promise<Exit>;
}

function startChild(script: string, env: Record<string, string>, ready: (line: string) => string | null) {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script], {
    cwd: REPO_ROOT,
    // Only what the child needs: no PWB_* (or NODE_OPTIONS from vitest) leaks in from this process.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: string[] = [];
  const exited = new Promise<Exit>((resolveExit) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolveExit({ code, signal });
    });
  });
  const url = new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start in time:\n${lines.slice(-20).join('\n')}`)),
      STARTUP_TIMEOUT_MS,
    );
    const onLine = (line: string) => {
      lines.push(line);
      const found = ready(line);
      if (found) {
        clearTimeout(timer);
        resolveUrl(found);
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited during start (${JSON.stringify(exit)}):\n${lines.slice(-20).join('\n')}`));
    });
  });
  const handle: Child = {
    process: child,
    pid: child.pid!,
    lines,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
  return { handle, url };
}

/** Kill whatever this suite started and is still running (afterAll / afterEach safety net). */
export async function killAllChildren(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((done) => {
          child.once('exit', () => done());
          child.kill('SIGKILL');
        }),
    ),
  );
}

export interface SandboxProcess extends Child {
  url: string;
}

export async function startSandboxProcess(): Promise<SandboxProcess> {
  const { handle, url } = startChild(
    'packages/sandbox/src/cli.ts',
    { PWB_SANDBOX_PORT: '0', PWB_SANDBOX_HOST: '127.0.0.1' },
    (line) => /listening on (http:\/\/\S+)/.exec(line)?.[1] ?? null,
  );
  return { ...handle, url: await url };
}

export interface ServerProcess extends Child {
  url: string;
}

export interface ServerProcessOptions {
  sandboxUrl: string;
  database: string;
  webhookUrl: string;
  crashAt?: CrashPointName;
  /**
   * Listen on this port with PWB_PUBLIC_URL pointing at it (providers that call back, such as
   * Vipps, must reach the restarted server at the same URL). Default: any free port.
   */
  port?: number;
  /** Also configure Vipps ePayment against the sandbox, with a webhook registered beforehand. */
  vipps?: { webhookSecret: string };
  /** PWB_PUBLIC_URL (e.g. a load balancer in front of several servers; default: the server's own URL). */
  publicUrl?: string;
  /** More environment (PWB_* settings), after the rest. */
  env?: Record<string, string>;
}

/** A free loopback port, chosen by the OS (for a server that must keep its URL across restarts). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createTcpServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const env: Record<string, string> = {
    PWB_PORT: String(options.port ?? 0),
    PWB_HOST: '127.0.0.1',
    ...(options.port ? { PWB_PUBLIC_URL: `http://127.0.0.1:${options.port}` } : {}),
    PWB_MERCHANT_API_KEYS: MERCHANT_KEY,
    PWB_PAYEE_NAME: 'Nordic Goods ApS',
    PWB_RETURN_URL_ALLOWLIST: 'https://shop.example/checkout',
    PWB_DATABASE: options.database,
    PWB_LOG_LEVEL: 'info',
    PWB_MASTERCARD_BASE_URL: `${options.sandboxUrl}/mastercard`,
    PWB_MASTERCARD_CLIENT_ID: 'sandbox-client-id',
    PWB_MASTERCARD_CLIENT_SECRET: 'sandbox-client-secret',
    PWB_MASTERCARD_ACCOUNT_DKK: 'bban:1234:0123456789',
    PWB_WEBHOOK_URL: options.webhookUrl,
    PWB_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ...(options.vipps
      ? {
          PWB_VIPPS_API: 'epayment',
          PWB_VIPPS_BASE_URL: `${options.sandboxUrl}/vipps`,
          PWB_VIPPS_CLIENT_ID: VIPPS.clientId,
          PWB_VIPPS_CLIENT_SECRET: VIPPS.clientSecret,
          PWB_VIPPS_SUBSCRIPTION_KEY: VIPPS.subscriptionKey,
          PWB_VIPPS_MERCHANT_SERIAL_NUMBER: VIPPS.msn,
          PWB_VIPPS_WEBHOOK_SECRET: options.vipps.webhookSecret,
        }
      : {}),
    ...(options.crashAt ? { PWB_CRASH_AT: options.crashAt } : {}),
    ...(options.publicUrl ? { PWB_PUBLIC_URL: options.publicUrl } : {}),
    ...options.env,
  };
  const { handle, url } = startChild('packages/server/src/cli.ts', env, (line) => {
    if (!line.startsWith('{')) return null;
    try {
      const record = JSON.parse(line) as { msg?: string; url?: string };
      return record.msg === 'listening' && record.url ? record.url : null;
    } catch {
      return null;
    }
  });
  return { ...handle, url: await url };
}

// ------------------------------------------------------------------------------------------------
// The merchant's webhook receiver (in this process)

export interface ReceivedEvent {
  id: string;
  type: string;
  paymentId: string;
  body: string;
  signatureValid: boolean;
}

export interface WebhookReceiver {
  url: string;
  /** Every delivery, duplicates included, in arrival order. */
  deliveries: ReceivedEvent[];
  /**
   * The next delivery `matching` is recorded but never answered (the merchant got it and did not
   * acknowledge it: the request stays open until the sender goes away); resolves with it.
   */
  holdNext(matching: (event: ReceivedEvent) => boolean): Promise<ReceivedEvent>;
  /** Deduplicated by event id, as a merchant must do: first delivery of each id. */
  unique(): ReceivedEvent[];
  waitFor(predicate: (deliveries: ReceivedEvent[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const deliveries: ReceivedEvent[] = [];
  const holds: { matching: (event: ReceivedEvent) => boolean; resolve: (event: ReceivedEvent) => void }[] = [];
  const server: Server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const event = JSON.parse(body) as { id: string; type: string; payment: { id: string } };
      const received: ReceivedEvent = {
        id: event.id,
        type: event.type,
        paymentId: event.payment.id,
        body,
        signatureValid: verifyWebhookSignature(WEBHOOK_SECRET, request.headers['pwb-signature'] as string, body),
      };
      deliveries.push(received);
      const hold = holds.findIndex((h) => h.matching(received));
      if (hold >= 0) {
        holds.splice(hold, 1)[0]!.resolve(received);
        return; // no answer
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/pwb`,
    deliveries,
    holdNext: (matching) => new Promise((resolve) => holds.push({ matching, resolve })),
    unique() {
      const seen = new Set<string>();
      return deliveries.filter((d) => (seen.has(d.id) ? false : (seen.add(d.id), true)));
    },
    waitFor: (predicate, what, timeoutMs = 20_000) => waitUntil(() => predicate(deliveries), what, timeoutMs),
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ------------------------------------------------------------------------------------------------
// HTTP as the merchant backend, the browser and the shopper

export interface JsonResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read loosely in tests
  body: any;
}

export async function callJson(
  baseUrl: string,
  method: string,
  path: string,
  bearer: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/**
 * A request the server will not live to answer: it must fail at the network level (the process
 * died at the crash point with the request in hand).
 */
export async function expectConnectionDropped(request: Promise<unknown>): Promise<void> {
  let outcome: unknown;
  try {
    outcome = await request;
  } catch (error) {
    if (error instanceof TypeError) return; // fetch failed: socket closed without an answer
    throw error;
  }
  throw new Error(`expected the server to die mid-request, got an answer: ${JSON.stringify(outcome)}`);
}

/**
 * The shopper at the sandbox's hosted pages (bank already chosen in the widget): log in, pick the
 * account, confirm (or reject); resolves with the return URL the bank redirects to.
 */
export async function shopperConfirms(
  sandboxUrl: string,
  redirectUrl: string,
  decision: 'confirm' | 'reject' = 'confirm',
): Promise<URL> {
  const start = new URL(redirectUrl);
  const token = start.searchParams.get('startToken')!;
  const providerPaymentId = start.searchParams.get('paymentId')!;
  const page = await fetch(redirectUrl);
  if (page.status !== 200) throw new Error(`hosted start page answered ${page.status}`);
  await page.text();
  const post = async (action: string, fields: Record<string, string>) => {
    const response = await fetch(
      `${sandboxUrl}/mastercard/auth/payment/${encodeURIComponent(providerPaymentId)}/${action}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, ...fields }).toString(),
        redirect: 'manual',
      },
    );
    const text = await response.text();
    if (response.status !== 303) throw new Error(`hosted ${action} answered ${response.status}: ${text.slice(0, 300)}`);
    return new URL(response.headers.get('location')!, sandboxUrl);
  };
  const accounts = await post('login', { userId: 'shopper', otp: '123456' });
  const accountPage = await fetch(accounts);
  if (accountPage.status !== 200) throw new Error(`hosted account page answered ${accountPage.status}`);
  await accountPage.text();
  const bankSession = accounts.searchParams.get('bankSession');
  return post(decision, {
    ...(bankSession ? { bankSession } : {}),
    ...(decision === 'confirm' ? { accountId: 'everyday' } : {}),
  });
}

export interface SandboxPayment {
  paymentId: string;
  request: { reference: string | null };
  status: { code: string; terminal: boolean };
}

/** The provider's side: every payment the sandbox holds for one merchant reference. */
export async function providerPayments(sandboxUrl: string, reference: string): Promise<SandboxPayment[]> {
  const response = await fetch(`${sandboxUrl}/__sandbox/mastercard/payments`);
  if (response.status !== 200) throw new Error(`sandbox payments answered ${response.status}`);
  const { payments } = (await response.json()) as { payments: SandboxPayment[] };
  return payments.filter((p) => p.request.reference === reference);
}

// ------------------------------------------------------------------------------------------------
// The Vipps side of the sandbox

/** The sandbox's documented default Vipps credentials (not secrets). */
export const VIPPS = {
  clientId: 'sandbox-vipps-client-id',
  clientSecret: 'sandbox-vipps-client-secret',
  subscriptionKey: 'sandbox-vipps-subscription-key',
  msn: '123456',
} as const;

/**
 * Register the server's ePayment webhook once, as the README advises for servers that restart or
 * run as several instances: the secret is then given to every server start (PWB_VIPPS_WEBHOOK_SECRET).
 */
export async function registerVippsWebhook(sandboxUrl: string, url: string): Promise<{ id: string; secret: string }> {
  const accessToken = await vippsAccessToken(sandboxUrl);
  const registered = await fetch(`${sandboxUrl}/vipps/webhooks/v1/webhooks`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${accessToken}`,
      'Ocp-Apim-Subscription-Key': VIPPS.subscriptionKey,
      'Merchant-Serial-Number': VIPPS.msn,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ url, events: EPAYMENT_WEBHOOK_EVENTS }),
  });
  if (registered.status !== 201) throw new Error(`vipps webhook registration answered ${registered.status}`);
  return (await registered.json()) as { id: string; secret: string };
}

/** Remove a webhook registerVippsWebhook made (Vipps would otherwise keep sending to its URL). */
export async function unregisterVippsWebhook(sandboxUrl: string, id: string): Promise<void> {
  const accessToken = await vippsAccessToken(sandboxUrl);
  const removed = await fetch(`${sandboxUrl}/vipps/webhooks/v1/webhooks/${encodeURIComponent(id)}`, {
    method: 'DELETE',
    headers: {
      authorization: `Bearer ${accessToken}`,
      'Ocp-Apim-Subscription-Key': VIPPS.subscriptionKey,
      'Merchant-Serial-Number': VIPPS.msn,
    },
  });
  await removed.body?.cancel();
  if (removed.status >= 300) throw new Error(`vipps webhook removal answered ${removed.status}`);
}

async function vippsAccessToken(sandboxUrl: string): Promise<string> {
  const token = await fetch(`${sandboxUrl}/vipps/accesstoken/get`, {
    method: 'POST',
    headers: {
      client_id: VIPPS.clientId,
      client_secret: VIPPS.clientSecret,
      'Ocp-Apim-Subscription-Key': VIPPS.subscriptionKey,
      'Merchant-Serial-Number': VIPPS.msn,
    },
  });
  if (token.status !== 200) throw new Error(`vipps access token answered ${token.status}`);
  return ((await token.json()) as { access_token: string }).access_token;
}

/** A sandbox control call under /__sandbox/vipps (scenario settings, acting as the user, inspection). */
export async function vippsControl(sandboxUrl: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${sandboxUrl}/__sandbox/vipps${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`sandbox ${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

export interface VippsWebhookDelivery {
  event: string;
  reference: string;
  state: 'pending' | 'delivered' | 'failed' | 'suppressed';
  /** `at`: when the sandbox sent that attempt (ISO time, ms). */
  attempts: { at: string; httpStatus: number | null; error: string | null }[];
}
