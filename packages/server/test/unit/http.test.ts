import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory.js';
import { MC_CLIENT_SECRET, MERCHANT_KEY, SHOP_ORIGIN } from '../helpers/config.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';
import { json, makeHarness } from '../helpers/harness.js';

const SECURITY_HEADERS = [
  'x-content-type-options',
  'x-frame-options',
  'strict-transport-security',
  'content-security-policy',
  'referrer-policy',
];

describe('HTTP basics', () => {
  it('sets security headers and no-store on every kind of response', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter()] } });
    const responses = await Promise.all([
      h.request('GET', '/healthz'),
      h.request('GET', '/nope'),
      h.request('DELETE', '/v1/sessions'),
      h.merchant('GET', '/v1/payments/not-an-id'),
      h.request('GET', '/v1/checkout/session'),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 404, 405, 400, 401]);
    for (const res of responses) {
      for (const header of SECURITY_HEADERS) expect(res.headers.get(header), header).toBeTruthy();
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(responses[0]!.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('answers unknown routes with not_found and wrong methods with method_not_allowed + Allow', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter()] } });
    expect(await json(await h.request('GET', '/v2/anything'))).toEqual({
      error: { code: 'not_found', message: 'No such endpoint.', retryable: false },
    });
    const res = await h.merchant('PUT', '/v1/payments/pay_AAAAAAAAAAAAAAAAAAAAAA');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect((await json(res)).error.code).toBe('method_not_allowed');
  });

  it('serves HEAD for GET routes', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter()] } });
    const res = await h.request('HEAD', '/healthz');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('requires JSON bodies to be labelled as JSON', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter()] } });
    const body = JSON.stringify({
      amount: { value: 100, currency: 'DKK' },
      reference: 'R',
      description: 'd',
      returnUrl: 'https://shop.example/checkout',
    });
    for (const type of [
      undefined,
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
    ]) {
      const res = await h.request('POST', '/v1/sessions', {
        rawBody: body,
        headers: { authorization: `Bearer ${MERCHANT_KEY}`, ...(type ? { 'content-type': type } : {}) },
      });
      expect(res.status, String(type)).toBe(415);
      expect((await json(res)).error.code).toBe('unsupported_media_type');
    }
    const ok = await h.request('POST', '/v1/sessions', {
      rawBody: body,
      headers: { authorization: `Bearer ${MERCHANT_KEY}`, 'content-type': 'application/json; charset=UTF-8' },
    });
    expect(ok.status).toBe(201);
  });

  it('limits bodies to 16 KB whether or not Content-Length is sent', async () => {
    const store = new MemoryStore();
    const h = makeHarness({ deps: { store, adapters: [new FakeAdapter()] } });
    const huge = JSON.stringify({ description: 'x'.repeat(20_000) });
    const declared = await h.request('POST', '/v1/sessions', {
      rawBody: huge,
      headers: { authorization: `Bearer ${MERCHANT_KEY}`, 'content-type': 'application/json' },
    });
    expect(declared.status).toBe(413);
    expect((await json(declared)).error.code).toBe('payload_too_large');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
        controller.close();
      },
    });
    const chunked = await h.server.fetch(
      new Request('http://pwb.test/v1/sessions', {
        method: 'POST',
        headers: { authorization: `Bearer ${MERCHANT_KEY}`, 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    expect(chunked.status).toBe(413);
    expect((await store.stats()).sessions).toBe(0);
  });

  it('turns unexpected failures into internal_error without internals', async () => {
    const store = new MemoryStore();
    store.findSessionByTokenHash = async () => {
      throw new Error(`database exploded near ${MC_CLIENT_SECRET} at /srv/app/store.ts:42`);
    };
    const lines: string[] = [];
    const h = makeHarness({
      deps: { store, adapters: [new FakeAdapter()], logSink: (l) => lines.push(l) },
      env: { PWB_LOG_LEVEL: 'info' },
    });
    const res = await h.client(`pwb_ct_${'A'.repeat(43)}`, 'GET', '/v1/checkout/session');
    expect(res.status).toBe(500);
    expect(await json(res)).toEqual({
      error: { code: 'internal_error', message: 'An unexpected error occurred.', retryable: true },
    });
    const logged = lines.join('\n');
    expect(logged).toContain('unhandled error');
    expect(logged).not.toContain(MC_CLIENT_SECRET);
  });

  it('answers /healthz 503 when the store is unusable', async () => {
    const store = new MemoryStore();
    const h = makeHarness({ deps: { store, adapters: [new FakeAdapter()] } });
    await store.close();
    const res = await h.request('GET', '/healthz');
    expect(res.status).toBe(503);
    expect(await json(res)).toEqual({ status: 'error', checks: { store: 'error' } });
  });
});

describe('CORS', () => {
  const preflight = (h: ReturnType<typeof makeHarness>, path: string, origin: string) =>
    h.request('OPTIONS', path, {
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });

  it('allows configured origins on the browser API, preflight included', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter()] } });
    const res = await preflight(h, '/v1/checkout/payments', SHOP_ORIGIN);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    const { clientToken } = await h.createSession();
    const get = await h.client(clientToken, 'GET', '/v1/checkout/session', undefined, { origin: SHOP_ORIGIN });
    expect(get.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    const denied = await h.request('GET', '/v1/checkout/session', { headers: { origin: SHOP_ORIGIN } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
  });

  it('gives other origins nothing', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter()] } });
    const res = await preflight(h, '/v1/checkout/payments', 'https://evil.example');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const { clientToken } = await h.createSession();
    const get = await h.client(clientToken, 'GET', '/v1/checkout/session', undefined, {
      origin: 'https://evil.example',
    });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('never answers CORS on the merchant API', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter()] } });
    const res = await preflight(h, '/v1/sessions', SHOP_ORIGIN);
    expect(res.status).toBe(405);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const list = await h.merchant('GET', '/v1/payments', undefined, { origin: SHOP_ORIGIN });
    expect(list.status).toBe(200);
    expect(list.headers.get('access-control-allow-origin')).toBeNull();
  });
});
