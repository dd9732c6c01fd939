/**
 * Pure conversions of ePayment v1 shapes to our snapshots. Amounts are minor units both sides.
 *
 * | ePayment state + aggregate                                  | ours                                   |
 * |-------------------------------------------------------------|----------------------------------------|
 * | CREATED                                                     | pending                                |
 * | AUTHORIZED, captured < authorized, nothing cancelled        | authorized (capturedAmount if partial) |
 * | AUTHORIZED, captured ≥ authorized                           | completed                              |
 * | AUTHORIZED, partly captured, the rest cancelled             | completed, cancelledAmount             |
 * | AUTHORIZED, nothing captured, all cancelled (merchant)      | cancelled                              |
 * | ABORTED (the user cancelled)                                | cancelled                              |
 * | EXPIRED (the user did not act in time)                      | expired                                |
 * | TERMINATED (the merchant cancelled before authorisation)    | cancelled                              |
 * | anything else                                               | pending (non-terminal, re-checked)     |
 *
 * Webhook events carry the state change for AUTHORIZED / ABORTED / EXPIRED / TERMINATED; the
 * others (CREATED, CAPTURED, REFUNDED, CANCELLED) carry one modification's amount, not totals,
 * so for them the core refreshes instead.
 *
 * Express payments: `userDetails`, `shippingDetails` and `profile.sub` (GET, and the authorized
 * event) become the snapshot's `express`; `amount` and `aggregate` are then items + shipping.
 */
import type { PaymentFailure } from '@pay-with-bank/protocol';
import type { ProviderSnapshot } from '../adapter.js';
import { epaymentExpressOf } from './epayment-express.js';
import type { EpaymentPayment, EpaymentWebhookEvent } from './epayment-schemas.js';

export const EPAYMENT_FAILURES = {
  aborted: {
    code: 'rejected_by_user',
    message: 'The payment was cancelled in Vipps.',
    providerCode: 'ABORTED',
    providerMessage: null,
  },
  expired: {
    code: 'expired',
    message: 'The payment was not confirmed in Vipps in time.',
    providerCode: 'EXPIRED',
    providerMessage: null,
  },
  terminated: {
    code: 'cancelled',
    message: 'The payment was cancelled by the merchant.',
    providerCode: 'TERMINATED',
    providerMessage: null,
  },
  released: {
    code: 'cancelled',
    message: 'The payment was cancelled by the merchant.',
    providerCode: 'CANCELLED',
    providerMessage: null,
  },
} as const satisfies Record<string, PaymentFailure>;

export function epaymentToSnapshot(payment: EpaymentPayment): ProviderSnapshot {
  const { aggregate } = payment;
  const state = payment.state.toUpperCase();
  const authorized = aggregate.authorizedAmount.value;
  const captured = aggregate.capturedAmount.value;
  const cancelled = aggregate.cancelledAmount.value;
  const amounts = {
    authorizedAmount: authorized,
    capturedAmount: captured,
    refundedAmount: aggregate.refundedAmount.value,
    cancelledAmount: cancelled,
  };
  const raw = {
    state: payment.state.slice(0, 40),
    pspReference: payment.pspReference?.slice(0, 100) ?? null,
    aggregate: amounts,
  };
  // Express: who the shopper is and what they chose (kept out of `raw`: personal data).
  const express = epaymentExpressOf(payment);
  const base = { providerStatus: state.slice(0, 40), raw, ...amounts, ...(express ? { express } : {}) };
  switch (state) {
    case 'CREATED':
      return { ...base, status: 'pending' };
    case 'AUTHORIZED': {
      const reserved = authorized > 0 ? authorized : payment.amount.value;
      if (captured >= reserved) return { ...base, status: 'completed' };
      if (cancelled > 0 && captured > 0) return { ...base, status: 'completed' };
      if (cancelled > 0) return { ...base, status: 'cancelled', failure: EPAYMENT_FAILURES.released };
      return { ...base, status: 'authorized' };
    }
    case 'ABORTED':
      return { ...base, status: 'cancelled', failure: EPAYMENT_FAILURES.aborted };
    case 'EXPIRED':
      return { ...base, status: 'expired', failure: EPAYMENT_FAILURES.expired };
    case 'TERMINATED':
      return { ...base, status: 'cancelled', failure: EPAYMENT_FAILURES.terminated };
    default:
      return { ...base, status: 'pending' };
  }
}

/** A webhook event → snapshot when the event is a state change we can apply as is; null → refresh. */
export function epaymentEventToSnapshot(event: EpaymentWebhookEvent): ProviderSnapshot | null {
  if (!event.success) return null;
  const name = event.name.toUpperCase();
  const raw = {
    event: name.slice(0, 40),
    pspReference: event.pspReference.slice(0, 100),
    timestamp: event.timestamp.slice(0, 64),
    amount: event.amount.value,
  };
  switch (name) {
    case 'AUTHORIZED': {
      // Signed, so believed: an Express payment's event carries the shopper and the shipping choice.
      const express = epaymentExpressOf(event);
      return {
        status: 'authorized',
        providerStatus: 'AUTHORIZED',
        authorizedAmount: event.amount.value,
        raw,
        ...(express ? { express } : {}),
      };
    }
    case 'ABORTED':
      return { status: 'cancelled', providerStatus: 'ABORTED', failure: EPAYMENT_FAILURES.aborted, raw };
    case 'EXPIRED':
      return { status: 'expired', providerStatus: 'EXPIRED', failure: EPAYMENT_FAILURES.expired, raw };
    case 'TERMINATED':
      return { status: 'cancelled', providerStatus: 'TERMINATED', failure: EPAYMENT_FAILURES.terminated, raw };
    default:
      return null;
  }
}
