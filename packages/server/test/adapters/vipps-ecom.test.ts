/**
 * The adapter contract for Vipps eCom v2, against the in-process Vipps sandbox: NOK in øre, the
 * reservation is our authorized (paid), the merchant captures / cancels / refunds, and callbacks
 * are authenticated by the per-order token but only prompt a refresh.
 */
import { runAdapterContract } from './contract.js';
import { makeVippsWorld } from './vipps-world.js';

runAdapterContract('Vipps eCom v2', (settings) => makeVippsWorld('ecom', settings), {
  id: 'vipps-ecom',
  method: 'vipps',
  currencies: ['NOK'],
  currency: 'NOK',
  bankFor: () => null,
  // Integer øre; eCom has no currency field (NOK only).
  wireAmount: ({ value }) => ({ value, currency: null }),
  capabilities: { capture: true, cancel: true, refund: true },
  // The callback body is not signed (only the per-order token authenticates it): never a status to apply.
  callbacks: { carryStatus: false },
  banks: null,
  pollingPolicy: true,
  authorizedMeansPaid: true,
  // Vipps Hurtigkasse: eComm Express Payment.
  express: { supported: true },
  unsupportedCurrency: { currency: 'DKK', code: 'invalid_request' },
  sameAttemptTwice: {
    kind: 'refused',
    code: 'invalid_state',
    why: 'eCom has no idempotent initiate: the same orderId again is error 34',
  },
  // A reservation stands until the merchant captures or cancels it.
  approval: { status: 'authorized', settles: { afterMs: 60_000, status: 'authorized' } },
  declined: { status: 'cancelled', failureCode: 'rejected_by_user' },
  unknownPayment: 'not_found',
});
