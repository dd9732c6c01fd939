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
  PaymentFailure,
  PaymentId,
  PaymentMethod,
  PaymentStatus,
  SessionId,
} from './common.js';

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
  })
  .refine((v) => !v.metadata || Object.keys(v.metadata).length <= 20, {
    message: 'at most 20 metadata keys',
    path: ['metadata'],
  })
  .meta({ id: 'CreateSessionRequest' });
export type CreateSessionRequest = z.infer<typeof CreateSessionRequest>;

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
    amount: Money,
    authorizedAmount: z.number().int().describe('Minor units'),
    capturedAmount: z.number().int(),
    refundedAmount: z.number().int(),
    cancelledAmount: z.number().int(),
    failure: PaymentFailure.nullable(),
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
  limit: z.coerce.number().int().min(1).max(200).optional(),
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
    ]),
    createdAt: z.iso.datetime(),
    payment: MerchantPayment,
  })
  .meta({ id: 'MerchantEvent' });
export type MerchantEvent = z.infer<typeof MerchantEvent>;
