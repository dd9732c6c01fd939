/**
 * Mastercard under provider faults, through the whole server and the in-process sandbox: what is
 * retried (reads and refresh-status, never create), what the browser sees (typed, retryable
 * errors), that a failed refresh changes nothing, and that the reconciler finishes a payment
 * once the provider is back. On each store (memory, PostgreSQL).
 */
import { describe, expect, it } from 'vitest';
import { json } from '../helpers/harness.js';
import {
  forEachStore,
  makeFaultWorld,
  newAttemptId,
  reconcilerFor,
  refresh,
  startPayment,
  stateOf,
  storedStatus,
  type FaultWorld,
} from './world.js';

const REFRESH = /^\/mastercard\/v1\/payments\/[^/]+\/refresh-status$/;
const CREATE = /^\/mastercard\/v1\/payments\/create$/;
const PROVIDERS = /^\/mastercard\/v1\/providers$/;

async function expectError(response: Response, status: number, code: string) {
  const body = await json(response);
  expect(response.status, JSON.stringify(body)).toBe(status);
  expect(body.error).toMatchObject({ code, retryable: true });
  return body.error;
}

/** A started bank payment whose shopper has confirmed at the bank (the provider now says Succeeded). */
async function paidAtBank(world: FaultWorld) {
  const started = await startPayment(world, 'bank');
  await world.shopperAtBank(started.redirectUrl);
  return started;
}

