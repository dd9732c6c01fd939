import { RefreshPaymentResponse, StartPaymentResponse } from '@pay-with-bank/protocol';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { MemoryStore } from '../../src/store/memory.js';
import { TestClock } from '../helpers/clock.js';
import { RETURN_URL } from '../helpers/config.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';
import { json, makeHarness } from '../helpers/harness.js';
import { paymentRecord } from '../store/contract.js';

function setup(options: { latencyMs?: number; authorizedMeansPaid?: boolean } = {}) {
  const fake = new FakeAdapter(options);
  const store = new MemoryStore();
  const clock = new TestClock();
  const h = makeHarness({ deps: { store, adapters: [fake], now: clock.now } });
  return { fake, store, clock, h };
}

const start = (h: ReturnType<typeof setup>['h'], token: string, body: Record<string, unknown>) =>
  h.client(token, 'POST', '/v1/checkout/payments', body);

describe('POST /v1/checkout/payments', () => {
  it('creates the provider payment from the session, stored before answering, with our return target', async () => {
    const { fake, store, h } = setup();
    const { session, clientToken } = await h.createSession();
    const res = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0001', bankId: 'DK_Bank' });
    expect(res.status).toBe(200);
    const body = StartPaymentResponse.parse(await res.json());
    expect(body.redirectUrl).toBe('https://provider.example/pay/fake-1');
    expect(body.payment).toMatchObject({
      status: 'pending',
      bankId: 'DK_Bank',
      amount: { value: 12500, currency: 'DKK' },
    });

    expect(fake.calls.create).toHaveLength(1);
    const input = fake.calls.create[0]!;
    expect(input).toMatchObject({
      paymentId: body.payment.id,
      sessionId: session.id,
      amount: { value: 12500, currency: 'DKK' },
      reference: 'ORDER-1001',
      bankId: 'DK_Bank',
    });
    const returnTarget = new URL(input.returnUrl);
    expect(`${returnTarget.origin}${returnTarget.pathname}`).toBe(RETURN_URL);
    expect(returnTarget.searchParams.get('pwb_return')).toBe(clientToken);
    expect(returnTarget.searchParams.get('pwb_payment')).toBe(body.payment.id);

    const stored = (await store.getPayment(body.payment.id))!;
    expect(stored).toMatchObject({
      providerPaymentId: 'fake-1',
      redirectUrl: body.redirectUrl,
      status: 'pending',
      attemptId: 'attempt-0001',
    });
    expect((await store.listPaymentEvents(stored.id)).map((e) => e.type)).toEqual(['created', 'provider_created']);
  });

  it('returns the same payment for the same attempt, even with 50 concurrent requests', async () => {
    const { fake, store, h } = setup({ latencyMs: 20 });
    const { clientToken } = await h.createSession();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        start(h, clientToken, { method: 'bank', attemptId: 'attempt-dbl', bankId: null }),
      ),
    );
    const bodies = await Promise.all(responses.map((r) => json(r)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(new Set(bodies.map((b) => b.payment.id)).size).toBe(1);
    expect(new Set(bodies.map((b) => b.redirectUrl)).size).toBe(1);
    expect(fake.calls.create).toHaveLength(1);
    expect((await store.stats()).payments).toBe(1);
  });

  it('refuses to reuse an attempt id for another method', async () => {
    const wallet = new FakeAdapter({ id: 'fake-wallet', method: 'vipps' });
    const bank = new FakeAdapter();
    const h = makeHarness({ deps: { adapters: [bank, wallet] } });
    const { clientToken } = await h.createSession();
    expect(
      (await h.client(clientToken, 'POST', '/v1/checkout/payments', { method: 'bank', attemptId: 'attempt-x1' }))
        .status,
    ).toBe(200);
    const res = await h.client(clientToken, 'POST', '/v1/checkout/payments', {
      method: 'vipps',
      attemptId: 'attempt-x1',
    });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe('idempotency_key_reused');
  });

  it('50 concurrent starts with 50 different attempt ids create one provider payment and all get it', async () => {
    const { fake, store, h } = setup({ latencyMs: 20 });
    const { clientToken } = await h.createSession();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        start(h, clientToken, { method: 'bank', attemptId: `attempt-burst-${i}`, bankId: 'DK_Bank' }),
      ),
    );
    const bodies = await Promise.all(responses.map((r) => json(r)));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const paymentIds = new Set(bodies.map((b) => b.payment.id));
    expect(paymentIds.size).toBe(1);
    expect(new Set(bodies.map((b) => b.redirectUrl))).toEqual(new Set(['https://provider.example/pay/fake-1']));
    expect(fake.calls.create).toHaveLength(1);
    expect((await store.stats()).payments).toBe(1);
    // Continued, not replaced: nothing was superseded.
    const [id] = [...paymentIds];
    expect((await store.listPaymentEvents(id)).map((e) => e.type)).toEqual(['created', 'provider_created']);
  });

  it('a concurrent burst mixing banks: one provider payment; other banks get payment_in_progress naming it', async () => {
    const { fake, h } = setup({ latencyMs: 10 });
    fake.banks = [...fake.banks, { ...fake.banks[0]!, id: 'DK_Other', name: 'Other Bank' }];
    const { clientToken } = await h.createSession();
    const banks = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 'DK_Other' : i % 3 === 1 ? 'DK_Bank' : null));
    const responses = await Promise.all(
      banks.map((bankId, i) => start(h, clientToken, { method: 'bank', attemptId: `attempt-mix-${i}`, bankId })),
    );
    const bodies = await Promise.all(responses.map((r) => json(r)));
    expect(fake.calls.create).toHaveLength(1);
    const winner = fake.calls.create[0]!;
    for (const [i, res] of responses.entries()) {
      if (banks[i] === winner.bankId) {
        expect(res.status).toBe(200);
        expect(bodies[i].payment.id).toBe(winner.paymentId);
      } else {
        expect(res.status).toBe(409);
        expect(bodies[i].error).toMatchObject({
          code: 'payment_in_progress',
          details: { paymentId: winner.paymentId },
        });
      }
    }
  });

  it('two tabs (two attempt ids, same bank) share one provider payment and its redirect URL', async () => {
    const { fake, store, h, clock } = setup();
    const { clientToken } = await h.createSession();
    const tabA = await json(await start(h, clientToken, { method: 'bank', attemptId: 'attempt-tab-a', bankId: null }));
    clock.advance(2000);
    const resB = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-tab-b' });
    expect(resB.status).toBe(200);
    const tabB = StartPaymentResponse.parse(await resB.json());
    expect(tabB.payment.id).toBe(tabA.payment.id);
    expect(tabB.redirectUrl).toBe(tabA.redirectUrl);
    expect(fake.calls.create).toHaveLength(1);
    expect(fake.calls.refresh).toEqual(['fake-1']); // its status was checked before it was handed out
    expect((await store.stats()).payments).toBe(1);
    // The second tab's attempt id is not recorded: starting it again later behaves the same.
    clock.advance(2000);
    expect((await json(await start(h, clientToken, { method: 'bank', attemptId: 'attempt-tab-b' }))).payment.id).toBe(
      tabA.payment.id,
    );
  });

  it('another bank or method while a payment is open answers payment_in_progress naming it, creating nothing', async () => {
    const wallet = new FakeAdapter({ id: 'fake-wallet', method: 'vipps' });
    const fake = new FakeAdapter();
    const store = new MemoryStore();
    const clock = new TestClock();
    const h = makeHarness({ deps: { store, adapters: [fake, wallet], now: clock.now } });
    const { clientToken } = await h.createSession({ methods: ['bank', 'vipps'] });
    const first = await json(await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0001', bankId: null }));
    for (const body of [
      { method: 'bank', attemptId: 'attempt-0002', bankId: 'DK_Bank' },
      { method: 'vipps', attemptId: 'attempt-0003' },
    ]) {
      clock.advance(2000);
      const res = await start(h, clientToken, body);
      expect(res.status).toBe(409);
      const { error } = await json(res);
      expect(error).toMatchObject({
        code: 'payment_in_progress',
        retryable: false,
        details: { paymentId: first.payment.id },
      });
      expect(error.message).toMatch(/another payment .* still open.*continue it, or choose to pay another way/i);
    }
    expect(fake.calls.create).toHaveLength(1);
    expect(wallet.calls.create).toHaveLength(0);
    expect((await store.stats()).payments).toBe(1);
    expect((await store.listPaymentEvents(first.payment.id)).map((e) => e.type)).toEqual([
      'created',
      'provider_created',
    ]);
    const session = await json(await h.client(clientToken, 'GET', '/v1/checkout/session'));
    expect(session.payment.id).toBe(first.payment.id);
  });

  it('replace: the shopper’s choice supersedes the open payment, cancelling it where the provider can', async () => {
    for (const cancel of [false, true]) {
      const fake = new FakeAdapter({ capabilities: { cancel } });
      const store = new MemoryStore();
      const clock = new TestClock();
      const h = makeHarness({ deps: { store, adapters: [fake], now: clock.now } });
      const { clientToken } = await h.createSession();
      const first = await json(await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0001' }));
      clock.advance(2000);
      const res = await start(h, clientToken, {
        method: 'bank',
        attemptId: 'attempt-0002',
        bankId: 'DK_Bank',
        replace: true,
      });
      expect(res.status).toBe(200);
      const second = await json(res);
      expect(second.payment.id).not.toBe(first.payment.id);
      expect(fake.calls.create).toHaveLength(2);
      expect(fake.calls.refresh).toEqual(['fake-1']);
      const events = await store.listPaymentEvents(first.payment.id);
      expect(events.find((e) => e.type === 'superseded')).toMatchObject({
        data: { supersededBy: second.payment.id },
      });
      expect(fake.calls.cancel).toHaveLength(cancel ? 1 : 0);
      expect((await store.getPayment(first.payment.id))!.status).toBe(cancel ? 'cancelled' : 'pending');
      // The latest attempt is what the widget sees.
      const session = await json(await h.client(clientToken, 'GET', '/v1/checkout/session'));
      expect(session.payment.id).toBe(second.payment.id);
    }
  });

  it('a replaced payment the provider could not cancel no longer stands: new starts defer to its replacement', async () => {
    const { fake, h, clock } = setup(); // no cancel capability: the replaced one stays pending
    const { clientToken } = await h.createSession();
    const first = await json(await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0001', bankId: null }));
    clock.advance(2000);
    const second = await json(
      await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0002', bankId: 'DK_Bank', replace: true }),
    );
    clock.advance(2000);
    // The first one's choice again: not continued (the shopper left it), the replacement is named.
    const again = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0003', bankId: null });
    expect(again.status).toBe(409);
    expect((await json(again)).error.details).toEqual({ paymentId: second.payment.id });
    const same = await json(
      await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0004', bankId: 'DK_Bank' }),
    );
    expect(same.payment.id).toBe(second.payment.id);
    expect(first.payment.id).not.toBe(second.payment.id);
    expect(fake.calls.create).toHaveLength(2);
  });

  it('an interrupted create (no provider id) stands but cannot be continued; replace supersedes it', async () => {
    const { fake, store, h, clock } = setup();
    const { session, clientToken } = await h.createSession();
    // What a crash between our write and the provider's answer leaves behind: our row, no provider id.
    const now = clock.now().toISOString();
    const row = paymentRecord((await store.getSession(session.id))!, {
      id: 'pay_interruptedAAAAAAAAAA',
      attemptId: 'attempt-crash',
      createdAt: now,
      updatedAt: now,
    });
    await store.insertPayment(row, {
      id: 'evt_interrupted',
      paymentId: row.id,
      type: 'created',
      status: 'created',
      providerStatus: null,
      source: 'create',
      dedupeKey: null,
      data: null,
      createdAt: row.createdAt,
    });
    const blocked = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0002', bankId: null });
    expect(blocked.status).toBe(409);
    expect((await json(blocked)).error).toMatchObject({ code: 'payment_in_progress', details: { paymentId: row.id } });
    expect(fake.calls.create).toHaveLength(0);

    const replaced = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0003', replace: true });
    expect(replaced.status).toBe(200);
    const { payment } = await json(replaced);
    expect(payment.id).not.toBe(row.id);
    expect(fake.calls.create).toHaveLength(1);
    expect(fake.calls.refresh).toEqual([]); // nothing to ask the provider about the interrupted row
    expect((await store.listPaymentEvents(row.id)).map((e) => e.type)).toEqual(['created', 'superseded']);
  });

  it('refuses a new attempt while one is authorised (payment_in_progress)', async () => {
    const { fake, h, clock } = setup();
    const { clientToken } = await h.createSession();
    const first = await json(await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0001' }));
    fake.set('fake-1', { status: 'authorized', providerStatus: 'Pending' });
    clock.advance(2000);
    const res = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0002' });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe('payment_in_progress');
    // Not even the shopper's explicit choice replaces money already authorised.
    const replace = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0003', replace: true });
    expect(replace.status).toBe(409);
    expect((await json(replace)).error).toMatchObject({
      code: 'payment_in_progress',
      details: { paymentId: first.payment.id },
    });
    expect(fake.calls.create).toHaveLength(1);
  });

  it('refuses new attempts once the session is paid, but replays the paying attempt', async () => {
    const { fake, h, clock, store } = setup();
    const { session, clientToken } = await h.createSession();
    await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0001' });
    fake.set('fake-1', { status: 'completed', providerStatus: 'Succeeded' });
    clock.advance(2000);
    const conflict = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0002' });
    expect(conflict.status).toBe(409);
    expect((await json(conflict)).error.code).toBe('conflict');
    expect((await store.getSession(session.id))!.state).toBe('paid');
    const replay = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0001' });
    expect(replay.status).toBe(200);
    expect((await json(replay)).payment.status).toBe('completed');
    expect(fake.calls.create).toHaveLength(1);
  });

  it('marks the session paid on authorized only for adapters whose authorized means money reserved', async () => {
    for (const authorizedMeansPaid of [true, false]) {
      const { fake, h, clock, store } = setup({ authorizedMeansPaid });
      const { session, clientToken } = await h.createSession();
      const { payment } = await json(await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0001' }));
      fake.set('fake-1', { status: 'authorized', providerStatus: 'RESERVED' });
      clock.advance(2000);
      await h.client(clientToken, 'POST', `/v1/checkout/payments/${payment.id}/refresh`);
      expect((await store.getSession(session.id))!.state).toBe(authorizedMeansPaid ? 'paid' : 'open');
    }
  });

  it('answers session_expired after the session expires, creating nothing', async () => {
    const { fake, h, clock, store } = setup();
    const { clientToken } = await h.createSession({ expiresInSeconds: 60 });
    clock.advance(61_000);
    const res = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0001' });
    expect(res.status).toBe(410);
    expect((await json(res)).error.code).toBe('session_expired');
    expect(fake.calls.create).toHaveLength(0);
    expect((await store.stats()).payments).toBe(0);
  });

  it('a client token still reads and refreshes for a week after its session expired, then never again', async () => {
    const { fake, h, clock } = setup();
    const { clientToken } = await h.createSession({ expiresInSeconds: 60 });
    const { payment } = await json(await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0001' }));
    fake.set('fake-1', { status: 'completed', providerStatus: 'COMPLETED' });
    const reads = () => [
      h.client(clientToken, 'GET', '/v1/checkout/session'),
      h.client(clientToken, 'POST', `/v1/checkout/payments/${payment.id}/refresh`),
      h.client(clientToken, 'GET', '/v1/checkout/banks'),
    ];
    clock.advance(60_000 + 7 * 24 * 60 * 60 * 1000); // the last moment of the week
    expect(await Promise.all(reads().map(async (r) => (await r).status))).toEqual([200, 200, 200]);
    clock.advance(1);
    for (const res of await Promise.all(reads())) {
      expect(res.status).toBe(410);
      expect((await json(res)).error.code).toBe('session_expired');
    }
  });

  it('refuses unknown and unavailable banks before calling the provider', async () => {
    const { fake, h } = setup();
    const { clientToken } = await h.createSession();
    for (const bankId of ['DK_Down', 'FI_Bank', 'Nope']) {
      const res = await start(h, clientToken, { method: 'bank', attemptId: `attempt-${bankId}`, bankId });
      expect(res.status).toBe(422);
      expect((await json(res)).error.code).toBe('bank_not_available');
    }
    expect(fake.calls.create).toHaveLength(0);
  });

  it('refuses a method the session does not offer', async () => {
    const { h } = setup();
    const { clientToken } = await h.createSession();
    const res = await start(h, clientToken, { method: 'vipps', attemptId: 'attempt-0001' });
    expect(res.status).toBe(422);
    expect((await json(res)).error.code).toBe('method_not_available');
  });

  it('records a provider refusal as a failed attempt; the same attempt stays failed, a new one works', async () => {
    const { fake, h, store } = setup();
    const { clientToken } = await h.createSession();
    fake.failNext.create = new ProviderError('provider_unavailable', 'The payment provider is unavailable (HTTP 503).');
    const res = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0001' });
    expect(res.status).toBe(503);
    expect(await json(res)).toEqual({
      error: {
        code: 'provider_unavailable',
        message: 'The payment provider is unavailable (HTTP 503).',
        retryable: true,
      },
    });
    const [failed] = await store.listPayments({ limit: 5 });
    expect(failed).toMatchObject({ status: 'failed', failure: { code: 'provider_unavailable' } });
    const outbox = await store.listOutbox(failed!.id);
    expect(outbox.map((o) => o.type)).toEqual(['payment.failed']);

    const replay = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0001' });
    expect(replay.status).toBe(409);
    expect((await json(replay)).error.code).toBe('invalid_state');
    const fresh = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0002' });
    expect(fresh.status).toBe(200);
  });

  it('never lets an unexpected adapter error leak its message', async () => {
    const { fake, h } = setup();
    const { clientToken } = await h.createSession();
    fake.failNext.create = new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2');
    const res = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0001' });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('ECONNREFUSED');
  });
});

describe('POST /v1/checkout/payments/{id}/refresh', () => {
  it('coalesces concurrent refreshes into one provider call', async () => {
    const { fake, h, clock } = setup({ latencyMs: 30 });
    const { clientToken } = await h.createSession();
    const { payment } = await json(await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0001' }));
    clock.advance(5000);
    fake.set('fake-1', { status: 'authorized', providerStatus: 'Pending' });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => h.client(clientToken, 'POST', `/v1/checkout/payments/${payment.id}/refresh`)),
    );
    const bodies = await Promise.all(results.map((r) => r.json()));
    expect(fake.calls.refresh).toHaveLength(1);
    expect(bodies.every((b) => RefreshPaymentResponse.parse(b).payment.status === 'authorized')).toBe(true);
  });

  it('calls the provider at most once per payment per second; others get the stored state', async () => {
    const { fake, h, clock } = setup();
    const { clientToken } = await h.createSession();
    const { payment } = await json(await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0001' }));
    clock.advance(1500);
    const path = `/v1/checkout/payments/${payment.id}/refresh`;
    await h.client(clientToken, 'POST', path);
    fake.set('fake-1', { status: 'authorized', providerStatus: 'Pending' });
    clock.advance(400);
    const throttled = await json(await h.client(clientToken, 'POST', path));
    expect(throttled.payment.status).toBe('pending');
    expect(fake.calls.refresh).toHaveLength(1);
    clock.advance(700);
    const next = await json(await h.client(clientToken, 'POST', path));
    expect(next.payment.status).toBe('authorized');
    expect(fake.calls.refresh).toHaveLength(2);
  });

  it('answers final payments from the store without calling the provider', async () => {
    const { fake, h, clock } = setup();
    const { clientToken } = await h.createSession();
    const { payment } = await json(await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0001' }));
    fake.set('fake-1', {
      status: 'failed',
      providerStatus: 'Failed',
      failure: { code: 'rejected', message: 'No.', providerCode: null, providerMessage: null },
    });
    clock.advance(2000);
    const path = `/v1/checkout/payments/${payment.id}/refresh`;
    const failed = await json(await h.client(clientToken, 'POST', path));
    expect(failed.payment).toMatchObject({ status: 'failed', failure: { code: 'rejected' }, redirectUrl: null });
    for (let i = 0; i < 3; i++) {
      clock.advance(5000);
      await h.client(clientToken, 'POST', path);
    }
    expect(fake.calls.refresh).toHaveLength(1);
  });

  it('passes provider errors on as typed, retryable errors', async () => {
    const { fake, h, clock } = setup();
    const { clientToken } = await h.createSession();
    const { payment } = await json(await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0001' }));
    clock.advance(2000);
    fake.failNext.refresh = new ProviderError('provider_timeout', 'The payment provider did not answer in time.');
    const res = await h.client(clientToken, 'POST', `/v1/checkout/payments/${payment.id}/refresh`);
    expect(res.status).toBe(504);
    expect((await json(res)).error).toMatchObject({ code: 'provider_timeout', retryable: true });
  });

  it('one session’s token can never read or refresh another session’s payment', async () => {
    const { fake, h } = setup();
    const a = await h.createSession();
    const b = await h.createSession({ reference: 'ORDER-B' });
    const { payment } = await json(await start(h, b.clientToken, { method: 'bank', attemptId: 'attempt-0001' }));
    const res = await h.client(a.clientToken, 'POST', `/v1/checkout/payments/${payment.id}/refresh`);
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('not_found');
    const sessionA = await json(await h.client(a.clientToken, 'GET', '/v1/checkout/session'));
    expect(sessionA.payment).toBeNull();
    expect(fake.calls.refresh).toHaveLength(0);
    // The same attempt id in session A is a separate payment.
    const own = await json(await start(h, a.clientToken, { method: 'bank', attemptId: 'attempt-0001' }));
    expect(own.payment.id).not.toBe(payment.id);
  });
});

describe('rate limits', () => {
  it('limits browser API requests per session per minute with a typed, retryable 429', async () => {
    const clock = new TestClock();
    const h = makeHarness({
      env: { PWB_RATE_LIMIT_PER_MINUTE: '3' },
      deps: { adapters: [new FakeAdapter()], now: clock.now },
    });
    const a = await h.createSession();
    const b = await h.createSession();
    for (let i = 0; i < 3; i++) expect((await h.client(a.clientToken, 'GET', '/v1/checkout/session')).status).toBe(200);
    const limited = await h.client(a.clientToken, 'GET', '/v1/checkout/session');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await json(limited)).error).toMatchObject({ code: 'rate_limited', retryable: true });
    // Another session has its own budget; the merchant API has none.
    expect((await h.client(b.clientToken, 'GET', '/v1/checkout/session')).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await h.merchant('GET', '/v1/payments')).status).toBe(200);
    clock.advance(60_000);
    expect((await h.client(a.clientToken, 'GET', '/v1/checkout/session')).status).toBe(200);
  });

  it('caps payment attempts per session, still replaying existing attempts', async () => {
    const fake = new FakeAdapter();
    const clock = new TestClock();
    const h = makeHarness({
      env: { PWB_RATE_LIMIT_ATTEMPTS_PER_SESSION: '2' },
      deps: { adapters: [fake], now: clock.now },
    });
    const { clientToken } = await h.createSession();
    const ids: string[] = [];
    for (const attemptId of ['attempt-0001', 'attempt-0002']) {
      clock.advance(2000);
      const res = await start(h, clientToken, { method: 'bank', attemptId, replace: true });
      expect(res.status).toBe(200);
      ids.push((await json(res)).payment.id);
    }
    clock.advance(2000);
    const third = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0003', replace: true });
    expect(third.status).toBe(409);
    // No retry of the same request can succeed: the body says so.
    expect((await json(third)).error).toMatchObject({ code: 'attempt_limit_reached', retryable: false });
    expect(fake.calls.create).toHaveLength(2);
    expect((await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0002' })).status).toBe(200);
    // Another tab continuing the open payment creates nothing at the provider, so it is not capped.
    const tab = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-0004' });
    expect(tab.status).toBe(200);
    expect((await json(tab)).payment.id).toBe(ids[1]);
    expect(fake.calls.create).toHaveLength(2);
  });

  it('does not count attempts the provider refused (no provider payment): a provider outage never locks the checkout', async () => {
    const fake = new FakeAdapter();
    const clock = new TestClock();
    const h = makeHarness({
      env: { PWB_RATE_LIMIT_ATTEMPTS_PER_SESSION: '2' },
      deps: { adapters: [fake], now: clock.now },
    });
    const { clientToken } = await h.createSession();
    const refusals = [
      new ProviderError('provider_unavailable', 'The payment provider is unavailable (HTTP 503).'),
      new ProviderError('provider_unavailable', 'The payment provider is rate limiting requests.', {
        retryAfterSeconds: 1,
      }),
      new ProviderError('provider_timeout', 'The payment provider did not answer in time.'),
    ];
    for (let i = 0; i < 25; i++) {
      fake.failNext.create = refusals[i % refusals.length]!;
      clock.advance(1000);
      const res = await start(h, clientToken, { method: 'bank', attemptId: `attempt-refused-${i}` });
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect((await json(res)).error.retryable).toBe(true);
    }
    // The provider is back: the checkout still pays, and only provider payments count from here on.
    clock.advance(1000);
    const ok = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-after-outage' });
    expect(ok.status).toBe(200);
    clock.advance(1000);
    expect((await start(h, clientToken, { method: 'bank', attemptId: 'attempt-second', replace: true })).status).toBe(
      200,
    );
    clock.advance(1000);
    const third = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-third', replace: true });
    expect((await json(third)).error).toMatchObject({ code: 'attempt_limit_reached', retryable: false });
    expect(fake.calls.create.length).toBe(25 + 2);
  });

  it('marks a provider’s own refusal of a request as not retryable', async () => {
    const fake = new FakeAdapter();
    const h = makeHarness({ deps: { adapters: [fake] } });
    const { clientToken } = await h.createSession();
    fake.failNext.create = new ProviderError(
      'provider_error',
      'The payment provider refused the request: invalid account',
      { providerStatus: 400 },
      { retryable: false },
    );
    const res = await start(h, clientToken, { method: 'bank', attemptId: 'attempt-refused-400' });
    expect((await json(res)).error).toMatchObject({ code: 'provider_error', retryable: false });
  });
});
