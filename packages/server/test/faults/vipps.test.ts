/**
 * Vipps (eCom v2 and ePayment v1) under provider faults, through the whole server and the
 * in-process sandbox: reads, the token and keyed writes (ePayment create, captures) are retried;
 * eCom initiate is not; unreadable answers are provider_error and change nothing; a retried
 * ePayment create with the same Idempotency-Key is one payment; the reconciler finishes what an
 * outage left open. On each store (memory, PostgreSQL).
 */
import { describe, expect, it } from 'vitest';
import { pollingPolicy } from '../../src/providers/vipps/polling.js';
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
  type VippsApi,
} from './world.js';

async function expectError(response: Response, status: number, code: string) {
  const body = await json(response);
  expect(response.status, JSON.stringify(body)).toBe(status);
  expect(body.error).toMatchObject({ code, retryable: true });
  return body.error;
}

/** Where each API's status read goes, as a fault prefix and as a call pattern. */
function readOf(api: VippsApi, id: string) {
  return api === 'ecom'
    ? { prefix: `/ecomm/v2/payments/${id}/details`, pattern: /^\/vipps\/ecomm\/v2\/payments\/[^/]+\/details$/ }
    : { prefix: `/epayment/v1/payments/${id}`, pattern: /^\/vipps\/epayment\/v1\/payments\/[^/]+$/ };
}

/** A Vipps payment the user has approved (reserved / AUTHORIZED at Vipps, pending in our store). */
async function approved(world: FaultWorld, api: VippsApi) {
  const started = await startPayment(world, 'vipps');
  // Confirming in the app takes a few seconds; polling asks Vipps only 5 s after creation anyway.
  world.clock.advance(pollingPolicy.firstPollAfterMs);
  world.vipps.approve(started.providerPaymentId, '91234567');
  await world.settle();
  return { ...started, read: readOf(api, started.providerPaymentId) };
}

