/**
 * Test helpers for the Mastercard emulator: an in-process API client, a tiny form-driving
 * "shopper" for the hosted pages (parses our own markup, submits forms through app.fetch), the
 * Postman collection's examples, and a structural comparison against them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSandbox, type Sandbox } from '../src/index.js';

/**
 * Response bodies under test. They are asserted field by field (and against the Postman examples),
 * so a static type here would only repeat those assertions.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const PUBLIC_URL = 'http://sandbox.test';
export const AUTH = { 'X-Client-ID': 'sandbox-client-id', 'X-Client-Secret': 'sandbox-client-secret' };
export const START = new Date('2024-01-01T09:00:00.000Z');

/** A clock tests move by hand. */
export function manualClock(start = START) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

export interface ApiResult {
  status: number;
  headers: Headers;
  json: Json;
  text: string;
}

export interface ApiClient {
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResult>;
  get(path: string, headers?: Record<string, string>): Promise<ApiResult>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResult>;
  create(
    overrides?: Record<string, unknown>,
    request?: Record<string, unknown>,
  ): Promise<{ redirectUrl: string; paymentId: string; sessionId: string }>;
  payment(paymentId: string): Promise<Json>;
  refresh(paymentId: string): Promise<Json>;
}

export interface TestSetup {
  sandbox: Sandbox;
  clock: ReturnType<typeof manualClock>;
  api: ApiClient;
  shopper: Shopper;
}

export function setup(options: Parameters<typeof createSandbox>[0] = {}): TestSetup {
  const clock = manualClock();
  const sandbox = createSandbox({ publicUrl: PUBLIC_URL, clock: clock.now, ...options });
  return { sandbox, clock, api: apiClient(sandbox), shopper: new Shopper(sandbox) };
}

export function apiClient(sandbox: Sandbox): ApiClient {
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResult> => {
    const init: RequestInit = { method, headers: { ...AUTH, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['Content-Type'] ??= 'application/json';
    }
    const res = await sandbox.request(`/mastercard${path}`, init);
    const text = await res.text();
    let json: Json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  };
  return {
    call,
    get: (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers),
    post: (path: string, body?: unknown, headers?: Record<string, string>) => call('POST', path, body, headers),
    async create(overrides: Record<string, unknown> = {}, request: Record<string, unknown> = {}) {
      const res = await call('POST', '/v1/payments/create', paymentBody(overrides, request));
      if (res.status !== 200) throw new Error(`create failed: ${res.status} ${res.text}`);
      return res.json as { redirectUrl: string; paymentId: string; sessionId: string };
    },
    async payment(paymentId: string) {
      const res = await call('GET', `/v1/payments/${paymentId}`);
      if (res.status !== 200) throw new Error(`get failed: ${res.status} ${res.text}`);
      return res.json.payment;
    },
    async refresh(paymentId: string) {
      const res = await call('POST', `/v1/payments/${paymentId}/refresh-status`, {});
      if (res.status !== 200) throw new Error(`refresh failed: ${res.status} ${res.text}`);
      return res.json.payment;
    },
  };
}

/** The Postman "Create payment" body, DKK 2.00 to a BBAN, with overrides. */
export function paymentBody(overrides: Record<string, unknown> = {}, request: Record<string, unknown> = {}) {
  return {
    userHash: 'aiia-postman-demo',
    redirectUrl: 'https://shop.test/checkout/return?order=A-17&pwb_return=tok%20en',
    ...overrides,
    request: {
      destination: { bban: { bankCode: '1234', accountNumber: '0123456789' }, name: 'John Doe' },
      amount: { value: '2.00', currency: 'DKK' },
      ...request,
    },
  };
}

// ---------------------------------------------------------------- hosted pages

function decode(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attributes(source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of source.matchAll(/([\w:-]+)(?:\s*=\s*"([^"]*)")?/g)) out[m[1]!] = decode(m[2] ?? '');
  return out;
}

export interface ParsedInput {
  name: string;
  type: string;
  value: string;
  checked: boolean;
  disabled: boolean;
  testId: string | undefined;
}

export interface ParsedForm {
  action: string;
  method: string;
  testId: string | undefined;
  inputs: ParsedInput[];
  buttons: { text: string; testId: string | undefined }[];
}

export function parseForms(html: string): ParsedForm[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map((m) => {
    const attrs = attributes(m[1]!);
    const inner = m[2]!;
    return {
      action: attrs.action ?? '',
      method: (attrs.method ?? 'get').toLowerCase(),
      testId: attrs['data-testid'],
      inputs: [...inner.matchAll(/<input\b([^>]*)>/g)].map((i) => {
        const a = attributes(i[1]!);
        return {
          name: a.name ?? '',
          type: a.type ?? 'text',
          value: a.value ?? '',
          checked: 'checked' in a,
          disabled: 'disabled' in a,
          testId: a['data-testid'],
        };
      }),
      buttons: [...inner.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/g)].map((b) => ({
        text: decode(b[2]!.replace(/<[^>]+>/g, '').trim()),
        testId: attributes(b[1]!)['data-testid'],
      })),
    };
  });
}

export interface Page {
  status: number;
  url: string;
  html: string;
  headers: Headers;
  forms: ParsedForm[];
  /** The form holding the button with this accessible text (e.g. "Log in", "Cancel"). */
  formWithButton(text: string): ParsedForm;
  text(testId: string): string | undefined;
}

function toPage(url: string, res: Response, html: string): Page {
  const forms = parseForms(html);
  return {
    status: res.status,
    url,
    html,
    headers: res.headers,
    forms,
    formWithButton(text) {
      const form = forms.find((f) => f.buttons.some((b) => b.text === text));
      if (!form) throw new Error(`no form with a "${text}" button on ${url}:\n${html}`);
      return form;
    },
    text(testId) {
      const m = html.match(new RegExp(`<(\\w+)\\b[^>]*data-testid="${testId}"[^>]*>([\\s\\S]*?)</\\1>`));
      return m
        ? decode(
            m[2]!
              .replace(/<[^>]+>/g, '')
              .replace(/[ \t\r\n]+/g, ' ')
              .trim(),
          )
        : undefined;
    },
  };
}

/** Drives the hosted pages like a browser without JavaScript would: GET pages, POST forms, see redirects. */
export class Shopper {
  constructor(private readonly sandbox: Sandbox) {}

  private path(url: string): string {
    return url.startsWith(PUBLIC_URL) ? url.slice(PUBLIC_URL.length) : url;
  }

  async open(url: string): Promise<Page> {
    const res = await this.sandbox.request(this.path(url));
    return toPage(url, res, await res.text());
  }

  /**
   * Submits `form` with its hidden and pre-checked values, overridden by `values`.
   * Returns the raw response (redirects are not followed, so tests can assert them).
   */
  async submit(form: ParsedForm, values: Record<string, string> = {}): Promise<Response> {
    const fields = new URLSearchParams();
    for (const input of form.inputs) {
      if (input.disabled || !input.name || input.name in values) continue;
      if (input.type === 'radio' && !input.checked) continue;
      fields.set(input.name, input.value);
    }
    for (const [name, value] of Object.entries(values)) fields.set(name, value);
    if (form.method === 'get') {
      const url = new URL(form.action);
      for (const [k, v] of fields) url.searchParams.set(k, v);
      return this.sandbox.request(this.path(url.toString()));
    }
    return this.sandbox.request(this.path(form.action), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
    });
  }

  /** Submit, expect a 303, and open where it points if it is the sandbox itself. */
  async submitAndFollow(form: ParsedForm, values: Record<string, string> = {}): Promise<Page> {
    const res = await this.submit(form, values);
    if (res.status !== 303) throw new Error(`expected 303, got ${res.status}: ${await res.text()}`);
    return this.open(res.headers.get('Location')!);
  }

  /** The whole happy path after the start URL: bank (if asked) → login → confirm from `accountId`. */
  async pay(redirectUrl: string, opts: { bank?: string; accountId?: string } = {}): Promise<Response> {
    let page = await this.open(redirectUrl);
    if (page.forms.some((f) => f.testId === 'bank-choice')) {
      page = await this.submitAndFollow(page.formWithButton('Continue'), { providerId: opts.bank ?? 'DK_TestBank' });
    }
    page = await this.submitAndFollow(page.formWithButton('Log in'), { userId: 'test-user', otp: '123456' });
    return this.submit(page.formWithButton('Confirm payment'), { accountId: opts.accountId ?? 'everyday' });
  }
}

