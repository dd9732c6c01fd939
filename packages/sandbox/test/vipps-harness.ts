/**
 * Test harness for the Vipps emulator: the sandbox mounted like the real composition
 * (`/vipps`, `/__sandbox/vipps`), a manual clock, and a merchant-side receiver standing behind the
 * injected fetch that records every callback and webhook and can answer slowly or with errors.
 */
import { Hono } from 'hono';
import {
  createManualClock,
  createVippsSandbox,
  type ManualClock,
  type VippsControls,
  type VippsSandbox,
  type VippsSandboxOptions,
} from '../src/vipps/index.js';

export const SANDBOX_ORIGIN = 'https://sandbox.test';
export const CREDENTIALS = {
  clientId: 'sandbox-vipps-client-id',
  clientSecret: 'sandbox-vipps-client-secret',
  subscriptionKey: 'sandbox-vipps-subscription-key',
  msn: '123456',
} as const;
export const DESKTOP_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0 Safari/537.36';
export const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

export interface ReceivedRequest {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

type Responder = (request: ReceivedRequest) => Response | Promise<Response>;

/** The merchant's server as the sandbox's outbound fetch sees it. */
export function createReceiver() {
  const requests: ReceivedRequest[] = [];
  let responder: Responder = () => new Response('ok', { status: 200 });
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const received: ReceivedRequest = {
      url: request.url,
      method: request.method,
      headers: request.headers,
      body: await request.text(),
    };
    requests.push(received);
    const signal = init?.signal;
    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      Promise.resolve(responder(received)).then(resolve, reject);
    });
  };
  return {
    fetch,
    requests,
    /** Changes how the merchant answers from now on. */
    respondWith(next: Responder) {
      responder = next;
    },
    /** Never answers (until the sandbox's timeout aborts the request). */
    hang() {
      responder = () => new Promise<Response>(() => undefined);
    },
  };
}

/**
 * How the tests read JSON bodies: loosely, because every body that matters is validated against the
 * Vipps specs by Ajv and pinned by explicit assertions.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface ApiResult<T = Loose> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function toResult<T = Loose>(response: Response): Promise<ApiResult<T>> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: parseJson(text) as T, text };
}

export interface BrowseResult {
  status: number;
  headers: Headers;
  location: string | null;
  html: string;
}

export interface Harness {
  clock: ManualClock;
  receiver: ReturnType<typeof createReceiver>;
  sandbox: VippsSandbox;
  controls: VippsControls;
  /** A raw request to the sandbox (path below its origin). */
  request(path: string, init?: RequestInit): Promise<Response>;
  token(): Promise<string>;
  apiHeaders(extra?: Record<string, string>): Promise<Record<string, string>>;
  api<T = Loose>(method: string, path: string, body?: unknown, extra?: Record<string, string>): Promise<ApiResult<T>>;
  browse(
    path: string,
    init?: { method?: string; form?: Record<string, string>; userAgent?: string },
  ): Promise<BrowseResult>;
  pathOf(url: string): string;
  advance(ms: number): Promise<void>;
  settle(): Promise<void>;
  tokenHeaders: Record<string, string>;
}

export function createHarness(options: Partial<VippsSandboxOptions> = {}): Harness {
  const clock: ManualClock = createManualClock();
  const receiver = createReceiver();
  const sandbox = createVippsSandbox({ clock, fetch: receiver.fetch, publicUrl: SANDBOX_ORIGIN, ...options });
  const root = new Hono();
  root.route('/vipps', sandbox.app);
  root.route('/__sandbox/vipps', sandbox.controlApp);

  const request = async (path: string, init: RequestInit = {}): Promise<Response> =>
    root.fetch(new Request(new URL(path, SANDBOX_ORIGIN), init));

  let cachedToken: string | undefined;
  const tokenHeaders: Record<string, string> = {
    client_id: CREDENTIALS.clientId,
    client_secret: CREDENTIALS.clientSecret,
    'Ocp-Apim-Subscription-Key': CREDENTIALS.subscriptionKey,
    'Merchant-Serial-Number': CREDENTIALS.msn,
  };

  async function token(): Promise<string> {
    if (!cachedToken) {
      const result = await toResult(await request('/vipps/accesstoken/get', { method: 'POST', headers: tokenHeaders }));
      if (result.status !== 200) throw new Error(`token: ${result.status} ${result.text}`);
      cachedToken = result.body.access_token as string;
    }
    return cachedToken;
  }

  async function apiHeaders(extra: Record<string, string> = {}): Promise<Record<string, string>> {
    return {
      Authorization: `Bearer ${await token()}`,
      'Ocp-Apim-Subscription-Key': CREDENTIALS.subscriptionKey,
      'Merchant-Serial-Number': CREDENTIALS.msn,
      'Vipps-System-Name': 'pwb-tests',
      'Vipps-System-Version': '1.0.0',
      'content-type': 'application/json',
      ...extra,
    };
  }

  /** An authenticated API call below `/vipps`. */
  async function api<T = Loose>(
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ): Promise<ApiResult<T>> {
    const init: RequestInit = { method, headers: await apiHeaders(extra) };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    return toResult<T>(await request(`/vipps${path}`, init));
  }

  /** A browser visit (no redirects followed). */
  async function browse(
    path: string,
    init: { method?: string; form?: Record<string, string>; userAgent?: string } = {},
  ): Promise<BrowseResult> {
    const headers: Record<string, string> = { 'user-agent': init.userAgent ?? DESKTOP_UA };
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await request(path, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body });
    return {
      status: response.status,
      headers: response.headers,
      location: response.headers.get('location'),
      html: await response.text(),
    };
  }

  /** Path + query of an absolute sandbox URL. */
  const pathOf = (url: string) => {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  };

  /**
   * Lets outbound deliveries in flight progress: until they settle, or for a bounded number of
   * event-loop turns when one cannot settle yet (a merchant that hangs until a timeout fires).
   */
  async function settle(): Promise<void> {
    let turns = 0;
    const ticks = (async () => {
      while (turns++ < 50) await new Promise((resolve) => setImmediate(resolve));
    })();
    await Promise.race([sandbox.controls.flush(), ticks]);
  }

  /** Lets work in flight progress, moves the clock (running due timers), and lets the result settle. */
  async function advance(ms: number): Promise<void> {
    await settle();
    clock.advance(ms);
    await settle();
  }

  return {
    clock,
    receiver,
    sandbox,
    controls: sandbox.controls,
    request,
    token,
    apiHeaders,
    api,
    browse,
    pathOf,
    advance,
    settle,
    tokenHeaders,
  };
}

/** Pulls the value of a hidden form field or other attribute out of a page. */
export function hiddenToken(html: string): string {
  const match = /name="token" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no token field on the page');
  return match[1];
}

/** Text content without tags, entities decoded, whitespace collapsed (for readable assertions). */
export function textOf(html: string): string {
  const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39);/g, (entity) => entities[entity] ?? entity)
    .replace(/\s+/g, ' ')
    .trim();
}
