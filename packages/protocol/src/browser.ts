/**
 * The browser⇄server contract: what `<pay-with-bank>` sends to and reads from the companion server.
 * The browser authenticates with the session's opaque client token (`Authorization: Bearer …`) and
 * can only read its own session and start/refresh its own payments. Amount, currency, payee and
 * reference never come from the browser.
 */
import { z } from 'zod';
import {
  AttemptId,
  Country,
  Money,
  MoneyOrZero,
  PaymentFailure,
  PaymentId,
  PaymentMethod,
  PaymentStatus,
  SessionId,
} from './common.js';
import { BANK_ID_PATTERN, NORWEGIAN_MOBILE_PATTERN } from './constants.js';
import { PAYMENT_STREAM_END_REASONS } from './paths.js';

export const Bank = z
  .object({
    id: z.string(),
    name: z.string(),
    country: z.string().describe('ISO 3166-1 alpha-2'),
    logoUrl: z.string().nullable(),
    available: z.boolean().describe('false while the bank cannot take payments (greyed out in the list)'),
    unavailableMessage: z.string().nullable(),
  })
  .meta({ id: 'Bank' });
export type Bank = z.infer<typeof Bank>;

/**
 * What the browser does next with a payment, decided by the server (its provider's adapter), so the
 * element never asks which method or provider it is: go to the provider's page, wait and ask again
 * after `pollAfterMs` (until `until`, when the provider gives up), or nothing more (final).
 */
export const NextAction = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('redirect'), url: z.string().describe("The provider's page (top-level navigation)") }),
    z.object({
      type: z.literal('wait'),
      pollAfterMs: z.number().int().min(0).describe('Ask again (refresh) after this long'),
      until: z.iso.datetime().nullable().describe('When the provider gives up on the shopper, if it says'),
    }),
    z.object({ type: z.literal('none') }),
  ])
  .meta({ id: 'NextAction' });
export type NextAction = z.infer<typeof NextAction>;

/** A payment attempt as the shopper's browser sees it. */
export const CheckoutPayment = z
  .object({
    id: PaymentId,
    method: PaymentMethod,
    status: PaymentStatus,
    providerStatus: z.string().nullable().describe("The provider's own status code, for display and support"),
    bankId: z.string().nullable(),
    amount: Money.describe('With shipping chosen (express): the total including shipping'),
    /** Express payments, once the shopper chose a method in the provider's app. */
    shipping: z.object({ name: z.string(), amount: MoneyOrZero }).nullable(),
    failure: PaymentFailure.nullable(),
    /** Where to send the shopper to (continue) authorising, while that is still possible. */
    redirectUrl: z.string().nullable(),
    /** When the provider gives up on the shopper (Vipps: landing page + app time). */
    expiresAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    /** What the browser does next (decided by the provider's adapter). */
    next: NextAction,
    /**
     * The checkout counts as paid with this payment: completed, or authorised where the provider's
     * authorisation reserves the money (Vipps). The element shows success on this, not on a status.
     */
    settled: z.boolean(),
  })
  .meta({ id: 'CheckoutPayment' });
export type CheckoutPayment = z.infer<typeof CheckoutPayment>;

/** GET /v1/checkout/session */
export const CheckoutSession = z
  .object({
    id: SessionId,
    amount: Money,
    payee: z.object({ name: z.string() }),
    reference: z.string(),
    description: z.string(),
    locale: z.string(),
    methods: z.array(PaymentMethod),
    /** An express checkout: the shopper shares address and chooses shipping in the provider's app. */
    express: z.boolean(),
    /** Countries whose banks the shopper can choose from (first is the default filter). */
    countries: z.array(Country),
    expiresAt: z.iso.datetime(),
    /** The latest payment attempt, if any. */
    payment: CheckoutPayment.nullable(),
    /**
     * The banks of the default country (`countries[0]`) when the checkout offers bank payments, so
     * the bank list needs no second request; null when bank payments are not offered or the list
     * could not be fetched (then ask GET /v1/checkout/banks). Other countries: on demand.
     */
    banks: z.array(Bank).nullable(),
  })
  .meta({ id: 'CheckoutSession' });
