/** Test doubles: a fake companion server behind a stubbed window.fetch, fixtures, and a test subclass. */
import { html, fixture, waitUntil, expect } from '@open-wc/testing';
import {
  StartPaymentRequest as StartPaymentRequestSchema,
  errorBody,
  type CheckoutSession,
  type ErrorCode,
  type StartPaymentRequest,
} from '@pay-with-bank/protocol';
import { PayWithBank } from '../src/index.js';
import type { Screen } from '../src/events.js';
import { BANKS, SERVER, TOKEN, makePayment, makeSession } from './fixtures.js';

export * from './fixtures.js';

/** Navigation and device detection made observable. */
export class TestPayWithBank extends PayWithBank {
  navigations: string[] = [];
  mobile = false;
  protected override navigate(url: string): void {
    this.navigations.push(url);
  }
  protected override isMobile(): boolean {
    return this.mobile;
  }
}
if (!customElements.get('test-pay-with-bank')) customElements.define('test-pay-with-bank', TestPayWithBank);

declare global {
  interface HTMLElementTagNameMap {
    'test-pay-with-bank': TestPayWithBank;
  }
}

// ------------------------------------------------------------------ fake server

export interface RecordedRequest {
  method: string;
  path: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

type Reply = Response | { status?: number; body: unknown } | Promise<Response | { status?: number; body: unknown }>;
type Handler = (request: RecordedRequest, match: RegExpMatchArray) => Reply;

export const json = (body: unknown, status = 200) => ({ status, body });
export const apiError = (code: ErrorCode, message = `${code} happened`) => ({
  status:
    { rate_limited: 429, internal_error: 500, provider_error: 502, provider_unavailable: 503, provider_timeout: 504 }[
      code as string
    ] ?? 400,
  body: errorBody(code, message),
});

/**
 * Stubs window.fetch with a small router. Like the real server it refuses requests without the
 * bearer token and validates the start-payment body with the protocol's strict schema.
 */
export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  readonly invalidBodies: unknown[] = [];
  private routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [];
  private originalFetch = window.fetch;
  token = TOKEN;

  on(method: string, pattern: RegExp, handler: Handler): this {
    this.routes.unshift({ method, pattern, handler });
    return this;
  }

  /** Default routes: the session, banks by country, start payment (echoing a payment) and refresh. */
  withDefaults(session: CheckoutSession = makeSession()): this {
    this.on('GET', /^\/v1\/checkout\/session$/, () => json(session));
    this.on('GET', /^\/v1\/checkout\/banks$/, (req) =>
      json({ banks: BANKS[req.url.searchParams.get('country') ?? 'DK'] ?? [] }),
    );
    this.on('POST', /^\/v1\/checkout\/payments$/, (req) => {
      const body = req.body as StartPaymentRequest;
      return json(
        {
          payment: makePayment({ method: body.method, bankId: body.bankId ?? null, status: 'created' }),
          redirectUrl: `https://sandbox.example.test/${body.method}/authorize/${body.attemptId}`,
        },
        201,
      );
    });
    return this;
  }

  install(): this {
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const url = new URL(
        typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
        location.href,
      );
      const method = (init?.method ?? 'GET').toUpperCase();
      const headers = new Headers(init?.headers);
      const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
      const signal = init?.signal;
      if (signal?.aborted) throw new DOMException('Aborted', 'AbortError');
      const request: RecordedRequest = { method, path: url.pathname, url, headers, body };
      this.requests.push(request);
      if (url.origin !== new URL(SERVER).origin) return toResponse(json({ error: 'wrong origin' }, 599));
      if (headers.get('Authorization') !== `Bearer ${this.token}`) return toResponse(apiError('unauthorized'));
      if (method === 'POST' && url.pathname === '/v1/checkout/payments') {
        const parsed = StartPaymentRequestSchema.safeParse(body);
        if (!parsed.success) {
          this.invalidBodies.push(body);
          return toResponse(apiError('invalid_request', parsed.error.message));
        }
      }
      for (const route of this.routes) {
        const match = url.pathname.match(route.pattern);
        if (route.method === method && match) {
          // Like real fetch, an abort (caller or time limit) rejects even while the server is silent.
          const aborted = new Promise<never>((_, reject) =>
            signal?.addEventListener('abort', () => reject(new DOMException('Aborted', 'AbortError')), { once: true }),
          );
          const reply = await Promise.race([route.handler(request, match), aborted]);
          return toResponse(reply);
        }
      }
      return toResponse(apiError('not_found'));
    };
    return this;
  }

  restore(): void {
    window.fetch = this.originalFetch;
  }

  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
    );
  }

  /** The browser never names an amount (invariant 2): no request body contains one, at any depth. */
  assertNoAmountSent(): void {
    const forbidden = /^(amount|value|currency|reference|payee)$/i;
    const keys = (value: unknown): string[] =>
      typeof value === 'object' && value !== null
        ? Object.entries(value).flatMap(([key, inner]) => [key, ...keys(inner)])
        : [];
    for (const request of this.requests) {
      expect(
        keys(request.body).filter((key) => forbidden.test(key)),
        `${request.method} ${request.path}`,
      ).to.deep.equal([]);
      expect([...request.url.searchParams.keys()].filter((key) => forbidden.test(key))).to.deep.equal([]);
    }
  }
}

