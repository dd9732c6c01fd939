/**
 * The server tells the browser what to do next with a payment and whether it settles the checkout,
 * decided by the payment's adapter, so the element never branches on a method or provider name.
 * And the session read carries the default country's banks, so the bank list is one round trip.
 */
import { CheckoutSession, RefreshPaymentResponse, StartPaymentResponse } from '@pay-with-bank/protocol';
import { describe, expect, it } from 'vitest';
import { TestClock } from '../helpers/clock.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';
import { json, makeHarness } from '../helpers/harness.js';

const banks = [
  {
    id: 'DK_One',
    name: 'One Bank',
    country: 'DK',
    logoUrl: null,
    available: true,
    unavailableMessage: null,
    currencies: ['DKK'],
  },
  {
    id: 'DK_Two',
    name: 'Two Bank',
    country: 'DK',
    logoUrl: null,
    available: false,
    unavailableMessage: 'Down',
    currencies: ['DKK'],
  },
  {
    id: 'FI_One',
    name: 'Suomi Pankki',
    country: 'FI',
    logoUrl: null,
    available: true,
    unavailableMessage: null,
    currencies: ['DKK', 'EUR'],
  },
] as const;

function world(
  options: { authorizedMeansPaid?: boolean; pollingPolicy?: { firstPollAfterMs: number; intervalMs: number } } = {},
) {
  const clock = new TestClock();
  const fake = new FakeAdapter({ banks: banks.map((b) => ({ ...b, currencies: [...b.currencies] })), ...options });
  if (options.pollingPolicy) Object.assign(fake, { pollingPolicy: options.pollingPolicy });
  const h = makeHarness({ deps: { adapters: [fake], now: clock.now } });
  return { h, fake, clock };
}

describe('what the browser is told to do next', () => {
  it('the session read carries the default country’s banks (other countries on demand)', async () => {
    const { h, fake } = world();
    const { clientToken } = await h.createSession({ countries: ['DK', 'FI'] });
    const session = CheckoutSession.parse(await json(await h.client(clientToken, 'GET', '/v1/checkout/session')));
    expect(session.banks?.map((b) => b.id)).toEqual(['DK_One', 'DK_Two']);
    expect(session.payment).toBeNull();
    const finnish = await json(await h.client(clientToken, 'GET', '/v1/checkout/banks?country=FI'));
    expect(finnish.banks.map((b: { id: string }) => b.id)).toEqual(['FI_One']);
    expect(fake.calls.listBanks).toBe(1); // one provider call, cached for both
  });

  it('the session read still answers (banks: null) when the bank list cannot be fetched', async () => {
    const { h, fake } = world();
    const { clientToken } = await h.createSession();
    fake.failNext.listBanks = new Error('provider down');
    const res = await h.client(clientToken, 'GET', '/v1/checkout/session');
    expect(res.status).toBe(200);
    expect((await json(res)).banks).toBeNull();
  });

  it('start → redirect to the provider; open → wait and ask again after the adapter’s interval; final → none', async () => {
    const { h, fake, clock } = world({ pollingPolicy: { firstPollAfterMs: 5_000, intervalMs: 2_000 } });
    const { clientToken } = await h.createSession();
    const started = StartPaymentResponse.parse(
      await json(
        await h.client(clientToken, 'POST', '/v1/checkout/payments', { method: 'bank', attemptId: 'attempt-next-1' }),
      ),
    );
    expect(started.payment.next).toEqual({ type: 'redirect', url: started.redirectUrl });
    expect(started.payment.settled).toBe(false);

    clock.advance(1_000);
    const refresh = () => h.client(clientToken, 'POST', `/v1/checkout/payments/${started.payment.id}/refresh`);
    const waiting = RefreshPaymentResponse.parse(await json(await refresh()));
    // 1 s after creation: the first poll is due 5 s after creation.
    expect(waiting.payment.next).toEqual({ type: 'wait', pollAfterMs: 4_000, until: null });

    clock.advance(4_000);
    fake.set('fake-1', { status: 'completed', providerStatus: 'Succeeded' });
    const done = RefreshPaymentResponse.parse(await json(await refresh()));
    expect(done.payment).toMatchObject({ status: 'completed', settled: true, next: { type: 'none' } });
  });

  it('authorised settles the checkout only where the adapter says authorisation reserves the money', async () => {
    for (const authorizedMeansPaid of [true, false]) {
      const { h, fake, clock } = world({ authorizedMeansPaid });
      const { clientToken } = await h.createSession();
      const started = await json(
        await h.client(clientToken, 'POST', '/v1/checkout/payments', { method: 'bank', attemptId: 'attempt-auth-1' }),
      );
      fake.set('fake-1', { status: 'authorized', providerStatus: 'RESERVED' });
      clock.advance(2_000);
      const { payment } = await json(
        await h.client(clientToken, 'POST', `/v1/checkout/payments/${started.payment.id}/refresh`),
      );
      expect(payment.status).toBe('authorized');
      expect(payment.settled).toBe(authorizedMeansPaid);
      expect(payment.next.type).toBe(authorizedMeansPaid ? 'none' : 'wait');
    }
  });
});
