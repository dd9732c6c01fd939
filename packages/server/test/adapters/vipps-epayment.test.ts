/**
 * The adapter contract for Vipps ePayment v1, against the in-process Vipps sandbox: NOK / DKK / EUR
 * in minor units, an idempotent create, AUTHORIZED is our authorized (paid), the merchant captures /
 * cancels / refunds, and signed webhooks carry the state changes.
 */
import { runAdapterContract } from './contract.js';
import { makeVippsWorld } from './vipps-world.js';

runAdapterContract('Vipps ePayment v1', (settings) => makeVippsWorld('epayment', settings), {
  id: 'vipps-epayment',
  method: 'vipps',
  currencies: ['NOK', 'DKK', 'EUR'],
  currency: 'NOK',
  bankFor: () => null,
  // Integer minor units with the currency beside them.
  wireAmount: ({ value, currency }) => ({ value, currency }),
  capabilities: { capture: true, cancel: true, refund: true },
  // Webhooks are signed (HMAC over the body): AUTHORIZED / ABORTED / EXPIRED / TERMINATED carry their status.
  callbacks: { carryStatus: true },
  banks: null,
  pollingPolicy: true,
  authorizedMeansPaid: true,
  // ePayment Express: fixed options or the dynamic shipping callback, the shopper from GET.
  express: { supported: true },
  unsupportedCurrency: { currency: 'SEK', code: 'invalid_request' },
  sameAttemptTwice: {
    kind: 'same-payment',
    why: 'create carries an Idempotency-Key derived from our payment id',
  },
  // A reservation stands until the merchant captures or cancels it.
  approval: { status: 'authorized', settles: { afterMs: 60_000, status: 'authorized' } },
  declined: { status: 'cancelled', failureCode: 'rejected_by_user' },
  unknownPayment: 'not_found',
});
