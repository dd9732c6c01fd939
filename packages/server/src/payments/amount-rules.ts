/**
 * What a merchant operation may move, as pure rules over the stored amounts (minor units): capture
 * at most what is reserved and not yet captured or released, refund at most what is captured and
 * not yet refunded, cancel only what is not final. Tested as a table in
 * test/unit/amount-rules.test.ts.
 */
import { isTerminal } from '@pay-with-bank/protocol';
import { ApiError } from '../errors.js';
import type { PaymentRecord } from '../store/store.js';

export type ModifyOperation = 'capture' | 'cancel' | 'refund';

type Amounts = Pick<
  PaymentRecord,
  'status' | 'currency' | 'authorizedAmount' | 'capturedAmount' | 'refundedAmount' | 'cancelledAmount'
>;

/** The amount the operation moves (null for a cancel: all that remains), or why it cannot. */
export type AmountDecision = { amount: number | null } | { error: ApiError };

export function operationAmount(payment: Amounts, operation: ModifyOperation, requested?: number): AmountDecision {
  if (operation === 'capture') {
    if (payment.status !== 'authorized') {
      return {
        error: new ApiError(
          'invalid_state',
          `Only authorized payments can be captured (this one is ${payment.status}).`,
        ),
      };
    }
    const remaining = payment.authorizedAmount - payment.capturedAmount - payment.cancelledAmount;
    if (remaining <= 0) return { error: new ApiError('invalid_state', 'Nothing is left to capture.') };
    const amount = requested ?? remaining;
    if (amount > remaining) {
      return {
        error: new ApiError(
          'amount_exceeds_authorized',
          `The capture amount ${amount} exceeds the ${remaining} still reserved (minor units, ${payment.currency}).`,
          { requested: amount, remaining },
        ),
      };
    }
    return { amount };
  }
  if (operation === 'refund') {
    if (payment.status !== 'authorized' && payment.status !== 'completed') {
      return {
        error: new ApiError('invalid_state', `Only captured payments can be refunded (this one is ${payment.status}).`),
      };
    }
    const refundable = payment.capturedAmount - payment.refundedAmount;
    if (refundable <= 0) return { error: new ApiError('invalid_state', 'Nothing captured is left to refund.') };
    const amount = requested ?? refundable;
    if (amount > refundable) {
      return {
        error: new ApiError(
          'amount_exceeds_captured',
          `The refund amount ${amount} exceeds the ${refundable} captured and not yet refunded (minor units, ${payment.currency}).`,
          { requested: amount, refundable },
        ),
      };
    }
    return { amount };
  }
  if (isTerminal(payment.status)) {
    return { error: new ApiError('invalid_state', `A ${payment.status} payment cannot be cancelled.`) };
  }
  return { amount: null };
}