function toResponse(reply: Response | { status?: number; body: unknown }): Response {
  if (reply instanceof Response) return reply;
  return new Response(JSON.stringify(reply.body), {
    status: reply.status ?? 200,
    headers: { 'Content-Type': 'application/json' },
  });
}

// ------------------------------------------------------------------ element helpers

export interface MountOptions {
  token?: string;
  locale?: string;
  methods?: string;
  pollInterval?: number;
  pollLimit?: number;
  requestTimeout?: number;
  /** How long an element with no token at all waits for one before saying so. */
  missingTokenDelay?: number;
  /** The live status stream (default off here: these tests check by polling; see live-status.test.ts). */
  liveStatus?: boolean;
}

export async function mount(options: MountOptions = {}): Promise<TestPayWithBank> {
  return fixture<TestPayWithBank>(
    html`<test-pay-with-bank
      session-token=${options.token ?? TOKEN}
      server-url=${SERVER}
      locale=${options.locale ?? 'en'}
      methods=${options.methods ?? ''}
      .pollInterval=${options.pollInterval ?? 20}
      .pollLimit=${options.pollLimit ?? 30}
      .requestTimeout=${options.requestTimeout ?? 2000}
      .missingTokenDelay=${options.missingTokenDelay ?? 3000}
      .liveStatus=${options.liveStatus ?? false}
    ></test-pay-with-bank>`,
  );
}

export const root = (el: HTMLElement) => el.shadowRoot!;
export const $ = <T extends Element = HTMLElement>(el: HTMLElement, selector: string) =>
  root(el).querySelector<T>(selector);
export const $$ = <T extends Element = HTMLElement>(el: HTMLElement, selector: string) => [
  ...root(el).querySelectorAll<T>(selector),
];
export const screenOf = (el: HTMLElement) => $(el, '.base')?.dataset.screen;
export const text = (el: HTMLElement, selector: string) =>
  $(el, selector)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

export async function waitForScreen(el: TestPayWithBank, screen: Screen, timeout = 4000): Promise<void> {
  await waitUntil(() => screenOf(el) === screen, `screen ${screen} (now ${screenOf(el)})`, { timeout });
  await el.updateComplete;
}

export async function waitForSelector(el: TestPayWithBank, selector: string, timeout = 4000): Promise<HTMLElement> {
  await waitUntil(() => $(el, selector) !== null, `selector ${selector}`, { timeout });
  await el.updateComplete;
  return $<HTMLElement>(el, selector)!;
}

export function click(el: TestPayWithBank, selector: string): void {
  const target = $(el, selector);
  if (!target) throw new Error(`nothing matches ${selector} on screen ${screenOf(el)}`);
  target.click();
}

export const PWB_EVENTS = [
  'pwb-ready',
  'pwb-state-change',
  'pwb-complete',
  'pwb-failed',
  'pwb-cancel',
  'pwb-error',
] as const;

/** Records pwb-* events reaching `target` (listen on document to see that they bubble out, composed). */
export function recordEvents(target: EventTarget = document): {
  seen: Record<string, CustomEvent[]>;
  stop: () => void;
} {
  const seen: Record<string, CustomEvent[]> = {};
  const listener = (event: Event) => seen[event.type]!.push(event as CustomEvent);
  for (const type of PWB_EVENTS) {
    seen[type] = [];
    target.addEventListener(type, listener);
  }
  return { seen, stop: () => PWB_EVENTS.forEach((type) => target.removeEventListener(type, listener)) };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
