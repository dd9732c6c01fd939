/**
 * A payment as the contract names it: the status model and the formats of a payment's id and
 * method; zod-free like `constants.ts` (`@pay-with-bank/protocol/payment-model`). A module of its
 * own so that a bundle can put these where they are used: the element's script-tag entry never
 * needs them, its payment chunk does (a module the entry imports lands in the entry whole).
 */

/**
 * Our status model. Provider statuses map onto it in each adapter (see docs/architecture.md):
 * created → pending → authorized → completed, or failed | cancelled | expired.
 */
export const PAYMENT_STATUSES = [
  'created',
  'pending',
  'authorized',
  'completed',
  'failed',
  'cancelled',
  'expired',
] as const;
type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const TERMINAL_STATUSES: readonly PaymentStatus[] = ['completed', 'failed', 'cancelled', 'expired'];
export function isTerminal(status: PaymentStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** A payment id we mint (prefix + base64url). */
export const PAYMENT_ID_PATTERN = /^pay_[A-Za-z0-9_-]{16,64}$/;
/** A payment method id, as the configured provider plugins name their methods (e.g. `bank`). */
export const PAYMENT_METHOD_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