// ---------------------------------------------------------------- Postman collection

const COLLECTION_PATH = fileURLToPath(
  new URL('../specs/mastercard/enterprise.postman_collection.json', import.meta.url),
);

interface PostmanItem {
  name: string;
  item?: PostmanItem[];
  request?: { body?: { raw?: string } };
  response?: { name: string; body: string }[];
}

const collection = JSON.parse(readFileSync(COLLECTION_PATH, 'utf8')) as { item: PostmanItem[] };

function findItem(folder: string, name: string): PostmanItem {
  const item = collection.item.find((f) => f.name === folder)?.item?.find((i) => i.name === name);
  if (!item) throw new Error(`Postman item ${folder} / ${name} not found`);
  return item;
}

export function postmanExample(folder: string, name: string): Json {
  const body = findItem(folder, name).response?.[0]?.body;
  if (!body) throw new Error(`Postman item ${folder} / ${name} has no example response`);
  return JSON.parse(body);
}

export function postmanRequestBody(folder: string, name: string): Json {
  const raw = findItem(folder, name).request?.body?.raw;
  if (!raw) throw new Error(`Postman item ${folder} / ${name} has no request body`);
  return JSON.parse(raw);
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Differences in shape between `actual` and a Postman `example`: the same keys at every level and
 * the same JSON types. A null on either side matches anything, because the examples themselves
 * show the same field both null and filled (e.g. `round` logos, `codeV2`). Array items are
 * compared with the example's first item.
 */
export function shapeDiff(actual: unknown, example: unknown, path = '$'): string[] {
  if (actual === null || example === null) return [];
  const a = kind(actual);
  const e = kind(example);
  if (a !== e) return [`${path}: ${a} instead of ${e}`];
  if (a === 'array') {
    const sample = (example as unknown[])[0];
    if (sample === undefined) return [];
    return (actual as unknown[]).flatMap((item, i) => shapeDiff(item, sample, `${path}[${i}]`));
  }
  if (a !== 'object') return [];
  const actualObj = actual as Record<string, unknown>;
  const exampleObj = example as Record<string, unknown>;
  const diffs: string[] = [];
  for (const key of Object.keys(exampleObj)) {
    if (!(key in actualObj)) diffs.push(`${path}.${key}: missing`);
    else diffs.push(...shapeDiff(actualObj[key], exampleObj[key], `${path}.${key}`));
  }
  for (const key of Object.keys(actualObj)) if (!(key in exampleObj)) diffs.push(`${path}.${key}: not in the example`);
  return diffs;
}