forEachStore((store) => {
  describe.each(['ecom', 'epayment'] as const)('Vipps %s', (api) => {
    // Callbacks/webhooks off: the status must come from our reads, which is what the faults hit.
    const world = () => makeFaultWorld({ store, vipps: api, deliveries: false });

    it('latency beyond the timeout → provider_timeout; once it clears, a retried read succeeds', async () => {
      const w = await world();
      const p = await approved(w, api);
      const before = stateOf(await storedStatus(w, p.paymentId));
      w.vipps.setLatency(60_000); // on the sandbox clock, which does not move meanwhile: no answer in time
      await expectError(await refresh(w, p), 504, 'provider_timeout');
      expect(w.count('GET', p.read.pattern)).toBe(3);
      expect(stateOf(await storedStatus(w, p.paymentId))).toEqual(before);

      w.vipps.setLatency(0);
      w.vipps.injectFaults({ kind: 'hang', ms: 1_000, pathPrefix: p.read.prefix }, 1);
      const ok = await refresh(w, p);
      expect(ok.status).toBe(200);
      expect((await json(ok)).payment.status).toBe('authorized');
      expect(w.count('GET', p.read.pattern)).toBe(5);
    });

    it('503 and 429 (Retry-After) on the read → retried, succeeds', async () => {
      const w = await world();
      const p = await approved(w, api);
      w.vipps.injectFaults({ kind: 'status', status: 503, retryAfterSeconds: 0, pathPrefix: p.read.prefix }, 1);
      w.vipps.injectFaults({ kind: 'status', status: 429, retryAfterSeconds: 0, pathPrefix: p.read.prefix }, 1);
      const ok = await refresh(w, p);
      expect(ok.status).toBe(200);
      expect((await json(ok)).payment.status).toBe('authorized');
      expect(w.count('GET', p.read.pattern)).toBe(3);
    });

    it('a connection reset on the read is retried', async () => {
      const w = await world();
      const p = await approved(w, api);
      w.vipps.injectFaults({ kind: 'reset', pathPrefix: p.read.prefix }, 1);
      const ok = await refresh(w, p);
      expect(ok.status).toBe(200);
      expect(w.count('GET', p.read.pattern)).toBe(2);
    });

    it.each([
      ['malformed', { kind: 'malformed' } as const],
      ['truncated', { kind: 'truncated' } as const],
      ['missing fields', { kind: 'missing-fields' } as const],
    ])('%s read → provider_error, not retried, no state change', async (_name, fault) => {
      const w = await world();
      const p = await approved(w, api);
      const before = stateOf(await storedStatus(w, p.paymentId));
      w.vipps.injectFaults({ ...fault, pathPrefix: p.read.prefix }, 1);
      await expectError(await refresh(w, p), 502, 'provider_error');
      expect(w.count('GET', p.read.pattern)).toBe(1);
      expect(stateOf(await storedStatus(w, p.paymentId))).toEqual(before);
      expect((await json(await refresh(w, p))).payment.status).toBe('authorized');
    });

    it('a token answer without access_token → provider_error, no state change; a reset token call is retried', async () => {
      const w = await world();
      const p = await approved(w, api);
      const before = stateOf(await storedStatus(w, p.paymentId));
      w.vipps.revokeTokens();
      w.vipps.injectFaults({ kind: 'missing-fields', fields: ['access_token'], pathPrefix: '/accesstoken/' }, 1);
      await expectError(await refresh(w, p), 502, 'provider_error');
      expect(stateOf(await storedStatus(w, p.paymentId))).toEqual(before);

      w.vipps.injectFaults({ kind: 'reset', pathPrefix: '/accesstoken/' }, 1);
      const tokenCalls = w.count('POST', /\/accesstoken\/get$/);
      const ok = await refresh(w, p);
      expect(ok.status).toBe(200);
      expect(w.count('POST', /\/accesstoken\/get$/) - tokenCalls).toBe(2);
    });

    it('a capture whose answer was lost is retried with the same key: captured once', async () => {
      const w = await world();
      const p = await approved(w, api);
      await refresh(w, p); // authorized in our store
      const capturePath =
        api === 'ecom'
          ? `/ecomm/v2/payments/${p.providerPaymentId}/capture`
          : `/epayment/v1/payments/${p.providerPaymentId}/capture`;
      w.vipps.injectFaults({ kind: 'reset', afterProcessing: true, pathPrefix: capturePath }, 1);
      w.clock.advance(2_100);
      const captured = await w.merchant(
        'POST',
        `/v1/payments/${p.paymentId}/capture`,
        { amount: 10_000 },
        { 'idempotency-key': 'shipment-0001' },
      );
      expect(captured.status, await captured.clone().text()).toBe(200);
      expect((await json(captured)).payment.capturedAmount).toBe(10_000);
      const captures = w.calls.filter((c) => c.method === 'POST' && c.path === `/vipps${capturePath}`);
      expect(captures).toHaveLength(2);
      const keyOf = (c: (typeof captures)[number]) => (api === 'ecom' ? c.requestId : c.idempotencyKey);
      expect(keyOf(captures[0]!)).toBeTruthy();
      expect(keyOf(captures[1]!)).toBe(keyOf(captures[0]!));
      // Vipps agrees: 10,000 captured, not 20,000.
      const read = await refresh(w, p);
      expect((await storedStatus(w, p.paymentId)).capturedAmount).toBe(10_000);
      expect(read.status).toBe(200);
      const inspection = w.vipps.inspect(p.providerPaymentId)!;
      const vippsCaptured =
        inspection.kind === 'ecom'
          ? inspection.payment.details.transactionSummary?.capturedAmount
          : inspection.payment.view.aggregate.capturedAmount.value;
      expect(vippsCaptured).toBe(10_000);
    });

    it('provider down at the return: the reconciler authorises the payment once Vipps is back', async () => {
      const w = await world();
      const p = await approved(w, api);
      w.vipps.injectFaults({ kind: 'status', status: 503, retryAfterSeconds: 0, pathPrefix: p.read.prefix }, 1000);
      await expectError(await refresh(w, p), 503, 'provider_unavailable');
      expect((await storedStatus(w, p.paymentId)).status).toBe('pending');

      const reconciler = reconcilerFor(w, 1_000);
      for (let second = 0; second < 10; second++) {
        w.clock.advance(1_000);
        await reconciler.runOnce();
      }
      expect((await storedStatus(w, p.paymentId)).status).toBe('pending');
      w.vipps.clearFaults();
      for (let second = 0; second < 40 && (await storedStatus(w, p.paymentId)).status === 'pending'; second++) {
        w.clock.advance(1_000);
        await reconciler.runOnce();
      }
      expect(await storedStatus(w, p.paymentId)).toMatchObject({ status: 'authorized', authorizedAmount: 49_900 });
      const session = await w.server.services.store.getSession((await storedStatus(w, p.paymentId)).sessionId);
      expect(session?.state).toBe('paid');
    });
  });

  describe('Vipps create under faults', () => {
    it('ePayment: a create whose answer was lost is retried with the same Idempotency-Key → exactly one payment', async () => {
      const w = await makeFaultWorld({ store, vipps: 'epayment' });
      const { clientToken } = await w.createSession({ amount: { value: 49_900, currency: 'NOK' } });
      w.vipps.injectFaults({ kind: 'reset', afterProcessing: true, pathPrefix: '/epayment/v1/payments' }, 1);
      const res = await w.client(clientToken, 'POST', '/v1/checkout/payments', {
        method: 'vipps',
        attemptId: newAttemptId(),
        phoneNumber: '91234567',
      });
      expect(res.status, await res.clone().text()).toBe(200);
      const { payment, redirectUrl } = await json(res);
      const creates = w.calls.filter((c) => c.method === 'POST' && c.path === '/vipps/epayment/v1/payments');
      expect(creates).toHaveLength(2);
      expect(creates[1]!.idempotencyKey).toBe(creates[0]!.idempotencyKey);
      // Vipps processed both sends and kept one payment: the one we stored and sent the shopper to.
      expect(w.vipps.stats().byRoute['POST /epayment/v1/payments']).toBe(2);
      const stored = await storedStatus(w, payment.id);
      const inspection = w.vipps.inspect(stored.providerPaymentId!);
      expect(inspection?.kind === 'epayment' && inspection.payment.view.state).toBe('CREATED');
      expect(redirectUrl).toContain('/vipps/landing');
      // (Had the retry carried a new key, Vipps would have refused the reused reference with 409.)
    });

    it('eCom: initiate is never retried (a lost answer fails the attempt); a new attempt starts a new order', async () => {
      const w = await makeFaultWorld({ store, vipps: 'ecom' });
      const { clientToken } = await w.createSession({ amount: { value: 49_900, currency: 'NOK' } });
      w.vipps.injectFaults({ kind: 'reset', afterProcessing: true, pathPrefix: '/ecomm/v2/payments' }, 1);
      const failed = await w.client(clientToken, 'POST', '/v1/checkout/payments', {
        method: 'vipps',
        attemptId: newAttemptId(),
        phoneNumber: '91234567',
      });
      await expectError(failed, 503, 'provider_unavailable');
      expect(w.count('POST', /^\/vipps\/ecomm\/v2\/payments$/)).toBe(1);
      const ok = await w.client(clientToken, 'POST', '/v1/checkout/payments', {
        method: 'vipps',
        attemptId: newAttemptId(),
        phoneNumber: '91234567',
      });
      expect(ok.status).toBe(200);
      expect(w.count('POST', /^\/vipps\/ecomm\/v2\/payments$/)).toBe(2);
    });
  });
});
