/** Store records → protocol shapes. The only place that decides what the browser and the merchant see. */
import type {
  Bank,
  CheckoutPayment,
  CheckoutSession,
  MerchantPayment,
  MerchantSession,
  NextAction,
} from '@pay-with-bank/protocol';
import type { PaymentRecord, SessionRecord } from './store/store.js';

export function sessionState(session: SessionRecord, now: Date): MerchantSession['state'] {
  if (session.state === 'paid') return 'paid';
  return Date.parse(session.expiresAt) <= now.getTime() ? 'expired' : 'open';
}

/**
 * Whether the checkout counts as paid with this payment: completed, or authorised where the
 * provider's authorisation reserves the money (the adapter's `authorizedMeansPaid`).
 */
export function settles(p: Pick<PaymentRecord, 'status'>, authorizedMeansPaid: boolean): boolean {
  return p.status === 'completed' || (p.status === 'authorized' && authorizedMeansPaid);
}

/** What the browser is told besides the record: decided by the payment's adapter (PaymentService.checkoutView). */
export interface CheckoutPaymentGuidance {
  settled: boolean;
  next: NextAction;
}

export function toCheckoutPayment(p: PaymentRecord, guidance: CheckoutPaymentGuidance): CheckoutPayment {
  return {
    id: p.id,
    method: p.method,
    status: p.status,
    providerStatus: p.providerStatus,
    bankId: p.bankId,
    amount: { value: p.amount, currency: p.currency },
    // The method and its price, never the shopper's personal details.
    shipping: p.shipping ? { name: p.shipping.name, amount: { value: p.shipping.amount, currency: p.currency } } : null,
    failure: p.failure,
    // Only while the shopper can still act on it.
    redirectUrl: p.status === 'created' || p.status === 'pending' ? p.redirectUrl : null,
    expiresAt: p.expiresAt,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    next: guidance.next,
    settled: guidance.settled,
  };
}

export function toCheckoutSession(
  s: SessionRecord,
  payeeName: string,
  latest: CheckoutPayment | null,
  banks: Bank[] | null,
): CheckoutSession {
  return {
    id: s.id,
    amount: { value: s.amount, currency: s.currency },
    payee: { name: payeeName },
    reference: s.reference,
    description: s.description,
    locale: s.locale,
    methods: s.methods,
    express: s.express != null,
    countries: s.countries,
    expiresAt: s.expiresAt,
    payment: latest,
    banks,
  };
}

export function toMerchantPayment(p: PaymentRecord): MerchantPayment {
  return {
    id: p.id,
    sessionId: p.sessionId,
    reference: p.reference,
    method: p.method,
    provider: p.adapterId,
    providerPaymentId: p.providerPaymentId,
    providerStatus: p.providerStatus,
    status: p.status,
    bankId: p.bankId,
    amount: { value: p.amount, currency: p.currency },
    authorizedAmount: p.authorizedAmount,
    capturedAmount: p.capturedAmount,
    refundedAmount: p.refundedAmount,
    cancelledAmount: p.cancelledAmount,
    failure: p.failure,
    shopper: p.shopper ?? null,
    shipping: p.shipping
      ? { id: p.shipping.id, name: p.shipping.name, amount: { value: p.shipping.amount, currency: p.currency } }
      : null,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export function toMerchantSession(s: SessionRecord, now: Date): MerchantSession {
  return {
    id: s.id,
    state: sessionState(s, now),
    amount: { value: s.amount, currency: s.currency },
    reference: s.reference,
    description: s.description,
    returnUrl: s.returnUrl,
    methods: s.methods,
    countries: s.countries,
    locale: s.locale,
    metadata: s.metadata,
    express: s.express
      ? { shipping: s.express.shipping, options: s.express.options, confirmAddress: s.express.confirmAddress }
      : null,
    createdAt: s.createdAt,
    expiresAt: s.expiresAt,
  };
}
