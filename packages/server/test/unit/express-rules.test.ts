/** The express rules as a table: what a provider's report of an express payment may change, and what it may not. */
import type { PaymentStatus, Shopper } from '@pay-with-bank/protocol';
import { describe, expect, it } from 'vitest';
import { planExpress, providerUserKey, type ExpressFacts } from '../../src/payments/express-rules.js';
import type { ExpressSnapshot, ProviderSnapshot } from '../../src/providers/adapter.js';
import type { PaymentRecord } from '../../src/store/store.js';
import { paymentRecord, sessionRecord } from '../store/contract.js';

const ADA: Shopper = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  phoneNumber: '+4791234567',
  address: { line1: 'Robert Levins gate 5', line2: null, postCode: '0154', city: 'Oslo', country: 'NO' },
};
const FACTS: ExpressFacts = {
  itemsAmount: 49_900,
  offered: [
    { id: 'posten', name: 'Posten Servicepakke', amount: 9_900 },
    { id: 'pickup', name: 'Pick up in the shop', amount: 0 },
    // A second quote for another address: the same method at another price.
    { id: 'posten', name: 'Posten Servicepakke', amount: 12_900 },
  ],
};

function payment(overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  return paymentRecord(sessionRecord({ amount: 49_900, currency: 'NOK' }), {
    adapterId: 'wallet',
    status: 'pending',
    ...overrides,
  });
}

function snapshot(
  status: PaymentStatus,
  express?: Partial<ExpressSnapshot>,
  authorizedAmount?: number,
): ProviderSnapshot {
  return {
    status,
    providerStatus: status.toUpperCase(),
    ...(authorizedAmount === undefined ? {} : { authorizedAmount }),
    ...(express ? { express: { shopper: null, providerUserId: null, shipping: null, ...express } } : {}),
  };
}

describe('planExpress', () => {
  it('takes the shopper and a chosen method at the merchant’s price: the payment is for items + shipping', () => {
    const plan = planExpress(
      payment(),
      snapshot('pending', { shopper: ADA, providerUserId: 'user-1', shipping: { methodId: 'posten', amount: 9_900 } }),
      'pending',
      FACTS,
    );
    expect(plan).toEqual({
      patch: {
        shopper: ADA,
        providerUserKey: providerUserKey('wallet', 'user-1'),
        shipping: { id: 'posten', name: 'Posten Servicepakke', amount: 9_900 },
        amount: 59_800,
      },
    });
  });

  it('accepts the reservation of exactly items + shipping, free shipping included', () => {
    const shipped = planExpress(
      payment(),
      snapshot('authorized', { shipping: { methodId: 'posten', amount: 12_900 } }, 62_800),
      'authorized',
      FACTS,
    );
    expect(shipped).toMatchObject({ patch: { amount: 62_800, shipping: { amount: 12_900 } } });
    const free = planExpress(
      payment(),
      snapshot('authorized', { shipping: { methodId: 'pickup', amount: 0 } }, 49_900),
      'authorized',
      FACTS,
    );
    // The amount stays the items' amount: nothing to change but the choice.
    expect(free).toEqual({ patch: { shipping: { id: 'pickup', name: 'Pick up in the shop', amount: 0 } } });
  });

  it.each([
    ['a method never offered', { methodId: 'drone', amount: 0 }, undefined, /never offered/],
    ['an offered method at another price', { methodId: 'posten', amount: 100 }, undefined, /offered at 9900 or 12900/],
    ['a fraction of an øre', { methodId: 'posten', amount: 9_900.5 }, undefined, /reported at 9900.5/],
    ['a reservation of a different total', { methodId: 'posten', amount: 9_900 }, 49_900, /reserved 49900/],
  ])('refuses %s', (_, shipping, authorized, reason) => {
    const plan = planExpress(payment(), snapshot('authorized', { shipping }, authorized), 'authorized', FACTS);
    expect(plan).toEqual({ mismatch: expect.stringMatching(reason) });
  });

  it('refuses a reservation with no shipping method chosen', () => {
    expect(planExpress(payment(), snapshot('authorized', undefined, 49_900), 'authorized', FACTS)).toEqual({
      mismatch: 'reserved without a shipping method',
    });
    expect(planExpress(payment(), snapshot('authorized', { shopper: ADA }, 49_900), 'authorized', FACTS)).toEqual({
      mismatch: 'reserved without a shipping method',
    });
  });

  it('lets the shopper change the method until the reservation, and fixes it from then on', () => {
    const chosen = payment({ shipping: { id: 'posten', name: 'Posten Servicepakke', amount: 9_900 }, amount: 59_800 });
    const changed = planExpress(
      chosen,
      snapshot('pending', { shipping: { methodId: 'pickup', amount: 0 } }),
      'pending',
      FACTS,
    );
    expect(changed).toEqual({
      patch: { shipping: { id: 'pickup', name: 'Pick up in the shop', amount: 0 }, amount: 49_900 },
    });

    const reserved = { ...chosen, status: 'authorized' as const, authorizedAmount: 59_800 };
    for (const later of ['authorized', 'completed'] as const) {
      expect(
        planExpress(reserved, snapshot(later, { shipping: { methodId: 'pickup', amount: 0 } }, 59_800), later, FACTS),
      ).toEqual({ patch: {} });
    }
  });

  it('fills in the shopper after the reservation only when none is stored, and never after an erasure', () => {
    const reserved = payment({
      status: 'authorized',
      shipping: { id: 'pickup', name: 'Pick up in the shop', amount: 0 },
    });
    expect(planExpress(reserved, snapshot('authorized', { shopper: ADA }), 'authorized', FACTS)).toEqual({
      patch: { shopper: ADA },
    });
    const other = { ...ADA, firstName: 'Grace' };
    expect(
      planExpress({ ...reserved, shopper: ADA }, snapshot('authorized', { shopper: other }), 'authorized', FACTS),
    ).toEqual({ patch: {} });
    const erased = payment({ shopperErasedAt: '2030-01-01T00:00:00.000Z' });
    expect(
      planExpress(erased, snapshot('pending', { shopper: ADA, providerUserId: 'user-1' }), 'pending', FACTS),
    ).toEqual({ patch: {} });
  });

  it('changes nothing on a payment that ended before a method was chosen', () => {
    expect(planExpress(payment(), snapshot('cancelled'), 'cancelled', FACTS)).toEqual({ patch: {} });
    expect(planExpress(payment({ status: 'failed' }), snapshot('authorized', undefined, 1), 'failed', FACTS)).toEqual({
      patch: {},
    });
  });

  it('keys a provider user by adapter: the same user id at another provider is another key', () => {
    expect(providerUserKey('wallet', 'user-1')).toMatch(/^[0-9a-f]{64}$/);
    expect(providerUserKey('wallet', 'user-1')).not.toBe(providerUserKey('other', 'user-1'));
    expect(providerUserKey('wallet', 'user-1')).not.toContain('user-1');
  });
});
