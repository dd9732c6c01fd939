import { CheckoutSession, CreateSessionResponse, GetSessionResponse } from '@pay-with-bank/protocol';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/security/crypto.js';
import { MemoryStore } from '../../src/store/memory.js';
import { RETURN_URL } from '../helpers/config.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';
import { json, makeHarness } from '../helpers/harness.js';

describe('POST /v1/sessions', () => {
  it('creates a session with defaults and a prefixed random client token stored only as a hash', async () => {
    const store = new MemoryStore();
    const h = makeHarness({ deps: { store, adapters: [new FakeAdapter()] } });
    const created = CreateSessionResponse.parse(await h.createSession());
    expect(created.clientToken).toMatch(/^pwb_ct_[A-Za-z0-9_-]{43}$/);
    expect(created.session).toMatchObject({
      state: 'open',
      amount: { value: 12500, currency: 'DKK' },
      methods: ['bank'],
      countries: ['DK'],
      locale: 'en',
      metadata: {},
      returnUrl: RETURN_URL,
    });
    expect(Date.parse(created.session.expiresAt) - Date.parse(created.session.createdAt)).toBe(3600_000);
    const stored = (await store.getSession(created.session.id))!;
    expect(stored.clientTokenHash).toBe(sha256Hex(created.clientToken));
    expect(JSON.stringify(stored)).not.toContain(created.clientToken);
    const again = await h.createSession();
    expect(again.clientToken).not.toBe(created.clientToken);
  });

  it('keeps the merchant’s countries, locale, expiry and metadata', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter()] } });
    const { session } = await h.createSession({
      amount: { value: 100, currency: 'EUR' },
      countries: ['DE', 'FI', 'DE'],
      locale: 'nb-NO',
      expiresInSeconds: 600,
      metadata: { orderId: '77' },
    });
    expect(session).toMatchObject({ countries: ['DE', 'FI'], locale: 'nb-NO', metadata: { orderId: '77' } });
    expect(Date.parse(session.expiresAt) - Date.parse(session.createdAt)).toBe(600_000);
  });

  it('defaults EUR sessions to euro-country banks', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter()] } });
    const { session } = await h.createSession({ amount: { value: 100, currency: 'EUR' } });
    expect(session.countries).toEqual(['FI', 'DE']);
  });

  it('refuses a return URL that is not on the allow-list, storing nothing', async () => {
    const store = new MemoryStore();
    const h = makeHarness({ deps: { store, adapters: [new FakeAdapter()] } });
    for (const returnUrl of [
      'https://evil.example/checkout',
      'https://shop.example/checkoutx',
      'https://a:b@shop.example/checkout',
    ]) {
      const res = await h.merchant('POST', '/v1/sessions', {
        amount: { value: 100, currency: 'DKK' },
        reference: 'R1',
        description: 'd',
        returnUrl,
      });
      expect(res.status).toBe(422);
      expect((await json(res)).error.code).toBe('return_url_not_allowed');
    }
    expect((await store.stats()).sessions).toBe(0);
  });

  it('offers only methods some adapter can take in the currency', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter({ currencies: ['DKK'] })] } });
    const sek = await h.merchant('POST', '/v1/sessions', {
      amount: { value: 100, currency: 'SEK' },
      reference: 'R1',
      description: 'd',
      returnUrl: RETURN_URL,
    });
    expect(sek.status).toBe(422);
    expect((await json(sek)).error.code).toBe('method_not_available');
    const vippsOnly = await h.merchant('POST', '/v1/sessions', {
      amount: { value: 100, currency: 'DKK' },
      reference: 'R1',
      description: 'd',
      returnUrl: RETURN_URL,
      methods: ['vipps'],
    });
    expect((await json(vippsOnly)).error.code).toBe('method_not_available');
    const filtered = await h.createSession({ methods: ['vipps', 'bank'] });
    expect(filtered.session.methods).toEqual(['bank']);
  });

  it('reads a session with its payments for the merchant, and 404 for unknown ids', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter()] } });
    const { session, clientToken } = await h.createSession();
    await h.client(clientToken, 'POST', '/v1/checkout/payments', { method: 'bank', attemptId: 'attempt-0001' });
    const res = await h.merchant('GET', `/v1/sessions/${session.id}`);
    const body = GetSessionResponse.parse(await json(res));
    expect(body.payments).toHaveLength(1);
    expect(body.payments[0]).toMatchObject({
      sessionId: session.id,
      reference: 'ORDER-1001',
      provider: 'fake',
      status: 'pending',
    });
    const missing = await h.merchant('GET', '/v1/sessions/cs_AAAAAAAAAAAAAAAAAAAAAA');
    expect(missing.status).toBe(404);
  });
});

describe('GET /v1/checkout/session', () => {
  it('shows the browser its session with the payee name and latest payment, never the return URL or metadata', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter()] } });
    const { clientToken } = await h.createSession({ metadata: { internal: 'secret-ish' } });
    const res = await h.client(clientToken, 'GET', '/v1/checkout/session');
    expect(res.status).toBe(200);
    const text = await res.clone().text();
    const body = CheckoutSession.parse(await res.json());
    expect(body).toMatchObject({
      payee: { name: 'Nordic Goods ApS' },
      reference: 'ORDER-1001',
      payment: null,
      methods: ['bank'],
    });
    expect(text).not.toContain('internal');
    expect(text).not.toContain('returnUrl');
  });

  it('rejects missing, malformed and unknown tokens alike with 401', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter()] } });
    await h.createSession();
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer nope' },
      { authorization: `Bearer pwb_ct_${'A'.repeat(43)}` },
      { authorization: 'Basic abc' },
    ]) {
      const res = await h.request('GET', '/v1/checkout/session', { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect((await json(res)).error.code).toBe('unauthorized');
    }
  });

  it('a merchant key is not a client token and a client token is not a merchant key', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter()] } });
    const { clientToken } = await h.createSession();
    expect((await h.merchant('GET', '/v1/checkout/session')).status).toBe(401);
    expect((await h.client(clientToken, 'GET', '/v1/payments')).status).toBe(401);
  });
});

describe('GET /v1/checkout/banks', () => {
  it('lists banks for the session currency and countries, cached', async () => {
    const fake = new FakeAdapter();
    const h = makeHarness({ deps: { adapters: [fake] } });
    const { clientToken } = await h.createSession();
    const res = await h.client(clientToken, 'GET', '/v1/checkout/banks');
    const body = await json(res);
    expect(body.banks.map((b: { id: string }) => b.id)).toEqual(['DK_Bank', 'DK_Down']);
    expect(body.banks[1]).toMatchObject({ available: false, unavailableMessage: 'Maintenance' });
    expect(body.banks[0]).not.toHaveProperty('currencies');
    await h.client(clientToken, 'GET', '/v1/checkout/banks?country=DK');
    expect(fake.calls.listBanks).toBe(1);
    const fi = await json(await h.client(clientToken, 'GET', '/v1/checkout/banks?country=FI'));
    expect(fi.banks).toEqual([]);
  });

  it('answers method_not_available when the session has no bank method', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter({ method: 'vipps', id: 'fake-wallet' })] } });
    const { clientToken } = await h.createSession();
    const res = await h.client(clientToken, 'GET', '/v1/checkout/banks');
    expect(res.status).toBe(422);
    expect((await json(res)).error.code).toBe('method_not_available');
  });
});
