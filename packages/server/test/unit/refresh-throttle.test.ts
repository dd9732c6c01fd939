import { describe, expect, it } from 'vitest';
import { RefreshThrottle } from '../../src/payments/refresh-throttle.js';
import type { PaymentEventSource } from '../../src/store/store.js';

const CREATED = '2030-01-01T00:00:00.000Z';
const T0 = Date.parse(CREATED);
const VIPPS = { firstPollAfterMs: 5_000, intervalMs: 2_000 };

function throttleAt(minIntervalMs = 1_000) {
  let now = T0;
  const throttle = new RefreshThrottle(() => now, minIntervalMs);
  return { throttle, at: (ms: number) => (now = T0 + ms) };
}

describe('RefreshThrottle: adapters’ polling policies, applied in one place', () => {
  it.each<[PaymentEventSource, number, boolean]>([
    ['refresh', 1_000, false],
    ['refresh', 4_999, false],
    ['refresh', 5_000, true],
    ['reconciler', 4_000, false],
    ['reconciler', 5_000, true],
    // News and explicit needs do not wait for the first-poll delay.
    ['callback', 100, true],
    ['merchant', 100, true],
  ])('%s at +%i ms after creation → provider call %s', (source, ms, allowed) => {
    const { throttle, at } = throttleAt();
    at(ms);
    expect(throttle.tryTake('pay_1', CREATED, VIPPS, source)).toBe(allowed);
  });

  it('then at most one call per interval, whoever asks, per payment', () => {
    const { throttle, at } = throttleAt();
    at(5_000);
    expect(throttle.tryTake('pay_1', CREATED, VIPPS, 'refresh')).toBe(true);
    at(6_999);
    expect(throttle.tryTake('pay_1', CREATED, VIPPS, 'callback')).toBe(false);
    expect(throttle.tryTake('pay_2', CREATED, VIPPS, 'refresh')).toBe(true); // another payment
    at(7_000);
    expect(throttle.tryTake('pay_1', CREATED, VIPPS, 'refresh')).toBe(true);
  });

  it('never polls faster than the server’s own floor; adapters without a policy use only the floor', () => {
    const { throttle, at } = throttleAt(3_000);
    expect(throttle.policyFor(VIPPS)).toEqual({ firstPollAfterMs: 5_000, intervalMs: 3_000 });
    expect(throttle.tryTake('pay_1', CREATED, undefined, 'refresh')).toBe(true);
    at(2_999);
    expect(throttle.tryTake('pay_1', CREATED, undefined, 'refresh')).toBe(false);
    at(3_000);
    expect(throttle.tryTake('pay_1', CREATED, undefined, 'refresh')).toBe(true);
    throttle.forget('pay_1');
    expect(throttle.tryTake('pay_1', CREATED, undefined, 'refresh')).toBe(true);
  });
});
