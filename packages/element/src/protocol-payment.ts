/**
 * The protocol's constants only the payment chunk uses, written out here (`test/protocol-copies.test.ts`
 * checks they equal `@pay-with-bank/protocol/constants`): a module the entry also imports lands in the
 * entry whole, so importing these from the protocol would put them in the script-tag entry.
 */
import type * as protocol from '@pay-with-bank/protocol/constants';

export const PAYMENT_STATUSES: typeof protocol.PAYMENT_STATUSES = [
  'created',
  'pending',
  'authorized',
  'completed',
  'failed',
  'cancelled',
  'expired',
];
export const TERMINAL_STATUSES: typeof protocol.TERMINAL_STATUSES = ['completed', 'failed', 'cancelled', 'expired'];
export const isTerminal: typeof protocol.isTerminal = (status) => TERMINAL_STATUSES.includes(status);
export const PAYMENT_ID_PATTERN = /^pay_[A-Za-z0-9_-]{16,64}$/;
export const PAYMENT_METHOD_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
