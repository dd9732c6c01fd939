import { describe, expect, it } from 'vitest';
import { Reconciler } from '../../src/payments/reconciler.js';
import { MemoryStore } from '../../src/store/memory.js';
import { TestClock } from '../helpers/clock.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';
import { json, makeHarness } from '../helpers/harness.js';

async function withPayment(options: { callbacks?: boolean } = {}) {
  const fake = new FakeAdapter({ capabilities: { callbacks: options.callbacks ?? true } });
  const store = new MemoryStore();
  const clock = new TestClock();
  const h = makeHarness({ deps: { store, adapters: [fake], now: clock.now } });
  const { clientToken } = await h.createSession();
  const { payment } = await json(
    await h.client(clientToken, 'POST', '/v1/checkout/payments', { method: 'bank', attemptId: 'attempt-0001' }),
  );
  return { fake, store, clock, h, clientToken, paymentId: payment.id as string };
}

const callback = (h: Awaited<ReturnType<typeof withPayment>>['h'], body: unknown, auth = 'good', provider = 'fake') =>
  h.request('POST', `/v1/callbacks/${provider}/v2/payments/x`, { body, headers: { 'x-fake-auth': auth } });

describe('provider callbacks', () => {
  it('applies an authenticated callback and ignores its replay', async () => {
    const { h, store, paymentId } = await withPayment();
    const res = await callback(h, { id: 'fake-1', event: 'evt-1', status: 'authorized' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true });
    expect((await store.getPayment(paymentId))!.status).toBe('authorized');
    const before = await store.stats();
    const replay = await callback(h, { id: 'fake-1', event: 'evt-1', status: 'authorized' });
    expect(replay.status).toBe(200);
    expect(await store.stats()).toEqual(before);
    const events = await store.listPaymentEvents(paymentId);
    expect(events.filter((e) => e.dedupeKey === 'evt-1')).toHaveLength(1);
  });

  it('whichever comes first wins: a late callback after a refresh is a no-op', async () => {
    const { h, fake, store, clock, clientToken, paymentId } = await withPayment();
    fake.set('fake-1', { status: 'completed', providerStatus: 'COMPLETED' });
    clock.advance(2000);
    await h.client(clientToken, 'POST', `/v1/checkout/payments/${paymentId}/refresh`);
    const before = await store.stats();
    await callback(h, { id: 'fake-1', event: 'evt-late', status: 'authorized' });
    expect((await store.getPayment(paymentId))!.status).toBe('completed');
    expect(await store.stats()).toEqual(before);
  });

  it('a callback without a status triggers a refresh', async () => {
    const { h, fake, store, clock, paymentId } = await withPayment();
    fake.set('fake-1', { status: 'authorized', providerStatus: 'RESERVED' });
    clock.advance(2000);
    await callback(h, { id: 'fake-1', event: 'evt-2' });
    expect(fake.calls.refresh).toEqual(['fake-1']);
    expect((await store.getPayment(paymentId))!.status).toBe('authorized');
  });

  it('rejects forged callbacks, unknown payments and providers without callbacks, changing nothing', async () => {
    const { h, store } = await withPayment();
    const before = await store.stats();
    const forged = await callback(h, { id: 'fake-1', event: 'e', status: 'completed' }, 'bad');
    expect(forged.status).toBe(401);
    expect((await callback(h, { id: 'nope', event: 'e', status: 'completed' })).status).toBe(404);
    expect((await callback(h, { id: 'fake-1', event: 'e' }, 'good', 'other-provider')).status).toBe(404);
    expect(await store.stats()).toEqual(before);

    const noCallbacks = await withPayment({ callbacks: false });
    const res = await callback(noCallbacks.h, { id: 'fake-1', event: 'e', status: 'completed' });
    expect(res.status).toBe(404);
  });
});

describe('reconciler', () => {
  it('keeps reconciling a superseded attempt until it is final', async () => {
    const { h, fake, store, clock, clientToken, paymentId } = await withPayment({ callbacks: false });
    clock.advance(2000);
    // The shopper chose to pay another way (replace): the first is superseded, not continued.
    const second = await h.client(clientToken, 'POST', '/v1/checkout/payments', {
      method: 'bank',
      attemptId: 'attempt-0002',
      replace: true,
    });
    expect(second.status).toBe(200);
    fake.set('fake-1', { status: 'cancelled', providerStatus: 'Cancelled' });
    clock.advance(60_000);
    const checked = await h.server.reconciler.runOnce();
    expect(checked).toBe(2);
    expect((await store.getPayment(paymentId))!.status).toBe('cancelled');
    const types = (await store.listPaymentEvents(paymentId)).map((e) => e.type);
    expect(types).toEqual(['created', 'provider_created', 'superseded', 'status']);
    expect((await store.listPaymentEvents(paymentId)).at(-1)!.source).toBe('reconciler');
  });

  /** What a crash mid-create leaves behind: our row, no provider payment id. */
  async function interruptedCreate(env: Record<string, string> = {}) {
    const store = new MemoryStore();
    const clock = new TestClock();
    const h = makeHarness({ env, deps: { store, adapters: [new FakeAdapter()], now: clock.now } });
    const { session } = await h.createSession();
    const row = {
      id: 'pay_interruptedAAAAAAAAAA',
      sessionId: session.id,
      attemptId: 'attempt-crash',
      method: 'bank' as const,
      adapterId: 'fake',
      providerPaymentId: null,
      status: 'created' as const,
      providerStatus: null,
      bankId: null,
      reference: session.reference,
      amount: 12500,
      currency: 'DKK' as const,
      authorizedAmount: 0,
      capturedAmount: 0,
      refundedAmount: 0,
      cancelledAmount: 0,
      failure: null,
      redirectUrl: null,
      expiresAt: null,
      createdAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
      lastCheckedAt: null,
      version: 1,
    };
    await store.insertPayment(row, {
      id: 'evt_crash',
      paymentId: row.id,
      type: 'created',
      status: 'created',
      providerStatus: null,
      source: 'create',
      dedupeKey: null,
      data: null,
      createdAt: row.createdAt,
    });
    return { store, clock, h, row };
  }

  it('fails payments whose creation was interrupted (crash between our write and the provider answer)', async () => {
    const { store, clock, h, row } = await interruptedCreate();
    clock.advance(60_000);
    await h.server.reconciler.runOnce();
    expect((await store.getPayment(row.id))!.status).toBe('created');
    clock.advance(120_000);
    await h.server.reconciler.runOnce();
    expect(await store.getPayment(row.id)).toMatchObject({ status: 'failed', failure: { code: 'create_interrupted' } });
    expect((await store.listOutbox(row.id)).map((o) => o.type)).toEqual(['payment.failed']);
  });

  it('waits longer before taking a create as interrupted when one provider call may take longer', async () => {
    // Another instance's create of it may still be running: its call (120 s) and the writing of its answer.
    const { store, clock, h, row } = await interruptedCreate({ PWB_PROVIDER_TIMEOUT_MS: '120000' });
    clock.advance(150_000);
    await h.server.reconciler.runOnce();
    expect((await store.getPayment(row.id))!.status).toBe('created');
    clock.advance(15_000);
    await h.server.reconciler.runOnce();
    expect((await store.getPayment(row.id))!.status).toBe('failed');
  });

  it('checks old payments less often', () => {
    expect(Reconciler.checkGapMs(10 * 60_000, 30_000)).toBe(30_000);
    expect(Reconciler.checkGapMs(2 * 3600_000, 30_000)).toBe(300_000);
    expect(Reconciler.checkGapMs(48 * 3600_000, 30_000)).toBe(3600_000);
  });
});