forEachStore((store) => {
  describe('Mastercard: timeouts', () => {
    it('latency beyond the timeout → provider_timeout (3 attempts); once it clears a retried refresh succeeds', async () => {
      const world = await makeFaultWorld({ store });
      const started = await paidAtBank(world);
      const before = stateOf(await storedStatus(world, started.paymentId));

      world.mc.setLatencyMs(1_000); // > PWB_PROVIDER_TIMEOUT_MS (300)
      const slow = Date.now();
      await expectError(await refresh(world, started), 504, 'provider_timeout');
      expect(Date.now() - slow).toBeLessThan(3_000);
      expect(world.count('POST', REFRESH)).toBe(3);
      expect(stateOf(await storedStatus(world, started.paymentId))).toEqual(before);

      // The provider recovers, but the next call still hangs once: the retry gets the answer.
      world.mc.setLatencyMs(0);
      world.mc.injectFaults({ kind: 'hang', ms: 1_000, pathPrefix: '/v1/payments' }, 1);
      const ok = await refresh(world, started);
      expect(ok.status).toBe(200);
      expect((await json(ok)).payment.status).toBe('completed');
      expect(world.count('POST', REFRESH)).toBe(5);
    });
  });

  describe('Mastercard: busy provider', () => {
    it('503 (Retry-After 0) twice on refresh → retried, succeeds on the third attempt', async () => {
      const world = await makeFaultWorld({ store });
      const started = await paidAtBank(world);
      world.mc.injectFaults({ kind: 'status', status: 503, retryAfterSeconds: 0, pathPrefix: '/v1/payments' }, 2);
      const ok = await refresh(world, started);
      expect(ok.status).toBe(200);
      expect((await json(ok)).payment.status).toBe('completed');
      expect(world.count('POST', REFRESH)).toBe(3);
    });

    it('429 with Retry-After: 1 on refresh → waits the second, then succeeds', async () => {
      const world = await makeFaultWorld({ store });
      const started = await paidAtBank(world);
      world.mc.injectFaults({ kind: 'status', status: 429, pathPrefix: '/v1/payments' }, 1);
      const startedAt = Date.now();
      const ok = await refresh(world, started);
      expect(ok.status).toBe(200);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(950);
      expect(world.count('POST', REFRESH)).toBe(2);
    });

    it('429 asking for longer than we wait → not retried; the browser gets a retryable error with Retry-After', async () => {
      const world = await makeFaultWorld({ store });
      const started = await paidAtBank(world);
      const before = stateOf(await storedStatus(world, started.paymentId));
      world.mc.injectFaults({ kind: 'status', status: 429, retryAfterSeconds: 60, pathPrefix: '/v1/payments' }, 1);
      const busy = await refresh(world, started);
      expect(busy.headers.get('retry-after')).toBe('60');
      const error = await expectError(busy, 503, 'provider_unavailable');
      expect(error.details).toEqual({ providerStatus: 429, retryAfterSeconds: 60 });
      expect(world.count('POST', REFRESH)).toBe(1);
      expect(stateOf(await storedStatus(world, started.paymentId))).toEqual(before);
    });

    it('500 on refresh is not retried (a provider bug is not fixed by asking again)', async () => {
      const world = await makeFaultWorld({ store });
      const started = await paidAtBank(world);
      world.mc.injectFaults({ kind: 'status', status: 500, pathPrefix: '/v1/payments' }, 1);
      await expectError(await refresh(world, started), 503, 'provider_unavailable');
      expect(world.count('POST', REFRESH)).toBe(1);
    });
  });

  describe('Mastercard: create is retried only after a 429', () => {
    it('429 with Retry-After on create → waited out within the time budget, one provider payment', async () => {
      const world = await makeFaultWorld({ store });
      const { clientToken } = await world.createSession();
      world.mc.injectFaults(
        { kind: 'status', status: 429, retryAfterSeconds: 1, pathPrefix: '/v1/payments/create' },
        1,
      );
      const started = Date.now();
      const res = await world.client(clientToken, 'POST', '/v1/checkout/payments', {
        method: 'bank',
        attemptId: newAttemptId(),
        bankId: 'DK_TestBank',
      });
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(world.count('POST', CREATE)).toBe(2);
      expect(world.mc.listPayments()).toHaveLength(1);
    });

    it('429 asking for longer than the budget → not retried; typed, retryable, with Retry-After; the attempt does not count', async () => {
      const world = await makeFaultWorld({ store });
      const { clientToken } = await world.createSession();
      world.mc.injectFaults(
        { kind: 'status', status: 429, retryAfterSeconds: 60, pathPrefix: '/v1/payments/create' },
        1,
      );
      const res = await world.client(clientToken, 'POST', '/v1/checkout/payments', {
        method: 'bank',
        attemptId: newAttemptId(),
        bankId: 'DK_TestBank',
      });
      expect(res.headers.get('retry-after')).toBe('60');
      await expectError(res, 503, 'provider_unavailable');
      expect(world.count('POST', CREATE)).toBe(1);
      expect(world.mc.listPayments()).toHaveLength(0);
    });
  });

  describe('Mastercard: create is never retried after anything else', () => {
    it.each([
      ['500', { kind: 'status', status: 500 } as const, 503, 'provider_unavailable', 0],
      ['503', { kind: 'status', status: 503, retryAfterSeconds: 0 } as const, 503, 'provider_unavailable', 0],
      ['reset before processing', { kind: 'reset' } as const, 503, 'provider_unavailable', 0],
      // The provider made the payment but its answer was lost: it stays an orphan nobody is sent to.
      ['reset after processing', { kind: 'reset', afterProcessing: true } as const, 503, 'provider_unavailable', 1],
      ['timeout', { kind: 'hang', ms: 600 } as const, 504, 'provider_timeout', 1],
    ])(
      '%s → exactly one create call, typed error, attempt failed; a new attempt works',
      async (_name, fault, status, code, orphans) => {
        const world = await makeFaultWorld({ store });
        const { clientToken } = await world.createSession();
        world.mc.injectFaults({ ...fault, pathPrefix: '/v1/payments/create' }, 1);
        const attemptId = newAttemptId();
        const failed = await world.client(clientToken, 'POST', '/v1/checkout/payments', {
          method: 'bank',
          attemptId,
          bankId: 'DK_TestBank',
        });
        await expectError(failed, status, code);
        expect(world.count('POST', CREATE)).toBe(1);
        if (fault.kind === 'hang') await new Promise((resolve) => setTimeout(resolve, 700)); // let the sandbox finish it
        expect(world.mc.listPayments()).toHaveLength(orphans);
        const [payment] = await world.server.services.store.listPayments({ limit: 5 });
        expect(payment).toMatchObject({ status: 'failed', providerStatus: 'create_failed', failure: { code } });

        // The same attempt is over (it is never sent to the provider twice)…
        const replay = await world.client(clientToken, 'POST', '/v1/checkout/payments', {
          method: 'bank',
          attemptId,
          bankId: 'DK_TestBank',
        });
        expect(replay.status).toBe(409);
        expect(world.count('POST', CREATE)).toBe(1);
        // …and a new attempt (the shopper's "Try again") goes through.
        const retried = await world.client(clientToken, 'POST', '/v1/checkout/payments', {
          method: 'bank',
          attemptId: newAttemptId(),
          bankId: 'DK_TestBank',
        });
        expect(retried.status).toBe(200);
        expect(world.count('POST', CREATE)).toBe(2);
      },
    );
  });

  describe('Mastercard: connection resets on safe calls', () => {
    it('a reset on refresh-status and on the bank list is retried', async () => {
      const world = await makeFaultWorld({ store });
      const started = await paidAtBank(world);
      world.mc.injectFaults({ kind: 'reset', pathPrefix: '/v1/payments' }, 1);
      const ok = await refresh(world, started);
      expect(ok.status).toBe(200);
      expect(world.count('POST', REFRESH)).toBe(2);

      // A fresh server (nothing cached): the bank list read loses its connection once.
      const fresh = await makeFaultWorld({ store });
      const { clientToken } = await fresh.createSession();
      fresh.mc.injectFaults({ kind: 'reset', afterProcessing: true, pathPrefix: '/v1/providers' }, 1);
      const banks = await fresh.client(clientToken, 'GET', '/v1/checkout/banks?country=DK');
      expect(banks.status).toBe(200);
      expect((await json(banks)).banks.length).toBeGreaterThan(3);
      expect(fresh.count('GET', PROVIDERS)).toBe(2);
    });

    it('a bank list the provider cannot give is a typed, retryable error (never internal_error)', async () => {
      const world = await makeFaultWorld({ store });
      const { clientToken } = await world.createSession();
      world.mc.injectFaults({ kind: 'status', status: 503, retryAfterSeconds: 0, pathPrefix: '/v1/providers' }, 3);
      await expectError(
        await world.client(clientToken, 'GET', '/v1/checkout/banks?country=DK'),
        503,
        'provider_unavailable',
      );
      world.mc.injectFaults({ kind: 'truncated', pathPrefix: '/v1/providers' }, 1);
      await expectError(await world.client(clientToken, 'GET', '/v1/checkout/banks?country=DK'), 502, 'provider_error');
      expect((await world.client(clientToken, 'GET', '/v1/checkout/banks?country=DK')).status).toBe(200);
    });
  });

  describe('Mastercard: unreadable answers', () => {
    it.each([
      ['malformed', { kind: 'malformed' } as const],
      ['truncated', { kind: 'truncated' } as const],
      ['missing paymentId and status', { kind: 'missing-fields' } as const],
      ['missing status only', { kind: 'missing-fields', fields: ['status'] } as const],
    ])('%s refresh → provider_error, not retried, no state change', async (_name, fault) => {
      const world = await makeFaultWorld({ store });
      const started = await paidAtBank(world);
      const before = stateOf(await storedStatus(world, started.paymentId));
      world.mc.injectFaults({ ...fault, pathPrefix: '/v1/payments' }, 1);
      await expectError(await refresh(world, started), 502, 'provider_error');
      expect(world.count('POST', REFRESH)).toBe(1);
      expect(stateOf(await storedStatus(world, started.paymentId))).toEqual(before);
      expect((await world.server.services.store.listPaymentEvents(started.paymentId)).map((e) => e.type)).toEqual([
        'created',
        'provider_created',
      ]);
      // Nothing lost: the next refresh reads the real status.
      expect((await json(await refresh(world, started))).payment.status).toBe('completed');
    });

    it('a garbled create answer → provider_error; the attempt is failed, a new one works', async () => {
      const world = await makeFaultWorld({ store });
      const { clientToken } = await world.createSession();
      world.mc.injectFaults({ kind: 'missing-fields', fields: ['redirectUrl'], pathPrefix: '/v1/payments/create' }, 1);
      await expectError(
        await world.client(clientToken, 'POST', '/v1/checkout/payments', { method: 'bank', attemptId: newAttemptId() }),
        502,
        'provider_error',
      );
      const ok = await world.client(clientToken, 'POST', '/v1/checkout/payments', {
        method: 'bank',
        attemptId: newAttemptId(),
      });
      expect(ok.status).toBe(200);
    });
  });

  describe('Mastercard: recovery', () => {
    it('provider down at the return: the refresh fails, the reconciler backs off and completes it once the provider is back', async () => {
      const world = await makeFaultWorld({ store });
      const started = await paidAtBank(world);
      world.mc.injectFaults({ kind: 'status', status: 503, retryAfterSeconds: 0, pathPrefix: '/v1/payments' }, 1000);

      await expectError(await refresh(world, started), 503, 'provider_unavailable');
      expect((await storedStatus(world, started.paymentId)).status).toBe('pending');

      // 20 s of outage, a reconciler run every second: checks back off (1, 2, 4, 8 s apart…).
      const reconciler = reconcilerFor(world, 1_000);
      const callsBefore = world.count('POST', REFRESH);
      for (let second = 0; second < 20; second++) {
        world.clock.advance(1_000);
        await reconciler.runOnce();
      }
      const checks = (world.count('POST', REFRESH) - callsBefore) / 3; // each check: 3 attempts
      expect(checks).toBeGreaterThanOrEqual(3);
      expect(checks).toBeLessThanOrEqual(6);
      expect((await storedStatus(world, started.paymentId)).status).toBe('pending');

      world.mc.clearFaults();
      for (
        let second = 0;
        second < 40 && (await storedStatus(world, started.paymentId)).status !== 'completed';
        second++
      ) {
        world.clock.advance(1_000);
        await reconciler.runOnce();
      }
      const done = await storedStatus(world, started.paymentId);
      expect(done).toMatchObject({ status: 'completed', providerStatus: 'Succeeded', capturedAmount: 12_500 });
      // The shopper's page, polling again, now gets the final answer from the store.
      const calls = world.calls.length;
      const final = await refresh(world, started);
      expect((await json(final)).payment.status).toBe('completed');
      expect(world.calls.length).toBe(calls);
    });

    it('during an outage one reconciler run checks one payment per provider, not every payment', async () => {
      const world = await makeFaultWorld({ store });
      const payments = [await paidAtBank(world), await paidAtBank(world), await paidAtBank(world)];
      world.mc.injectFaults({ kind: 'status', status: 503, retryAfterSeconds: 0, pathPrefix: '/v1/payments' }, 1000);
      const reconciler = reconcilerFor(world, 1_000);
      world.clock.advance(2_000);
      const before = world.count('POST', REFRESH);
      await reconciler.runOnce();
      expect(world.count('POST', REFRESH) - before).toBe(3); // one payment, three attempts
      // The others come first in the next runs, and all complete once the provider is back.
      world.mc.clearFaults();
      for (let second = 0; second < 10; second++) {
        world.clock.advance(1_000);
        await reconciler.runOnce();
      }
      for (const p of payments) expect((await storedStatus(world, p.paymentId)).status).toBe('completed');
    });
  });
});