export type CheckoutSession = z.infer<typeof CheckoutSession>;

/** GET /v1/checkout/banks?country=DK */
export const ListBanksQuery = z.strictObject({ country: Country.optional() });
export const ListBanksResponse = z.object({ banks: z.array(Bank) }).meta({ id: 'ListBanksResponse' });
export type ListBanksResponse = z.infer<typeof ListBanksResponse>;

/** Norwegian mobile number for Vipps: 8 digits, optional +47/0047 prefix. */
export const PhoneNumber = z
  .string()
  .regex(NORWEGIAN_MOBILE_PATTERN, 'must be a Norwegian mobile number of 8 digits, e.g. 91234567');

/**
 * POST /v1/checkout/payments. `attemptId` is chosen by the browser per "Pay" action: the same
 * attempt id always yields the same payment (double clicks and retries create one provider
 * payment). A new attempt id after a failure is an explicit new attempt; while another payment of
 * the checkout is open, a new attempt id only creates a provider payment with `replace`.
 */
export const StartPaymentRequest = z
  .strictObject({
    method: PaymentMethod,
    attemptId: AttemptId,
    /** Bank chosen in the widget; omit or null to let the shopper choose in the provider's UI. */
    bankId: z.string().regex(BANK_ID_PATTERN).nullable().optional(),
    /** Vipps only: pre-fills the landing page. */
    phoneNumber: PhoneNumber.optional(),
    /** Vipps only: the shopper is on a phone (app switch instead of the landing page). */
    mobile: z.boolean().optional(),
    /**
     * The shopper explicitly chose to abandon the checkout's open payment and pay another way.
     * Without it, a start while another payment of this checkout is still open returns that payment
     * when it is for the same method and bank, and answers payment_in_progress otherwise.
     */
    replace: z.boolean().optional(),
  })
  .meta({ id: 'StartPaymentRequest' });
export type StartPaymentRequest = z.infer<typeof StartPaymentRequest>;

export const StartPaymentResponse = z
  .object({
    payment: CheckoutPayment,
    /** Top-level navigation target: the provider's page (never framed). */
    redirectUrl: z.string(),
  })
  .meta({ id: 'StartPaymentResponse' });
export type StartPaymentResponse = z.infer<typeof StartPaymentResponse>;

/** POST /v1/checkout/payments/{paymentId}/refresh */
export const RefreshPaymentResponse = z.object({ payment: CheckoutPayment }).meta({ id: 'RefreshPaymentResponse' });
export type RefreshPaymentResponse = z.infer<typeof RefreshPaymentResponse>;

/**
 * GET /v1/checkout/payments/{paymentId}/events (text/event-stream): the data of a `payment` event,
 * the same shape as the refresh answer.
 */
export const PaymentStreamEvent = z.object({ payment: CheckoutPayment }).meta({
  id: 'PaymentStreamEvent',
  description:
    'The data of an `event: payment` message: the payment as the refresh route answers it. First the current state, then one per committed change.',
});
export type PaymentStreamEvent = z.infer<typeof PaymentStreamEvent>;

/** The data of the stream's last message, `event: end`; the server closes the stream after it. */
export const PaymentStreamEnd = z
  .object({
    reason: z
      .enum(PAYMENT_STREAM_END_REASONS)
      .describe(
        'final: settled or final, do not reconnect; lifetime: the stream reached its maximum age, reconnect now; shutdown: this server instance is stopping, reconnect after a moment',
      ),
  })
  .meta({ id: 'PaymentStreamEnd' });
export type PaymentStreamEnd = z.infer<typeof PaymentStreamEnd>;

export const PaymentIdParams = z.strictObject({ paymentId: PaymentId });
export const SessionIdParams = z.strictObject({ sessionId: SessionId });
