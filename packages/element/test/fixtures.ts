/**
 * Data fixtures, validated by the protocol's schemas. No DOM: the flow's table tests use them too.
 */
import {
  Bank as BankSchema,
  CheckoutPayment as CheckoutPaymentSchema,
  CheckoutSession as CheckoutSessionSchema,
  type Bank,
  type CheckoutPayment,
  type CheckoutSession,
} from '@pay-with-bank/protocol';
import { isTerminal } from '@pay-with-bank/protocol/payment-model';

export const TOKEN = 'pwb_ct_testtoken0123456789abcdefghijklmnopqrstuvwx';
export const SERVER = 'https://pay.example.test';
export const SESSION_ID = 'cs_session0123456789ab';
export const PAYMENT_ID = 'pay_payment0123456789ab';

/**
 * A payment as the server shows it to the browser. Unless given, `settled` and `next` are what the
 * server's adapters decide: completed (or a Vipps reservation) settles; a final or settled payment has
 * nothing next; anything else waits (pollAfterMs 0, so the element's pollInterval sets the pace).
 */
export function makePayment(overrides: Partial<CheckoutPayment> = {}): CheckoutPayment {
  const base = {
    id: PAYMENT_ID,
    method: 'bank' as const,
    status: 'pending' as const,
    providerStatus: 'ReadyForAuthorize',
    bankId: 'dk-danske',
    amount: { value: 125_000, currency: 'DKK' as const },
    shipping: null,
    failure: null,
    redirectUrl: 'https://sandbox.example.test/mastercard/authorize/abc',
    expiresAt: null,
    createdAt: '2026-01-01T10:00:00.000Z',
    updatedAt: '2026-01-01T10:00:00.000Z',
    ...overrides,
  };
  const settled =
    overrides.settled ?? (base.status === 'completed' || (base.method === 'vipps' && base.status === 'authorized'));
  const next: CheckoutPayment['next'] =
    overrides.next ??
    (settled || isTerminal(base.status) ? { type: 'none' } : { type: 'wait', pollAfterMs: 0, until: base.expiresAt });
  return CheckoutPaymentSchema.parse({ ...base, settled, next });
}

export function makeSession(overrides: Partial<CheckoutSession> = {}): CheckoutSession {
  return CheckoutSessionSchema.parse({
    id: SESSION_ID,
    amount: { value: 125_000, currency: 'DKK' },
    payee: { name: 'Nordic Mugs ApS' },
    reference: 'order-1001',
    description: 'Two mugs',
    locale: 'en',
    methods: ['bank', 'vipps'],
    express: false,
    countries: ['DK', 'SE'],
    expiresAt: '2099-01-01T00:00:00.000Z',
    payment: null,
    banks: null,
    ...overrides,
  });
}

/** A valid image that needs no network. */
export const LOGO =
  'data:image/svg+xml,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32" fill="#036"/></svg>',
  );

export const BANKS: Record<string, Bank[]> = {
  DK: [
    { id: 'dk-danske', name: 'Danske Bank', country: 'DK', logoUrl: LOGO, available: true, unavailableMessage: null },
    { id: 'dk-nordea', name: 'Nordea', country: 'DK', logoUrl: null, available: true, unavailableMessage: null },
    {
      id: 'dk-jyske',
      name: 'Jyske Bank',
      country: 'DK',
      logoUrl: null,
      available: false,
      unavailableMessage: 'Down for maintenance until 14:00',
    },
    {
      id: 'dk-ostjysk',
      name: 'Østjydsk Bank',
      country: 'DK',
      logoUrl: null,
      available: true,
      unavailableMessage: null,
    },
    {
      id: 'dk-broken',
      name: 'Broken Logo Sparekasse',
      country: 'DK',
      logoUrl: 'data:image/png;base64,AAAA',
      available: true,
      unavailableMessage: null,
    },
  ].map((b) => BankSchema.parse(b)),
  SE: [
    { id: 'se-swedbank', name: 'Swedbank', country: 'SE', logoUrl: null, available: true, unavailableMessage: null },
    { id: 'se-sodra', name: 'Södra Sparbank', country: 'SE', logoUrl: null, available: true, unavailableMessage: null },
  ].map((b) => BankSchema.parse(b)),
};
