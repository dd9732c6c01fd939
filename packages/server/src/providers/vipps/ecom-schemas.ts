/**
 * zod schemas of the eCom v2 responses we read (ecom-v2/swagger.yaml) and of the callback Vipps
 * sends us (ecom-v2/ms_import.yaml). Loose objects: unknown fields are tolerated; a missing field
 * we need fails validation. Operation and status strings are kept open (unknown ones are mapped
 * conservatively rather than rejected).
 */
import { z } from 'zod';
import { ORDER_ID_PATTERN } from './ids.js';

const OrderId = z.string().regex(ORDER_ID_PATTERN);
const Amount = z.number().int().nonnegative();

/** PaymentInitiationResponse. `url` is a landing page (https) or, with isApp, an app deeplink. */
export const EcomInitiateResponse = z.looseObject({
  orderId: OrderId,
  url: z.string().min(1).max(4096),
});

export const EcomLogEntry = z.looseObject({
  amount: Amount,
  operation: z.string().min(1),
  operationSuccess: z.boolean(),
  requestId: z.string().nullish(),
  timeStamp: z.string().nullish(),
  transactionId: z.string().nullish(),
  transactionText: z.string().nullish(),
});
export type EcomLogEntry = z.infer<typeof EcomLogEntry>;

export const EcomSummary = z.looseObject({
  capturedAmount: Amount,
  refundedAmount: Amount,
  remainingAmountToCapture: Amount,
  remainingAmountToRefund: Amount,
  bankIdentificationNumber: z.number().nullish(),
});
export type EcomSummary = z.infer<typeof EcomSummary>;

/**
 * TransactionDetails (`GET …/details`): the log newest first; the summary appears once the user
 * acted. Express payments add userDetails and shippingDetails, read on their own (ecom-express.ts)
 * so that a malformed one never stops a status read.
 */
export const EcomDetails = z.looseObject({
  orderId: OrderId.optional(),
  transactionLogHistory: z.array(EcomLogEntry).min(1),
  transactionSummary: EcomSummary.nullish(),
  userDetails: z.unknown().optional(),
  shippingDetails: z.unknown().optional(),
});
export type EcomDetails = z.infer<typeof EcomDetails>;

/** PaymentStatus (deprecated `GET …/status`): used only to tell a timeout (REJECTED) from a cancel. */
export const EcomStatusResponse = z.looseObject({
  orderId: z.string().optional(),
  transactionInfo: z.looseObject({ status: z.string().min(1) }),
});

/** TransactionResponse / RefundTransactionResponse / CancelTransactionResponse: what we read of them. */
export const EcomOperationResponse = z.looseObject({
  orderId: OrderId,
  transactionSummary: EcomSummary.nullish(),
});

/** RegularCheckOutPaymentRequest (ms_import.yaml), the callback body. */
export const EcomCallbackBody = z.looseObject({
  merchantSerialNumber: z.string().regex(/^\d{4,6}$/, 'must be a merchant serial number'),
  orderId: OrderId,
  transactionInfo: z.looseObject({
    amount: Amount,
    // RESERVED, SALE, CANCELLED, REJECTED (RESERVE for express); unknown values trigger a refresh instead.
    status: z.string().min(1).max(40),
    timeStamp: z.string().min(1).max(64),
    transactionId: z.string().max(64).nullish(),
  }),
  errorInfo: z.unknown().optional(),
});
export type EcomCallbackBody = z.infer<typeof EcomCallbackBody>;
