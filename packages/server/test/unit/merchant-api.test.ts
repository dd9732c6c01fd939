import { GetPaymentResponse, ListPaymentsResponse, MerchantEvent } from '@pay-with-bank/protocol';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { MemoryStore } from '../../src/store/memory.js';
import { TestClock } from '../helpers/clock.js';
import { FakeAdapter, plainAdapter } from '../helpers/fake-adapter.js';
import { json, makeHarness } from '../helpers/harness.js';

/** A session with one payment the provider has authorised (reserved) for 12500. */
async function authorizedPayment(options: { capabilities?: Partial<FakeAdapter['capabilities']> } = {}) {
  const fake = new FakeAdapter({
    capabilities: { capture: true, cancel: true, refund: true, ...options.capabilities },
    authorizedMeansPaid: true,
  });
  const store = new MemoryStore();
  const clock = new TestClock();
  const h = makeHarness({ deps: { store, adapters: [fake], now: clock.now } });
  const { clientToken } = await h.createSession();
  const { payment } = await json(
    await h.client(clientToken, 'POST', '/v1/checkout/payments', { method: 'bank', attemptId: 'attempt-0001' }),
  );
  fake.set('fake-1', { status: 'authorized', providerStatus: 'RESERVED', authorizedAmount: 12500 });
  clock.advance(2000);
  await h.client(clientToken, 'POST', `/v1/checkout/payments/${payment.id}/refresh`);
  clock.advance(2000);
  return { fake, store, clock, h, paymentId: payment.id as string };
}

describe('capture / cancel / refund', () => {
  it('refuses operations the provider does not support, without calling it', async () => {
    const plain = plainAdapter();
    const h = makeHarness({ deps: { adapters: [plain] } });
    const { clientToken } = await h.createSession();
    const { payment } = await json(
      await h.client(clientToken, 'POST', '/v1/checkout/payments', { method: 'bank', attemptId: 'attempt-0001' }),
    );
    for (const op of ['capture', 'cancel', 'refund']) {
      const res = await h.merchant('POST', `/v1/payments/${payment.id}/${op}`);
      expect(res.status).toBe(409);
      expect((await json(res)).error).toMatchObject({
        code: 'invalid_state',
        details: { operation: op, provider: 'fake' },
      });
    }
    const capable = await authorizedPayment({ capabilities: { capture: false } });
    const res = await capable.h.merchant('POST', `/v1/payments/${capable.paymentId}/capture`);
    expect((await json(res)).error.code).toBe('invalid_state');
    expect(capable.fake.calls.capture).toHaveLength(0);
  });

  it('captures partially then the rest, checking amounts against what was authorised', async () => {
    const { h, fake, store, paymentId } = await authorizedPayment();
    const tooMuch = await h.merchant('POST', `/v1/payments/${paymentId}/capture`, { amount: 12501 });
    expect(tooMuch.status).toBe(422);
    expect((await json(tooMuch)).error).toMatchObject({
      code: 'amount_exceeds_authorized',
      details: { remaining: 12500 },
    });

    const partial = GetPaymentResponse.parse(
      await json(await h.merchant('POST', `/v1/payments/${paymentId}/capture`, { amount: 2500 })),
    );
    expect(partial.payment).toMatchObject({ status: 'authorized', capturedAmount: 2500, authorizedAmount: 12500 });
    const rest = GetPaymentResponse.parse(await json(await h.merchant('POST', `/v1/payments/${paymentId}/capture`)));
    expect(rest.payment).toMatchObject({ status: 'completed', capturedAmount: 12500 });
    expect(fake.calls.capture.map((c) => (c as { amount: { value: number } }).amount.value)).toEqual([2500, 10000]);

    const nothingLeft = await h.merchant('POST', `/v1/payments/${paymentId}/capture`);
    expect((await json(nothingLeft)).error.code).toBe('invalid_state');

    const events = (await store.listOutbox(paymentId)).map((o) => MerchantEvent.parse(JSON.parse(o.payload)).type);
    expect(events).toEqual(['payment.pending', 'payment.authorized', 'payment.captured', 'payment.completed']);
  });

  it('refunds at most what was captured', async () => {
    const { h, paymentId } = await authorizedPayment();
    const early = await h.merchant('POST', `/v1/payments/${paymentId}/refund`);
    expect((await json(early)).error.code).toBe('invalid_state');
    await h.merchant('POST', `/v1/payments/${paymentId}/capture`, { amount: 5000 });
    const over = await h.merchant('POST', `/v1/payments/${paymentId}/refund`, { amount: 5001 });
    expect(over.status).toBe(422);
    expect((await json(over)).error.code).toBe('amount_exceeds_captured');
    const ok = await json(await h.merchant('POST', `/v1/payments/${paymentId}/refund`, { amount: 2000 }));
    expect(ok.payment.refundedAmount).toBe(2000);
  });

  it('cancels a payment that is not final, and refuses to cancel a final one', async () => {
    const { h, paymentId, store } = await authorizedPayment();
    const res = await json(await h.merchant('POST', `/v1/payments/${paymentId}/cancel`, {}));
    expect(res.payment.status).toBe('cancelled');
    expect((await store.listPaymentEvents(paymentId)).at(-1)).toMatchObject({ type: 'cancel', source: 'merchant' });
    const again = await h.merchant('POST', `/v1/payments/${paymentId}/cancel`);
    expect((await json(again)).error.code).toBe('invalid_state');
  });

  it('is idempotent by Idempotency-Key: same key replays, other request with the key is refused', async () => {
    const { h, fake, paymentId } = await authorizedPayment();
    const headers = { 'idempotency-key': 'capture-order-1001' };
    const first = await h.merchant('POST', `/v1/payments/${paymentId}/capture`, { amount: 1000 }, headers);
    const second = await h.merchant('POST', `/v1/payments/${paymentId}/capture`, { amount: 1000 }, headers);
    expect(await second.json()).toEqual(await first.json());
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(fake.calls.capture).toHaveLength(1);
    expect((fake.calls.capture[0] as { key: string }).key).toBe('capture-order-1001');
    const reused = await h.merchant('POST', `/v1/payments/${paymentId}/capture`, { amount: 2000 }, headers);
    expect(reused.status).toBe(409);
    expect((await json(reused)).error.code).toBe('idempotency_key_reused');
    const badKey = await h.merchant(
      'POST',
      `/v1/payments/${paymentId}/capture`,
      { amount: 2000 },
      { 'idempotency-key': 'bad key!' },
    );
    expect(badKey.status).toBe(400);
  });

  it('concurrent retries with one key reach the provider once', async () => {
    const { h, fake, paymentId } = await authorizedPayment();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.merchant(
          'POST',
          `/v1/payments/${paymentId}/capture`,
          { amount: 1000 },
          { 'idempotency-key': 'same-key-123' },
        ),
      ),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(fake.calls.capture).toHaveLength(1);
  });

  it('does not store a failed operation under its key, so it can be retried', async () => {
    const { h, fake, paymentId } = await authorizedPayment();
    fake.failNext.capture = new ProviderError(
      'provider_unavailable',
      'The payment provider is unavailable (HTTP 503).',
    );
    const headers = { 'idempotency-key': 'retry-me-please' };
    expect((await h.merchant('POST', `/v1/payments/${paymentId}/capture`, {}, headers)).status).toBe(503);
    expect((await h.merchant('POST', `/v1/payments/${paymentId}/capture`, {}, headers)).status).toBe(200);
    expect(fake.calls.capture).toHaveLength(2);
  });
});

