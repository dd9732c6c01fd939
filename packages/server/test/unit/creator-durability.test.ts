/**
 * The provider's answer to a create exists only in memory until it is written: a database that is
 * briefly unavailable (a PostgreSQL restart) must not lose it, or the attempt would be stuck with a
 * provider payment nobody can reach.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory.js';
import { StoreUnavailableError, type PaymentChange } from '../../src/store/store.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';
import { json, makeHarness } from '../helpers/harness.js';

/** A store whose next `failures` payment updates fail as if the database were restarting. */
class FlakyStore extends MemoryStore {
  failures = 0;
  override async updatePayment(change: PaymentChange) {
    if (this.failures > 0) {
      this.failures--;
      throw new StoreUnavailableError('the PostgreSQL database is unavailable (ECONNREFUSED)');
    }
    return super.updatePayment(change);
  }
}

describe('recording a provider create', () => {
  it('is tried again while the database is briefly unavailable, and the start succeeds', async () => {
    const store = new FlakyStore();
    const fake = new FakeAdapter();
    const h = makeHarness({ deps: { store, adapters: [fake] } });
    const { session, clientToken } = await h.createSession();
    store.failures = 3;
    const started = await h.client(clientToken, 'POST', '/v1/checkout/payments', {
      method: 'bank',
      attemptId: 'attempt-0001',
    });
    expect(started.status).toBe(200);
    expect((await json(started)).redirectUrl).toBe('https://provider.example/pay/fake-1');
    const [payment] = await store.listSessionPayments(session.id);
    expect(payment).toMatchObject({ status: 'pending', providerPaymentId: 'fake-1' });
    expect(store.failures).toBe(0);
    expect(fake.calls.create).toHaveLength(1);
    // One record of it, not one per try.
    expect((await store.listPaymentEvents(payment!.id)).filter((e) => e.type === 'provider_created')).toHaveLength(1);
  });
});
