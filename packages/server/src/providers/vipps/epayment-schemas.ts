/**
 * zod schemas of the ePayment v1 responses and webhook events we read (epayment-v1.openapi.yaml).
 * Loose objects; state and event names stay open strings so an unknown one is mapped
 * conservatively instead of failing.
 */
import { z } from 'zod';

const Reference = z.string().regex(/^[a-zA-Z0-9-]{8,50}$/);

export const EpaymentAmount = z.looseObject({
  currency: z.string().min(3).max(3),
  value: z.number().int().nonnegative(),
});
export type EpaymentAmount = z.infer<typeof EpaymentAmount>;

export const EpaymentAggregate = z.looseObject({
  authorizedAmount: EpaymentAmount,
  cancelledAmount: EpaymentAmount,
  capturedAmount: EpaymentAmount,
  refundedAmount: EpaymentAmount,
});

/** CreatePaymentResponse: `redirectUrl` is absent only for PUSH_MESSAGE, which we never use. */
export const EpaymentCreateResponse = z.looseObject({
  redirectUrl: z.string().min(1).max(4096),
  reference: Reference,
});

/** GetPaymentResponse and ModificationResponse: what we read of them. */
export const EpaymentPayment = z.looseObject({
  reference: Reference,
  state: z.string().min(1).max(40),
  amount: EpaymentAmount,
  aggregate: EpaymentAggregate,
  pspReference: z.string().max(100).nullish(),
  // Express (and profile sharing), once authorized: read part by part in epayment-express.ts.
  userDetails: z.unknown().optional(),
  shippingDetails: z.unknown().optional(),
  profile: z.unknown().optional(),
});
export type EpaymentPayment = z.infer<typeof EpaymentPayment>;

/** WebhookEvent (epayments.payment.*.v1). */
export const EpaymentWebhookEvent = z.looseObject({
  msn: z.string().regex(/^\d{4,6}$/),
  reference: Reference,
  pspReference: z.string().min(1).max(100),
  name: z.string().min(1).max(40),
  amount: EpaymentAmount,
  timestamp: z.string().min(1).max(64),
  idempotencyKey: z.string().max(100).nullish(),
  success: z.boolean(),
  // The authorized event of an Express payment also carries these (read in epayment-express.ts).
  userDetails: z.unknown().optional(),
  shippingDetails: z.unknown().optional(),
  profile: z.unknown().optional(),
});
export type EpaymentWebhookEvent = z.infer<typeof EpaymentWebhookEvent>;
