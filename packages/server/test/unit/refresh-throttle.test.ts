import { describe, expect, it } from 'vitest';
import { RefreshThrottle } from '../../src/payments/refresh-throttle.js';
import { ProviderCallSlots } from '../../src/store/in-process-claims.js';
import type { PaymentEventSource, Store } from '../../src/store/store.js';

const CREATED = '2030-01-01T00:00:00.000Z';
const T0 = Date.parse(CREATED);
const VIPPS = { firstPollAfterMs: 5_000, intervalMs: 2_000 };

/** The store's provider-call claim (as SQLite and memory keep it), counting the claims asked for. */
function claimStore() {
  const slots = new ProviderCallSlots();
  const store: Pick<Store, 'tryClaimProviderCall'> & { claims: number } = {
    claims: 0,
    async tryClaimProviderCall(paymentId, intervalMs, now) {
      store.claims++;
      return slots.tryClaim(true, paymentId, intervalMs, now);
    },
  };
  return store;
}

function throttleAt(minIntervalMs = 1_000, store = claimStore()) {
  let now = T0;
  const throttle = new RefreshThrottle(store, () => now, minIntervalMs);
  return { throttle, store, at: (ms: number) => (now = T0 + ms) };
}

describe('RefreshThrottle: adapters’ polling policies, applied in one place', () => {
  it.each<[PaymentEventSource, number, boolean]>([
    ['refresh', 1_000, false],
    ['refresh', 4_999, false],
    ['refresh', 5_000, true],
    ['reconciler', 4_000, false],
    ['reconciler', 5_000, true],
    ['watch', 4_999, false],
    ['watch', 5_000, true],
    // News and explicit needs do not wait for the first-poll delay.
    ['callback', 100, true],
    ['merchant', 100, true],
  ])('%s at +%i ms after creation → provider call %s', async (source, ms, allowed) => {
    const { throttle, store, at } = throttleAt();
    at(ms);
    expect(await throttle.tryTake('pay_1', CREATED, VIPPS, source)).toBe(allowed);
    // The first-poll delay is the throttle's own: the store is not asked before it.
    expect(store.claims).toBe(allowed ? 1 : 0);
  });

  it('then at most one call per interval, whoever asks, per payment', async () => {
    const { throttle, at } = throttleAt();
    at(5_000);
    expect(await throttle.tryTake('pay_1', CREATED, VIPPS, 'refresh')).toBe(true);
    at(6_999);
    expect(await throttle.tryTake('pay_1', CREATED, VIPPS, 'callback')).toBe(false);
    expect(await throttle.tryTake('pay_2', CREATED, VIPPS, 'refresh')).toBe(true); // another payment
    at(7_000);
    expect(await throttle.tryTake('pay_1', CREATED, VIPPS, 'refresh')).toBe(true);
  });

  it('shares the interval among instances through the store, and tells each instance’s pollers when to come back', async () => {
    const shared = claimStore();
    const a = throttleAt(1_000, shared);
    const b = throttleAt(1_000, shared);
    a.at(5_000);
    b.at(5_000);
    expect(await a.throttle.tryTake('pay_1', CREATED, VIPPS, 'refresh')).toBe(true);
    b.at(5_500);
    expect(await b.throttle.tryTake('pay_1', CREATED, VIPPS, 'refresh')).toBe(false);
    // B learnt when A's interval ends: its pollers wait until then, and it does not ask the store again before.
    expect(b.throttle.pollAfterMs('pay_1', CREATED, VIPPS)).toBe(2_000);
    b.at(6_500);
    expect(b.throttle.pollAfterMs('pay_1', CREATED, VIPPS)).toBe(2_000); // never sooner than the interval
    const claims = shared.claims;
    expect(await b.throttle.tryTake('pay_1', CREATED, VIPPS, 'refresh')).toBe(false);
    expect(shared.claims).toBe(claims);
    b.at(7_000);
    expect(await b.throttle.tryTake('pay_1', CREATED, VIPPS, 'refresh')).toBe(true);
    a.at(7_500);
    expect(await a.throttle.tryTake('pay_1', CREATED, VIPPS, 'reconciler')).toBe(false);
  });

  it('never polls faster than the server’s own floor; adapters without a policy use only the floor', async () => {
    const { throttle, at } = throttleAt(3_000);
    expect(throttle.policyFor(VIPPS)).toEqual({ firstPollAfterMs: 5_000, intervalMs: 3_000 });
    expect(await throttle.tryTake('pay_1', CREATED, undefined, 'refresh')).toBe(true);
    at(2_999);
    expect(await throttle.tryTake('pay_1', CREATED, undefined, 'refresh')).toBe(false);
    at(3_000);
    expect(await throttle.tryTake('pay_1', CREATED, undefined, 'refresh')).toBe(true);
    // Forgetting (a final payment) drops this instance's memory; the store still holds the interval.
    throttle.forget('pay_1');
    expect(await throttle.tryTake('pay_1', CREATED, undefined, 'refresh')).toBe(false);
    at(6_000);
    expect(await throttle.tryTake('pay_1', CREATED, undefined, 'refresh')).toBe(true);
  });
});
