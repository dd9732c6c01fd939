/**
 * POST /v1/sessions with an Idempotency-Key: the merchant's retry after a lost answer must get the
 * same session and token, never a second open session for the same order (the shopper could pay
 * twice). The crash between commit and answer is covered with a real process in test/crash.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/app.js';
import { buildOpenApiDocument } from '../../src/http/openapi.js';
import { routes } from '../../src/http/routes/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import { MERCHANT_KEY, RETURN_URL, SECOND_MERCHANT_KEY, testConfig } from '../helpers/config.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';
import { json, makeHarness, makeHarnessFor, type Harness } from '../helpers/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'pwb-session-idem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ORDER = {
  amount: { value: 24900, currency: 'DKK' },
  reference: 'ORDER-1001',
  description: 'Order 1001 at Nordlys Goods',
  returnUrl: RETURN_URL,
};

function create(h: Harness, key: string | null, body: unknown = ORDER, apiKey = MERCHANT_KEY) {
  return h.request('POST', '/v1/sessions', {
    body,
    headers: { authorization: `Bearer ${apiKey}`, ...(key === null ? {} : { 'idempotency-key': key }) },
  });
}

describe('idempotent session creation', () => {
  it('same key and body → the same session and client token, marked as a replay; one session stored', async () => {
    const store = new MemoryStore();
    const h = makeHarness({ deps: { store, adapters: [new FakeAdapter()] } });
    const first = await create(h, '1001');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const a = await json(first);
    const retry = await create(h, '1001');
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const b = await json(retry);
    expect(b.session.id).toBe(a.session.id);
    expect(b.clientToken).toBe(a.clientToken);
    expect((await store.stats()).sessions).toBe(1);
    // The replayed token is the live one.
    expect((await h.client(b.clientToken, 'GET', '/v1/checkout/session')).status).toBe(200);
  });

  it('same key, different body → a typed 409, nothing created', async () => {
    const store = new MemoryStore();
    const h = makeHarness({ deps: { store, adapters: [new FakeAdapter()] } });
    expect((await create(h, 'order-1001')).status).toBe(201);
    const other = await create(h, 'order-1001', { ...ORDER, amount: { value: 100, currency: 'DKK' } });
    expect(other.status).toBe(409);
    const body = await json(other);
    expect(body.error).toMatchObject({ code: 'idempotency_key_reused', retryable: false });
    expect(JSON.stringify(body)).not.toContain('pwb_ct_');
    expect((await store.stats()).sessions).toBe(1);
  });

  it('gives the client token back only to the merchant key that created the session', async () => {
    const store = new MemoryStore();
    const h = makeHarness({ deps: { store, adapters: [new FakeAdapter()] } });
    const { session } = await json(await create(h, 'order-2002'));
    const other = await create(h, 'order-2002', ORDER, SECOND_MERCHANT_KEY);
    expect(other.status).toBe(409);
    const body = await json(other);
    expect(body.error.code).toBe('idempotency_key_reused');
    expect(body.error.details).toEqual({ sessionId: session.id });
    expect(JSON.stringify(body)).not.toContain('pwb_ct_');
    expect((await store.stats()).sessions).toBe(1);
  });

  it('keeps session keys apart from capture keys, and without a key every request is a new session', async () => {
    const store = new MemoryStore();
    const h = makeHarness({ deps: { store, adapters: [new FakeAdapter()] } });
    await store.saveIdempotency({
      key: 'order-3003',
      fingerprint: 'POST /v1/payments/pay_x/capture abc',
      statusCode: 200,
      responseBody: '{}',
      createdAt: new Date().toISOString(),
    });
    expect((await create(h, 'order-3003')).status).toBe(201);
    const a = await json(await create(h, null));
    const b = await json(await create(h, null));
    expect(a.session.id).not.toBe(b.session.id);
    expect((await store.stats()).sessions).toBe(3);
  });

  it('concurrent requests with one key create one session and all get its token', async () => {
    const store = new MemoryStore();
    const h = makeHarness({ deps: { store, adapters: [new FakeAdapter()] } });
    const answers = await Promise.all(Array.from({ length: 20 }, () => create(h, 'order-4004')));
    const bodies = await Promise.all(answers.map((r) => json(r)));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(bodies.map((b) => b.session.id)).size).toBe(1);
    expect(new Set(bodies.map((b) => b.clientToken)).size).toBe(1);
    expect((await store.stats()).sessions).toBe(1);
  });

  it('holds across a restart on the same SQLite file, and the token is stored only sealed', async () => {
    const database = join(dir, 'sessions.sqlite');
    const boot = () =>
      createServer(testConfig({ PWB_DATABASE: database }), { adapters: [new FakeAdapter()], backgroundWorkers: false });
    const first = boot();
    const a = await json(await create(makeHarnessFor(first), 'order-5005'));
    const raw = JSON.stringify(await first.services.store.getIdempotency('session:order-5005'));
    expect(raw).not.toContain(a.clientToken);
    await first.close();

    const second = boot();
    const retry = await create(makeHarnessFor(second), 'order-5005');
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const b = await json(retry);
    expect([b.session.id, b.clientToken]).toEqual([a.session.id, a.clientToken]);
    expect((await second.services.store.stats()).sessions).toBe(1);
    await second.close();
  });

  it('refuses malformed keys with a typed error, creating nothing', async () => {
    const store = new MemoryStore();
    const h = makeHarness({ deps: { store, adapters: [new FakeAdapter()] } });
    for (const key of ['has space', 'x'.repeat(256), 'ünïcode']) {
      const res = await create(h, key);
      expect(res.status).toBe(400);
      expect((await json(res)).error.code).toBe('invalid_request');
    }
    expect((await store.stats()).sessions).toBe(0);
  });

  it('is declared in the OpenAPI document', () => {
    const doc = buildOpenApiDocument({ routes }) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const parameters = doc.paths['/v1/sessions']!.post!.parameters ?? [];
    expect(parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }));
  });
});