describe('GET /v1/payments', () => {
  it('lists newest first with filters and an opaque cursor', async () => {
    const fake = new FakeAdapter();
    const clock = new TestClock();
    const h = makeHarness({ deps: { adapters: [fake], now: clock.now } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { clientToken } = await h.createSession({ reference: i % 2 ? 'ODD-REF' : 'EVEN-REF' });
      const { payment } = await json(
        await h.client(clientToken, 'POST', '/v1/checkout/payments', { method: 'bank', attemptId: `attempt-000${i}` }),
      );
      ids.push(payment.id);
      clock.advance(1000);
    }
    const page1 = ListPaymentsResponse.parse(await json(await h.merchant('GET', '/v1/payments?limit=2')));
    expect(page1.payments.map((p) => p.id)).toEqual([ids[4], ids[3]]);
    expect(page1.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const page2 = await json(await h.merchant('GET', `/v1/payments?limit=2&cursor=${page1.nextCursor}`));
    const page3 = await json(await h.merchant('GET', `/v1/payments?limit=2&cursor=${page2.nextCursor}`));
    expect([...page2.payments, ...page3.payments].map((p: { id: string }) => p.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(page3.nextCursor).toBeNull();

    const odd = await json(await h.merchant('GET', '/v1/payments?reference=ODD-REF'));
    expect(odd.payments.map((p: { id: string }) => p.id)).toEqual([ids[3], ids[1]]);
    const none = await json(await h.merchant('GET', '/v1/payments?status=completed'));
    expect(none.payments).toEqual([]);
    const from = new Date(Date.parse('2030-01-15T12:00:02.000Z')).toISOString();
    const windowed = await json(await h.merchant('GET', `/v1/payments?from=${from}&to=2030-01-15T12:00:04.000Z`));
    expect(windowed.payments.map((p: { id: string }) => p.id)).toEqual([ids[3], ids[2]]);

    const forged = await h.merchant('GET', '/v1/payments?cursor=bm90LWEtY3Vyc29y');
    expect(forged.status).toBe(400);
    const backwards = await h.merchant('GET', '/v1/payments?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z');
    expect(backwards.status).toBe(400);
    // limit is a plain whole number: no hex, exponent, sign, spaces, zero or more than 200.
    for (const limit of ['0x10', '1e2', '+5', '%205', '05', '0', '201', '2.0', '']) {
      const res = await h.merchant('GET', `/v1/payments?limit=${limit}`);
      expect(res.status, limit).toBe(400);
      expect((await json(res)).error.details.issues, limit).toEqual([
        { path: 'query.limit', message: 'must be a whole number from 1 to 200' },
      ]);
    }
    expect((await json(await h.merchant('GET', '/v1/payments?limit=200'))).payments).toHaveLength(5);
  });

  it('reads one payment by id for the merchant', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter()] } });
    const { clientToken } = await h.createSession();
    const { payment } = await json(
      await h.client(clientToken, 'POST', '/v1/checkout/payments', { method: 'bank', attemptId: 'attempt-0001' }),
    );
    const res = GetPaymentResponse.parse(await json(await h.merchant('GET', `/v1/payments/${payment.id}`)));
    expect(res.payment).toMatchObject({
      id: payment.id,
      provider: 'fake',
      providerPaymentId: 'fake-1',
      reference: 'ORDER-1001',
    });
    expect((await h.merchant('GET', '/v1/payments/pay_AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
  });
});
