/** Merchant API: payments (reconciliation listing, one payment, capture / cancel / refund, erasing the shopper). */
import {
  EraseShopperResponse,
  GetPaymentResponse,
  ListPaymentsQuery,
  ListPaymentsResponse,
  ModifyPaymentRequest,
  paths,
  PaymentIdParams,
  type ErrorCode,
} from '@pay-with-bank/protocol';
import { z } from 'zod';
import { PaymentService, type ModifyOperation } from '../../payments/service.js';
import { toMerchantPayment } from '../../views.js';
import { ApiError } from '../../errors.js';
import { pageOf } from '../pagination.js';
import { defineRoute, NoQuery } from '../route.js';

/** Idempotency-Key for merchant operations; passed on to the provider, so kept within the strictest provider limit (40). */
export const IdempotencyKeyHeader = z.strictObject({
  'idempotency-key': z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,40}$/, 'must be 8–40 characters of A–Z, a–z, 0–9, _ or -')
    .optional()
    .describe('Makes the operation safe to retry: the same key returns the first result'),
});

const MODIFY_PATHS = { capture: paths.merchantCapture, cancel: paths.merchantCancel, refund: paths.merchantRefund };

function modifyRoute(operation: ModifyOperation, summary: string, errors: ErrorCode[]) {
  return defineRoute({
    operationId: `${operation}Payment`,
    method: 'POST',
    path: MODIFY_PATHS[operation],
    auth: 'merchant',
    rateLimit: 'failed-auth',
    idempotent: true,
    tags: ['Merchant'],
    summary,
    description:
      'Available when the payment’s provider supports it (otherwise invalid_state). Send an Idempotency-Key to retry safely.',
    params: PaymentIdParams,
    query: NoQuery,
    headers: IdempotencyKeyHeader,
    body: operation === 'cancel' ? undefined : ModifyPaymentRequest,
    bodyRequired: false,
    response: { status: 200, description: 'The payment after the operation', schema: GetPaymentResponse },
    errors: [
      'not_found',
      'invalid_state',
      'idempotency_key_reused',
      ...errors,
      'provider_error',
      'provider_unavailable',
      'provider_timeout',
    ],
    handler: async ({ params, headers, body, services }) => {
      const key = headers['idempotency-key'] ?? PaymentService.newOperationKey();
      const payment = await services.payments.modify(params.paymentId, operation, body?.amount, key);
      return { body: { payment: toMerchantPayment(payment) } };
    },
  });
}

export const merchantPaymentRoutes = [
  defineRoute({
    operationId: 'listPayments',
    method: 'GET',
    path: paths.merchantPayments,
    auth: 'merchant',
    rateLimit: 'failed-auth',
    tags: ['Merchant'],
    summary: 'List payments (reconciliation)',
    description: 'Newest first. Pass nextCursor as cursor to get the next page.',
    query: ListPaymentsQuery,
    response: { status: 200, description: 'A page of payments', schema: ListPaymentsResponse },
    errors: [],
    handler: async ({ query, services }) => {
      const page = pageOf(query);
      if (query.from && query.to && Date.parse(query.from) > Date.parse(query.to)) {
        throw new ApiError('invalid_request', 'from must not be after to.', {
          issues: [{ path: 'query.from', message: 'must not be after to' }],
        });
      }
      const rows = await services.store.listPayments({
        ...(query.reference ? { reference: query.reference } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.from ? { from: new Date(query.from).toISOString() } : {}),
        ...(query.to ? { to: new Date(query.to).toISOString() } : {}),
        ...page.window,
      });
      const { items, nextCursor } = page.cut(rows);
      return { body: { payments: items.map(toMerchantPayment), nextCursor } };
    },
  }),
  defineRoute({
    operationId: 'getPayment',
    method: 'GET',
    path: paths.merchantPayment,
    auth: 'merchant',
    rateLimit: 'failed-auth',
    tags: ['Merchant'],
    summary: 'One payment',
    params: PaymentIdParams,
    query: NoQuery,
    response: { status: 200, description: 'The payment', schema: GetPaymentResponse },
    errors: ['not_found'],
    handler: async ({ params, services }) => {
      const payment = await services.store.getPayment(params.paymentId);
      if (!payment) throw new ApiError('not_found', 'No such payment.');
      return { body: { payment: toMerchantPayment(payment) } };
    },
  }),
  modifyRoute('capture', 'Capture an authorised payment (all or part)', ['amount_exceeds_authorized']),
  modifyRoute('cancel', 'Cancel a payment that is not final', []),
  modifyRoute('refund', 'Refund a captured payment (all or part)', ['amount_exceeds_captured']),
  defineRoute({
    operationId: 'eraseShopper',
    method: 'DELETE',
    path: paths.merchantPaymentShopper,
    auth: 'merchant',
    rateLimit: 'failed-auth',
    tags: ['Merchant'],
    summary: 'Erase the shopper’s details (express checkout)',
    description:
      'For a shopper who asks you to erase their data: their name, email, phone number and address go from this payment, from every other payment of the same shopper at that provider, and from the earlier webhooks of those payments; each gets a payment.shopper_erased webhook. The order (status, amounts, shipping method) stays. Details the provider reports later are not stored again. Safe to repeat: nothing left to erase answers erased: [].',
    params: PaymentIdParams,
    query: NoQuery,
    response: { status: 200, description: 'The payment, and the payments erased', schema: EraseShopperResponse },
    errors: ['not_found'],
    handler: async ({ params, services }) => {
      const { payment, erased } = await services.payments.eraseShopper(params.paymentId);
      return { body: { payment: toMerchantPayment(payment), erased: erased.map((p) => p.id) } };
    },
  }),
];
