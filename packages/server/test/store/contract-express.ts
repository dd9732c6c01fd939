/**
 * The express checkout part of the Store contract: an express session's settings and a payment's
 * shopper details and shipping choice are kept as written, and a consent removal erases one
 * provider user's details from all their payments (and from their earlier notifications) in one
 * step, or not at all; so does a retention period for final payments kept longer than it. Run by runStoreContract for every store.
 */
import { describe, expect, it } from 'vitest';
import type { Shopper } from '@pay-with-bank/protocol';
import type { KeptShopperErasure, PaymentRecord, ShopperErasure, Store } from '../../src/store/store.js';
import { eventRecord, outboxRecord, paymentRecord, sessionRecord } from './contract.js';

const SHOPPER: Shopper = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  phoneNumber: '+4791234567',
  address: { line1: 'Robert Levins gate 5', line2: null, postCode: '0154', city: 'Oslo', country: 'NO' },
};
const AT = '2030-01-01T00:05:00.000Z';

export function runExpressContract(current: () => Store): void {
  async function expressPayment(overrides: Partial<PaymentRecord> = {}) {
    const store = current();
    const s = sessionRecord({
      currency: 'NOK',
      methods: ['vipps'],
      express: {
        shipping: 'static',
        options: [{ id: 'posten', name: 'Posten Servicepakke', amount: 9900, default: true }],
        url: null,
        confirmAddress: true,
      },
    });
    await store.insertSession(s);
    const p = paymentRecord(s, { adapterId: 'wallet', method: 'vipps', ...overrides });
    await store.insertPayment(p, eventRecord(p));
    return { s, p };
  }

  function erasure(overrides: Partial<ShopperErasure> = {}): ShopperErasure {
    return {
      adapterId: 'wallet',
      providerUserKey: 'user-key-1',
      at: AT,
      change: (payment) => ({
        events: [eventRecord(payment, { type: 'shopper_erased', source: 'callback', data: null })],
        outbox: [outboxRecord(payment, { type: 'payment.shopper_erased', payload: '{"erased":true}' })],
      }),
      scrubOutbox: (payload) => payload.replace('Ada', '(erased)'),
      ...overrides,
    };
  }

  function keptErasure(overrides: Partial<KeptShopperErasure> = {}): KeptShopperErasure {
    const { adapterId: _a, providerUserKey: _k, paymentId: _p, ...rest } = erasure();
    return {
      ...rest,
      finalBefore: '2030-01-01T00:00:00.000Z',
      statuses: ['completed', 'cancelled'],
      limit: 10,
      ...overrides,
    };
  }

  describe('express checkout', () => {
    it('keeps an express session’s settings, and null for an ordinary one (also one built without the field)', async () => {
      const store = current();
      const { s } = await expressPayment();
      expect(await store.getSession(s.id)).toEqual(s);
      const { express: _, ...older } = sessionRecord();
      await store.insertSession(older);
      expect((await store.getSession(older.id))!.express).toBeNull();
    });

    it('stores shopper, shipping, total and user key through a payment change, and null for a payment built without them', async () => {
      const store = current();
      const { p } = await expressPayment();
      const changed = await store.updatePayment({
        paymentId: p.id,
        expectedVersion: 1,
        patch: {
          shopper: SHOPPER,
          shipping: { id: 'posten', name: 'Posten Servicepakke', amount: 9900 },
          amount: p.amount + 9900,
          providerUserKey: 'user-key-1',
        },
        updatedAt: AT,
        events: [],
        outbox: [],
      });
      expect(changed.ok).toBe(true);
      expect(await store.getPayment(p.id)).toMatchObject({
        shopper: SHOPPER,
        shipping: { id: 'posten', name: 'Posten Servicepakke', amount: 9900 },
        amount: p.amount + 9900,
        providerUserKey: 'user-key-1',
        shopperErasedAt: null,
        version: 2,
      });
      const { s } = await expressPayment();
      const { shopper: _a, shipping: _b, providerUserKey: _c, shopperErasedAt: _d, ...older } = paymentRecord(s);
      await store.insertPayment(older, eventRecord(older));
      expect(await store.getPayment(older.id)).toMatchObject({
        shopper: null,
        shipping: null,
        providerUserKey: null,
        shopperErasedAt: null,
      });
    });

    it('erases one user’s details from all their payments at once, with each one’s events and notifications, and scrubs their earlier notifications', async () => {
      const store = current();
      const mine = await expressPayment({ shopper: SHOPPER, providerUserKey: 'user-key-1' });
      const mineToo = await expressPayment({ shopper: SHOPPER, providerUserKey: 'user-key-1' });
      const someoneElse = await expressPayment({ shopper: SHOPPER, providerUserKey: 'user-key-2' });
      const otherAdapter = await expressPayment({ shopper: SHOPPER, providerUserKey: 'user-key-1', adapterId: 'x' });
      const before = await store.updatePayment({
        paymentId: mine.p.id,
        expectedVersion: 1,
        patch: { status: 'authorized' },
        updatedAt: AT,
        events: [],
        outbox: [outboxRecord(mine.p, { type: 'payment.authorized', payload: '{"firstName":"Ada"}' })],
      });
      expect(before.ok).toBe(true);

      const erased = await store.eraseShopper(erasure());
      expect(erased.map((p) => p.id).sort()).toEqual([mine.p.id, mineToo.p.id].sort());
      for (const p of erased) {
        expect(p).toMatchObject({ shopper: null, providerUserKey: null, shopperErasedAt: AT, updatedAt: AT });
        expect(await store.getPayment(p.id)).toEqual(p);
        expect((await store.listPaymentEvents(p.id)).map((e) => e.type)).toContain('shopper_erased');
        expect((await store.listOutbox(p.id)).map((o) => o.type)).toContain('payment.shopper_erased');
      }
      expect((await store.getPayment(mine.p.id))!.version).toBe(3);
      expect((await store.listOutbox(mine.p.id)).map((o) => o.payload)).toEqual([
        '{"firstName":"(erased)"}',
        '{"erased":true}',
      ]);
      // Another user's, and the same user id at another provider, are untouched.
      expect((await store.getPayment(someoneElse.p.id))!.shopper).toEqual(SHOPPER);
      expect((await store.getPayment(otherAdapter.p.id))!.shopper).toEqual(SHOPPER);
      // Done twice, the second finds nobody left.
      expect(await store.eraseShopper(erasure())).toEqual([]);
    });

    it('also erases the named payment whose user is not known yet, but only once', async () => {
      const store = current();
      const { p } = await expressPayment();
      const first = await store.eraseShopper(erasure({ providerUserKey: 'unknown-user', paymentId: p.id }));
      expect(first.map((x) => x.id)).toEqual([p.id]);
      expect((await store.getPayment(p.id))!.shopperErasedAt).toBe(AT);
      expect(await store.eraseShopper(erasure({ providerUserKey: 'unknown-user', paymentId: p.id }))).toEqual([]);
    });

    it('retention: erases final payments last changed before the cutoff, oldest first and at most the limit; open, recent and erased ones stay', async () => {
      const store = current();
      const kept = (status: PaymentRecord['status'], updatedAt: string, shopper: Shopper | null = SHOPPER) =>
        expressPayment({ shopper, providerUserKey: shopper ? 'user-key-1' : null, status, updatedAt });
      const oldest = await kept('completed', '2029-11-01T00:00:00.000Z');
      const older = await kept('cancelled', '2029-12-01T00:00:00.000Z');
      const old = await kept('completed', '2029-12-15T00:00:00.000Z');
      const open = await kept('authorized', '2029-10-01T00:00:00.000Z');
      const notListed = await kept('failed', '2029-10-01T00:00:00.000Z');
      const recent = await kept('completed', '2030-01-01T00:00:00.000Z');
      const none = await kept('completed', '2029-10-01T00:00:00.000Z', null);
      await store.updatePayment({
        paymentId: oldest.p.id,
        expectedVersion: 1,
        patch: {},
        updatedAt: '2029-11-01T00:00:00.000Z',
        events: [],
        outbox: [outboxRecord(oldest.p, { type: 'payment.completed', payload: '{"firstName":"Ada"}' })],
      });

      const first = await store.eraseKeptShoppers(keptErasure({ limit: 2 }));
      expect(first.map((p) => p.id)).toEqual([oldest.p.id, older.p.id]);
      for (const p of first) {
        expect(p).toMatchObject({ shopper: null, providerUserKey: null, shopperErasedAt: AT, updatedAt: AT });
        expect(await store.getPayment(p.id)).toEqual(p);
        expect((await store.listPaymentEvents(p.id)).map((e) => e.type)).toContain('shopper_erased');
        expect((await store.listOutbox(p.id)).map((o) => o.type)).toContain('payment.shopper_erased');
      }
      expect((await store.listOutbox(oldest.p.id)).map((o) => o.payload)).toEqual([
        '{"firstName":"(erased)"}',
        '{"erased":true}',
      ]);
      expect((await store.eraseKeptShoppers(keptErasure({ limit: 2 }))).map((p) => p.id)).toEqual([old.p.id]);
      expect(await store.eraseKeptShoppers(keptErasure())).toEqual([]);
      for (const untouched of [open, notListed, recent]) {
        expect(await store.getPayment(untouched.p.id)).toMatchObject({ shopper: SHOPPER, shopperErasedAt: null });
      }
      expect(await store.getPayment(none.p.id)).toMatchObject({ shopper: null, shopperErasedAt: null, version: 1 });
    });

    it('retention: concurrent runs (other instances) erase each payment once', async () => {
      const store = current();
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const { p } = await expressPayment({
          shopper: SHOPPER,
          providerUserKey: `user-key-${i}`,
          status: 'completed',
          updatedAt: `2029-12-0${i + 1}T00:00:00.000Z`,
        });
        ids.push(p.id);
      }
      const runs = await Promise.all([1, 2, 3].map(() => store.eraseKeptShoppers(keptErasure({ limit: 4 }))));
      const rest = await store.eraseKeptShoppers(keptErasure());
      const erased = [...runs.flat(), ...rest].map((p) => p.id);
      expect(erased.sort()).toEqual([...ids].sort());
      for (const id of ids) {
        expect((await store.listPaymentEvents(id)).filter((e) => e.type === 'shopper_erased')).toHaveLength(1);
        expect((await store.listOutbox(id)).filter((o) => o.type === 'payment.shopper_erased')).toHaveLength(1);
      }
    });

    it('with no user key, erases only the named payment, never the payments of users without a key', async () => {
      const store = current();
      const named = await expressPayment({ shopper: SHOPPER, providerUserKey: null });
      const other = await expressPayment({ shopper: SHOPPER, providerUserKey: null });
      const erased = await store.eraseShopper(erasure({ providerUserKey: null, paymentId: named.p.id }));
      expect(erased.map((p) => p.id)).toEqual([named.p.id]);
      expect(await store.getPayment(other.p.id)).toMatchObject({ shopper: SHOPPER, shopperErasedAt: null });
    });

    it('writes nothing when building the change fails', async () => {
      const store = current();
      const { p } = await expressPayment({ shopper: SHOPPER, providerUserKey: 'user-key-1' });
      await expect(
        store.eraseShopper(
          erasure({
            change: () => {
              throw new Error('boom');
            },
          }),
        ),
      ).rejects.toThrow('boom');
      expect(await store.getPayment(p.id)).toMatchObject({
        shopper: SHOPPER,
        providerUserKey: 'user-key-1',
        version: 1,
      });
      expect((await store.listPaymentEvents(p.id)).map((e) => e.type)).toEqual(['created']);
    });
  });
}
