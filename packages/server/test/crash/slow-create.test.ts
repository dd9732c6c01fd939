/**
 * The reconciler's crash-recovery rule ("a payment still without a provider id after 2 minutes was
 * interrupted mid-create") must not fire on a create that is still running in this process: with
 * a long PWB_PROVIDER_TIMEOUT_MS (up to 120 s per call, and adapters may make more than one call)
 * a slow provider could otherwise see its payment failed while the shopper is being sent to pay
 * it, and a payment paid at the bank would stay `failed` for good (terminal states never move).
 */
import type { CreatePaymentInput, CreatedProviderPayment } from '../../src/providers/adapter.js';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory.js';
import { TestClock } from '../helpers/clock.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';
import { json, makeHarness } from '../helpers/harness.js';

/** A provider whose create answers only when the test says so. */
class GatedAdapter extends FakeAdapter {
  private release!: () => void;
  readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  open(): void {
    this.release();
  }
  override async createPayment(input: CreatePaymentInput): Promise<CreatedProviderPayment> {
    await this.gate;
    return super.createPayment(input);
  }
}

describe('interrupted-create recovery vs a slow create', () => {
  it('does not fail a create still running in this process; fails it once it is really interrupted', async () => {
    const fake = new GatedAdapter();
    const store = new MemoryStore();
    const clock = new TestClock();
    const h = makeHarness({ deps: { store, adapters: [fake], now: clock.now } });
    const { session, clientToken } = await h.createSession();

    const starting = h.client(clientToken, 'POST', '/v1/checkout/payments', {
      method: 'bank',
      attemptId: 'attempt-0001',
    });
    // The row is written, the provider call hangs for three minutes.
    let rows = await store.listSessionPayments(session.id);
    for (let i = 0; i < 50 && rows.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      rows = await store.listSessionPayments(session.id);
    }
    expect(rows.map((p) => p.status)).toEqual(['created']);
    clock.advance(3 * 60_000);
    await h.server.reconciler.runOnce();
    expect((await store.getPayment(rows[0]!.id))!.status).toBe('created');

    fake.open();
    const started = await json(await starting);
    expect(started.payment).toMatchObject({ id: rows[0]!.id, status: 'pending' });
    expect(started.redirectUrl).toBe('https://provider.example/pay/fake-1');
    expect((await store.getPayment(rows[0]!.id))!.status).toBe('pending');
    await h.server.close();

    // After a crash nothing is running: a new process on the same store fails such a row.
    const row = { ...rows[0]!, id: 'pay_interrupted_0001', attemptId: 'attempt-0002' };
    await store.insertPayment(row, {
      id: 'evt_interrupted_0001',
      paymentId: row.id,
      type: 'created',
      status: 'created',
      providerStatus: null,
      source: 'create',
      dedupeKey: null,
      data: null,
      createdAt: row.createdAt,
    });
    const restarted = makeHarness({ deps: { store, adapters: [new FakeAdapter()], now: clock.now } });
    await restarted.server.reconciler.runOnce();
    expect((await store.getPayment(row.id))!).toMatchObject({
      status: 'failed',
      failure: { code: 'create_interrupted' },
    });
    await restarted.server.close();
  });
});
