/**
 * The express checkout rules, as a pure function: what a provider snapshot of an express payment
 * does to the shopper's details and the shipping choice stored with it. The shipping price is the
 * merchant's: the method the provider reports must be one the server offered (the session's static
 * options, or one the merchant's shipping URL answered), at exactly that option's price, and the
 * reserved amount must be the items plus that price. Anything else is a mismatch: the ledger fails
 * the payment (and the service releases the reservation) instead of believing the provider's number.
 *
 * While the shopper is still choosing (before the reservation) a newer report replaces the stored
 * choice; from the reservation on, the choice is fixed. Erased details are never stored again.
 * Tested as a table in test/unit/express-rules.test.ts.
 */
import { createHash } from 'node:crypto';
import { isTerminal, type PaymentFailure, type PaymentStatus, type ShippingOption } from '@pay-with-bank/protocol';
import type { ProviderSnapshot } from '../providers/adapter.js';
import type { PaymentPatch, PaymentRecord, PaymentShipping } from '../store/store.js';

/** What the rules need besides the payment: from its session and the quotes the server gave. */
export interface ExpressFacts {
  /** The session's amount: the items, without shipping. */
  itemsAmount: number;
  /** Every option offered for this payment (static ones, or all the merchant's quotes so far). */
  offered: readonly ShippingOption[];
}

export type ExpressPlan = { patch: PaymentPatch } | { mismatch: string };

export const SHIPPING_MISMATCH_FAILURE: PaymentFailure = {
  code: 'shipping_mismatch',
  message:
    'The shipping method or price reported by the provider does not match the merchant’s options; the payment was stopped and its reservation released.',
  providerCode: null,
  providerMessage: null,
};

/** How a provider's user id is kept: hashed with the adapter id (enough to find the user's payments). */
export function providerUserKey(adapterId: string, providerUserId: string): string {
  return createHash('sha256').update(`${adapterId}\n${providerUserId}`, 'utf8').digest('hex');
}

const reserves = (status: PaymentStatus) => status === 'authorized' || status === 'completed';

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The express part of applying `snapshot` to `current`, given the status the status rules decided
 * (`nextStatus`). Returns the fields that change, or why the report cannot be believed.
 */
export function planExpress(
  current: PaymentRecord,
  snapshot: ProviderSnapshot,
  nextStatus: PaymentStatus,
  facts: ExpressFacts,
): ExpressPlan {
  const patch: PaymentPatch = {};
  const reported = snapshot.express;
  // Before the reservation the shopper may still change address and method in the app.
  const choosing = !isTerminal(current.status) && !reserves(current.status);

  if (reported?.shopper && !current.shopperErasedAt && (choosing || current.shopper == null)) {
    if (!same(current.shopper, reported.shopper)) patch.shopper = reported.shopper;
    if (reported.providerUserId) {
      const key = providerUserKey(current.adapterId, reported.providerUserId);
      if (key !== current.providerUserKey) patch.providerUserKey = key;
    }
  }

  let shipping: PaymentShipping | null = current.shipping ?? null;
  if (choosing && reported?.shipping) {
    const { methodId, amount } = reported.shipping;
    const candidates = facts.offered.filter((o) => o.id === methodId);
    if (candidates.length === 0) return { mismatch: `shipping method ${methodId} was never offered` };
    const option = candidates.find((o) => o.amount === amount);
    if (!option) {
      return {
        mismatch: `shipping method ${methodId} reported at ${amount}, offered at ${candidates.map((o) => o.amount).join(' or ')}`,
      };
    }
    shipping = { id: option.id, name: option.name, amount: option.amount };
    if (!same(current.shipping, shipping)) patch.shipping = shipping;
    const total = facts.itemsAmount + shipping.amount;
    if (total !== current.amount) patch.amount = total;
  }

  if (choosing && reserves(nextStatus)) {
    if (!shipping) return { mismatch: 'reserved without a shipping method' };
    const total = facts.itemsAmount + shipping.amount;
    if (snapshot.authorizedAmount !== undefined && snapshot.authorizedAmount !== total) {
      return {
        mismatch: `reserved ${snapshot.authorizedAmount}, expected the items ${facts.itemsAmount} + shipping ${shipping.amount}`,
      };
    }
  }
  return { patch };
}
