/**
 * The merchant API: called by the merchant's backend with its API key (`Authorization: Bearer …`).
 * Never called from a browser.
 */
import { z } from 'zod';
import {
  Country,
  Locale,
  MAX_AMOUNT_MINOR,
  MerchantReference,
  Money,
  MoneyOrZero,
  PaymentFailure,
  PaymentId,
  PaymentMethod,
  PaymentStatus,
  SessionId,
  ShippingOption,
  ShippingOptions,
} from './common.js';

/**
 * How an express checkout prices shipping: a fixed list of options, or a merchant URL the server
 * POSTs the shopper's address to (a `ShippingRequest`, signed like the webhooks) and that answers
 * with the options for that address (a `ShippingResponse`).
 */
export const ExpressShipping = z
  .union([
    z.strictObject({ options: ShippingOptions.describe('1–20 options with distinct ids, at most one default') }),
    z.strictObject({
      url: z
        .url({ protocol: /^https?$/ })
        .max(1000)
        .describe("The merchant's shipping endpoint; must be on the server's allow-list, like returnUrl"),
    }),
  ])
  .meta({ id: 'ExpressShipping' });
export type ExpressShipping = z.infer<typeof ExpressShipping>;

/**
 * Express checkout (Vipps Hurtigkasse): the shopper shares name, contact and address in the
 * provider's app and chooses a shipping method there; the authorised amount is items + shipping.
 */
export const ExpressSettings = z
  .strictObject({
    shipping: ExpressShipping,
    confirmAddress: z
      .boolean()
      .optional()
      .describe('The shopper confirms address and shipping method explicitly in the app (default true)'),
  })
  .meta({ id: 'ExpressSettings' });
export type ExpressSettings = z.infer<typeof ExpressSettings>;

/** POST /v1/sessions */
export const CreateSessionRequest = z
  .strictObject({
    amount: Money,
    reference: MerchantReference,
    description: z.string().min(1).max(100).describe('Shown to the shopper and on their bank statement where possible'),
    /** Where the provider sends the shopper back to: must be on the server's allow-list. */
    returnUrl: z.url({ protocol: /^https?$/ }).max(1000),
    methods: z.array(PaymentMethod).min(1).max(2).optional().describe('Defaults to every configured method that fits'),
    locale: Locale.optional(),
    countries: z.array(Country).min(1).max(5).optional().describe('Bank countries to offer; defaults to all'),
    expiresInSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .optional()
      .describe('Default 3600'),
    metadata: z.record(z.string().max(40), z.string().max(500)).optional().describe('Up to 20 keys, kept as given'),
    express: ExpressSettings.optional().describe(
      'An express checkout: only methods whose provider offers express (else express_not_supported)',
    ),
  })
  .refine((v) => !v.metadata || Object.keys(v.metadata).length <= 20, {
    message: 'at most 20 metadata keys',
    path: ['metadata'],
  })
  .meta({ id: 'CreateSessionRequest' });
export type CreateSessionRequest = z.infer<typeof CreateSessionRequest>;

/** A postal address as the shopper shared it with the provider. */
export const Address = z
  .object({
    line1: z.string(),
    line2: z.string().nullable(),
    postCode: z.string(),
    city: z.string(),
    country: z.string().describe('ISO 3166-1 alpha-2'),
  })
  .meta({ id: 'Address' });
export type Address = z.infer<typeof Address>;

/**
 * The shopper's details an express payment brings (shared with consent in the provider's app).
 * Erased when the shopper withdraws that consent (`payment.shopper_erased`).
 */
export const Shopper = z
  .object({
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    email: z.string().nullable(),
    phoneNumber: z.string().nullable(),
    address: Address.nullable(),
  })
  .meta({ id: 'Shopper' });
export type Shopper = z.infer<typeof Shopper>;

/** The shipping method the shopper chose, at the price the merchant's options set. */
export const ShippingChoice = z
  .object({ id: z.string(), name: z.string(), amount: MoneyOrZero })
  .meta({ id: 'ShippingChoice' });
export type ShippingChoice = z.infer<typeof ShippingChoice>;

