/** The payment's shape (see shape.ts): checked in the payment chunk, which shows payments. */
import type { CheckoutPayment } from '@pay-with-bank/protocol';
import { PAYMENT_ID_PATTERN, PAYMENT_METHOD_PATTERN, PAYMENT_STATUSES } from '@pay-with-bank/protocol/payment-model';
import { bool, int, isObject, matches, money, nullable, oneOf, shape, str, type Check } from './shape.js';

/** What to do next: the server decides (redirect, wait and ask again, nothing). */
const next: Check = (v) =>
  isObject(v) &&
  (v.type === 'none' ||
    (v.type === 'redirect' && str(v.url)) ||
    (v.type === 'wait' && int(v.pollAfterMs) && nullable(str)(v.until)));

export const isPayment = shape({
  id: matches(PAYMENT_ID_PATTERN),
  method: matches(PAYMENT_METHOD_PATTERN),
  status: oneOf(PAYMENT_STATUSES),
  bankId: nullable(str),
  amount: money,
  failure: nullable(shape({ code: str, message: str })),
  redirectUrl: nullable(str),
  expiresAt: nullable(str),
  next,
  settled: bool,
}) as (v: unknown) => v is CheckoutPayment;
