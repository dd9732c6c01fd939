/** What capture, refund and cancel may move, as a table over the stored amounts (minor units). */
import { describe, expect, it } from 'vitest';
import { operationAmount, type ModifyOperation } from '../../src/payments/amount-rules.js';
import type { PaymentRecord } from '../../src/store/store.js';

type Amounts = Pick<
  PaymentRecord,
  'status' | 'currency' | 'authorizedAmount' | 'capturedAmount' | 'refundedAmount' | 'cancelledAmount'
>;
const reserved: Amounts = {
  status: 'authorized',
  currency: 'NOK',
  authorizedAmount: 10_000,
  capturedAmount: 0,
  refundedAmount: 0,
  cancelledAmount: 0,
};

describe('operationAmount', () => {
  it.each<[string, Partial<Amounts>, ModifyOperation, number | undefined, number | null | string]>([
    ['capture everything reserved', {}, 'capture', undefined, 10_000],
    ['capture a part', {}, 'capture', 4_000, 4_000],
    ['capture exactly what remains', { capturedAmount: 4_000 }, 'capture', 6_000, 6_000],
    ['capture more than remains', { capturedAmount: 4_000 }, 'capture', 6_001, 'amount_exceeds_authorized'],
    ['capture what was released', { cancelledAmount: 10_000 }, 'capture', undefined, 'invalid_state'],
    [
      'capture after a partial release',
      { capturedAmount: 4_000, cancelledAmount: 6_000 },
      'capture',
      1,
      'invalid_state',
    ],
    ['capture a pending payment', { status: 'pending' }, 'capture', undefined, 'invalid_state'],
    ['capture a completed payment', { status: 'completed', capturedAmount: 10_000 }, 'capture', 1, 'invalid_state'],
    ['refund everything captured', { status: 'completed', capturedAmount: 10_000 }, 'refund', undefined, 10_000],
    ['refund a part of a partial capture', { capturedAmount: 4_000 }, 'refund', 1_000, 1_000],
    ['refund more than captured', { capturedAmount: 4_000 }, 'refund', 4_001, 'amount_exceeds_captured'],
    [
      'refund twice the whole',
      { status: 'completed', capturedAmount: 10_000, refundedAmount: 10_000 },
      'refund',
      undefined,
      'invalid_state',
    ],
    ['refund before any capture', {}, 'refund', undefined, 'invalid_state'],
    ['refund a pending payment', { status: 'pending' }, 'refund', 1, 'invalid_state'],
    ['cancel a reservation', {}, 'cancel', undefined, null],
    ['cancel a pending payment', { status: 'pending' }, 'cancel', undefined, null],
    ['cancel a completed payment', { status: 'completed' }, 'cancel', undefined, 'invalid_state'],
    ['cancel a failed payment', { status: 'failed' }, 'cancel', undefined, 'invalid_state'],
  ])('%s', (_name, amounts, operation, requested, expected) => {
    const decided = operationAmount({ ...reserved, ...amounts }, operation, requested);
    expect('error' in decided ? decided.error.code : decided.amount).toBe(expected);
  });

  it('says how much is left, in the error details', () => {
    const decided = operationAmount({ ...reserved, capturedAmount: 4_000 }, 'capture', 7_000);
    expect('error' in decided && decided.error.details).toEqual({ requested: 7_000, remaining: 6_000 });
  });
});