export const MerchantPayment = z
  .object({
    id: PaymentId,
    sessionId: SessionId,
    reference: z.string(),
    method: PaymentMethod,
    provider: z.string().describe('Adapter id, e.g. mastercard, vipps-ecom, vipps-epayment'),
    providerPaymentId: z.string().nullable(),
    providerStatus: z.string().nullable(),
    status: PaymentStatus,
    bankId: z.string().nullable(),
    amount: Money.describe('For an express payment with shipping chosen: the total (items + shipping)'),
    authorizedAmount: z.number().int().describe('Minor units'),
    capturedAmount: z.number().int(),
    refundedAmount: z.number().int(),
    cancelledAmount: z.number().int(),
    failure: PaymentFailure.nullable(),
    shopper: Shopper.nullable().describe('Express payments, once the shopper shared them; null after erasure'),
    shipping: ShippingChoice.nullable().describe('Express payments, once the shopper chose a method'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'MerchantPayment' });
export type MerchantPayment = z.infer<typeof MerchantPayment>;

export const SessionState = z.enum(['open', 'paid', 'expired']).meta({ id: 'SessionState' });

export const MerchantSession = z
  .object({
    id: SessionId,
    state: SessionState,
    amount: Money,
    reference: z.string(),
    description: z.string(),
    returnUrl: z.string(),
    methods: z.array(PaymentMethod),
    countries: z.array(Country),
    locale: z.string(),
    metadata: z.record(z.string(), z.string()),
    express: z
      .object({
        shipping: z.enum(['static', 'dynamic']).describe("static: the session's options; dynamic: the merchant's URL"),
        options: z.array(ShippingOption).nullable().describe('The static options; null for dynamic shipping'),
        confirmAddress: z.boolean(),
      })
      .nullable()
      .describe('Null for an ordinary checkout'),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'MerchantSession' });
export type MerchantSession = z.infer<typeof MerchantSession>;

export const CreateSessionResponse = z
  .object({
    session: MerchantSession,
    /** Opaque token for the browser: give it to `<pay-with-bank session-token=…>`. */
    clientToken: z.string(),
  })
  .meta({ id: 'CreateSessionResponse' });
export type CreateSessionResponse = z.infer<typeof CreateSessionResponse>;

/** GET /v1/sessions/{sessionId} */
export const GetSessionResponse = z
  .object({ session: MerchantSession, payments: z.array(MerchantPayment) })
  .meta({ id: 'GetSessionResponse' });
export type GetSessionResponse = z.infer<typeof GetSessionResponse>;

/** GET /v1/payments — reconciliation listing, newest first. */
export const ListPaymentsQuery = z.strictObject({
  reference: MerchantReference.optional(),
  status: PaymentStatus.optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  limit: z
    .string()
    .regex(/^[1-9][0-9]{0,2}$/, 'must be a whole number from 1 to 200')
    .transform(Number)
    .pipe(z.number().max(200, 'must be a whole number from 1 to 200'))
    .optional()
    .describe('Payments per page: a whole number from 1 to 200 (default 50)'),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/)
    .optional(),
});
export type ListPaymentsQuery = z.infer<typeof ListPaymentsQuery>;

export const ListPaymentsResponse = z
  .object({ payments: z.array(MerchantPayment), nextCursor: z.string().nullable() })
  .meta({ id: 'ListPaymentsResponse' });
export type ListPaymentsResponse = z.infer<typeof ListPaymentsResponse>;

/** GET /v1/payments/{paymentId} */
export const GetPaymentResponse = z.object({ payment: MerchantPayment }).meta({ id: 'GetPaymentResponse' });

/**
 * DELETE /v1/payments/{paymentId}/shopper — the payment as stored now, and every payment whose
 * shopper details this call erased: this one and the same shopper's other payments at that provider
 * (empty when there was nothing left to erase).
 */
export const EraseShopperResponse = z
  .object({
    payment: MerchantPayment,
    erased: z.array(PaymentId).describe('Payments whose shopper details were erased by this call'),
  })
  .meta({ id: 'EraseShopperResponse' });
export type EraseShopperResponse = z.infer<typeof EraseShopperResponse>;

/** POST /v1/payments/{paymentId}/capture | /refund — omit amount for the full remaining amount. */
export const ModifyPaymentRequest = z
  .strictObject({
    amount: z.number().int().min(1).max(MAX_AMOUNT_MINOR).optional().describe('Minor units; default: all that remains'),
  })
  .meta({ id: 'ModifyPaymentRequest' });
export type ModifyPaymentRequest = z.infer<typeof ModifyPaymentRequest>;

/** Notification sent to the merchant's webhook URL when a payment changes status. */
export const MerchantEvent = z
  .object({
    id: z.string(),
    type: z.enum([
      'payment.pending',
      'payment.authorized',
      'payment.completed',
      'payment.failed',
      'payment.cancelled',
      'payment.expired',
      'payment.captured',
      'payment.refunded',
      'payment.shopper_erased',
    ]),
    createdAt: z.iso.datetime(),
    payment: MerchantPayment,
    /**
     * On `payment.shopper_erased` only: why. `consent_withdrawn` (the shopper, at the provider) and
     * `merchant_request` (DELETE …/shopper): erase your copy too; `retention`
     * (PWB_SHOPPER_RETENTION_DAYS): apply your own retention to it.
     */
    erasure: z
      .object({ reason: z.enum(['consent_withdrawn', 'merchant_request', 'retention']) })
      .optional()
      .describe('payment.shopper_erased only: why the shopper’s details were erased'),
  })
  .meta({ id: 'MerchantEvent' });
export type MerchantEvent = z.infer<typeof MerchantEvent>;

/**
 * What the server POSTs to an express session's shipping URL when the shopper's address is known,
 * signed like the webhooks (`Pwb-Signature`, the webhook secret).
 */
export const ShippingRequest = z
  .object({
    sessionId: SessionId,
    reference: z.string(),
    currency: Money.shape.currency,
    address: Address,
  })
  .meta({ id: 'ShippingRequest' });
export type ShippingRequest = z.infer<typeof ShippingRequest>;

/** What the merchant's shipping URL answers (200, JSON): the options for that address. */
export const ShippingResponse = z.object({ options: ShippingOptions }).meta({ id: 'ShippingResponse' });
export type ShippingResponse = z.infer<typeof ShippingResponse>;
