/**
 * The part of the Store contract that several server instances on one database rely on: outbox
 * leases (claimDueOutbox), the provider-call claim (tryClaimProviderCall), the reconciler's check
 * claim (claimCheck), locks (withLock), and concurrent callers of the same write getting one winner. Run by runStoreContract for every store; on PostgreSQL the
 * concurrent calls really overlap (the pool has several connections), postgres-store.test.ts
 * repeats them across separate stores (separate pools, as separate instances have).
 */
import { describe, expect, it } from 'vitest';
import type { OutboxRecord, PaymentRecord, Store } from '../../src/store/store.js';
import { eventRecord, outboxRecord, paymentRecord, sessionRecord } from './contract.js';

const T0 = '2030-01-01T00:00:10.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

export function runInstancesContract(current: () => Store): void {
  /** A stored payment whose outbox holds `rows` (their nextAttemptAt as given). */
  async function paymentWithOutbox(rows: Partial<OutboxRecord>[]): Promise<{ p: PaymentRecord; rows: OutboxRecord[] }> {
    const store = current();
    const s = sessionRecord();
    await store.insertSession(s);
    const p = paymentRecord(s);
    await store.insertPayment(p, eventRecord(p));
    const made = rows.map((r) => outboxRecord(p, r));
    const changed = await store.updatePayment({
      paymentId: p.id,
      expectedVersion: 1,
      patch: { status: 'pending' },
      updatedAt: 't',
      events: [],
      outbox: made,
    });
    expect(changed.ok).toBe(true);
    return { p, rows: made };
  }

  describe('shared by several instances', () => {
    it('leases each payment’s first due outbox row to one worker at a time, oldest due first', async () => {
      const store = current();
      const a = await paymentWithOutbox([{ nextAttemptAt: at(-2000) }, { nextAttemptAt: at(-1000) }]);
      const b = await paymentWithOutbox([{ nextAttemptAt: at(-3000) }, { nextAttemptAt: at(60_000) }]);
      const [a1, a2] = a.rows;
      const [b1] = b.rows;

      // One row per payment, oldest due first; b's second row is not due.
      const first = await store.claimDueOutbox(T0, 10, 30_000, 'worker-1');
      expect(first.map((o) => o.id)).toEqual([b1!.id, a1!.id]);
      expect(first[0]).toEqual(b1);
      // While they are leased nobody gets them, nor a later row of their payment.
      expect(await store.claimDueOutbox(at(1000), 10, 30_000, 'worker-2')).toEqual([]);
      expect(await store.claimDueOutbox(at(1000), 10, 30_000, 'worker-1')).toEqual([]);

      // Delivered: the payment's next row is claimable, by anyone.
      await store.markOutboxDelivered(a1!.id, at(2000));
      expect((await store.claimDueOutbox(at(2000), 10, 30_000, 'worker-2')).map((o) => o.id)).toEqual([a2!.id]);
      // A failed delivery ends the lease too; the row comes back when its retry is due.
      await store.markOutboxRetry(b1!.id, 1, at(10_000), 'HTTP 500');
      expect(await store.claimDueOutbox(at(3000), 10, 30_000, 'worker-2')).toEqual([]);
      expect((await store.claimDueOutbox(at(10_000), 10, 30_000, 'worker-1')).map((o) => o.id)).toEqual([b1!.id]);
      expect((await store.listOutbox(b.p.id)).find((o) => o.id === b1!.id)).toMatchObject({
        attempts: 1,
        lastError: 'HTTP 500',
        deliveredAt: null,
      });
      // listDueOutbox is unchanged by leases (the single-process worker reads it).
      expect((await store.listDueOutbox(at(10_000), 10)).map((o) => o.id)).toEqual([a2!.id, b1!.id]);
    });

    it('gives a dead worker’s leased row to another worker once the lease expired', async () => {
      const store = current();
      const { rows } = await paymentWithOutbox([{ nextAttemptAt: at(-1000) }, { nextAttemptAt: at(-500) }]);
      expect((await store.claimDueOutbox(T0, 10, 30_000, 'crashed')).map((o) => o.id)).toEqual([rows[0]!.id]);
      // The worker never reports back.
      expect(await store.claimDueOutbox(at(29_999), 10, 30_000, 'survivor')).toEqual([]);
      expect((await store.claimDueOutbox(at(30_000), 10, 30_000, 'survivor')).map((o) => o.id)).toEqual([rows[0]!.id]);
      await store.markOutboxDelivered(rows[0]!.id, at(30_500));
      expect((await store.claimDueOutbox(at(30_500), 10, 30_000, 'survivor')).map((o) => o.id)).toEqual([rows[1]!.id]);
    });

    it('claims at most `limit` payments’ rows per call, and the rest on the next call', async () => {
      const store = current();
      const made = [];
      for (let i = 0; i < 5; i++) made.push((await paymentWithOutbox([{ nextAttemptAt: at(-5000 + i) }])).rows[0]!);
      const first = await store.claimDueOutbox(T0, 3, 30_000, 'w');
      const second = await store.claimDueOutbox(T0, 3, 30_000, 'w');
      expect(first.map((o) => o.id)).toEqual(made.slice(0, 3).map((o) => o.id));
      expect(second.map((o) => o.id)).toEqual(made.slice(3).map((o) => o.id));
    });

    it('never hands one outbox row to two concurrent claims', async () => {
      const store = current();
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push((await paymentWithOutbox([{ nextAttemptAt: at(-i) }])).rows[0]!.id);
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, w) => store.claimDueOutbox(T0, 4, 30_000, `worker-${w}`)),
      );
      const claimed = claims.flat().map((o) => o.id);
      expect(new Set(claimed).size).toBe(claimed.length);
      expect([...claimed].sort()).toEqual([...ids].sort());
    });

    it('lets one caller per interval claim a payment’s provider call, without a version bump', async () => {
      const store = current();
      const s = sessionRecord();
      await store.insertSession(s);
      const p = paymentRecord(s);
      const stored = (await store.insertPayment(p, eventRecord(p))).payment;

      expect(await store.tryClaimProviderCall(p.id, 2000, T0)).toEqual({ claimed: true, nextCallAt: at(2000) });
      expect(await store.tryClaimProviderCall(p.id, 2000, at(1999))).toEqual({ claimed: false, nextCallAt: at(2000) });
      expect(await store.tryClaimProviderCall(p.id, 5000, at(2000))).toEqual({ claimed: true, nextCallAt: at(7000) });
      expect(await store.tryClaimProviderCall(p.id, 5000, at(6000))).toEqual({ claimed: false, nextCallAt: at(7000) });
      expect(await store.tryClaimProviderCall('pay_missing_0000000000', 2000, T0)).toEqual({
        claimed: false,
        nextCallAt: null,
      });
      expect(await store.getPayment(p.id)).toEqual(stored);

      const racing = await Promise.all(
        Array.from({ length: 20 }, () => store.tryClaimProviderCall(p.id, 2000, at(7000))),
      );
      expect(racing.filter((r) => r.claimed)).toHaveLength(1);
      expect(racing.every((r) => r.nextCallAt === at(9000))).toBe(true);
    });

    it('lets one reconciler per gap claim a payment’s check, without a version bump', async () => {
      const store = current();
      const s = sessionRecord();
      await store.insertSession(s);
      const p = paymentRecord(s);
      const stored = (await store.insertPayment(p, eventRecord(p))).payment;

      // Never checked: the first claim wins and stamps the time.
      expect(await store.claimCheck(p.id, at(0), at(0))).toBe(true);
      expect((await store.getPayment(p.id))!).toEqual({ ...stored, lastCheckedAt: at(0) });
      // Checked at 0: a claim for "not checked since 0" loses, one for "not since 1 ms later" wins.
      expect(await store.claimCheck(p.id, at(0), at(5000))).toBe(false);
      expect(await store.claimCheck(p.id, at(1), at(5000))).toBe(true);
      expect((await store.getPayment(p.id))!.lastCheckedAt).toBe(at(5000));
      expect(await store.claimCheck('pay_missing_0000000000', at(0), at(0))).toBe(false);

      const racing = await Promise.all(
        Array.from({ length: 20 }, () => store.claimCheck(p.id, at(30_000), at(30_000))),
      );
      expect(racing.filter(Boolean)).toHaveLength(1);
      expect((await store.getPayment(p.id))!.version).toBe(stored.version);
    });

    it('runs the holders of one lock one at a time, other locks alongside, and releases it whatever the work does', async () => {
      const store = current();
      const trace: string[] = [];
      let inside = 0;
      let most = 0;
      const hold = (key: string, label: string, ms: number) =>
        store.withLock(key, async () => {
          inside++;
          most = Math.max(most, inside);
          trace.push(`${label}+`);
          await new Promise((r) => setTimeout(r, ms));
          trace.push(`${label}-`);
          inside--;
          return label;
        });
      // Five holders of one key never overlap.
      const same = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((l) => hold('lock:one', l, 15)));
      expect(same).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(most).toBe(1);
      for (let i = 0; i < trace.length; i += 2) expect(trace[i + 1]).toBe(trace[i]!.replace('+', '-'));

      // Different keys do not wait for each other.
      trace.length = 0;
      most = 0;
      await Promise.all([hold('lock:x', 'x', 60), hold('lock:y', 'y', 60)]);
      expect(most).toBe(2);

      // A failing holder lets go; its error reaches the caller unchanged.
      const boom = new Error('work failed');
      await expect(store.withLock('lock:one', async () => Promise.reject(boom))).rejects.toBe(boom);
      expect(await hold('lock:one', 'after', 1)).toBe('after');

      // Nested: the inner key is held too (another holder of it waits for the outer one to end).
      const order: string[] = [];
      const outer = store.withLock('lock:outer', () =>
        store.withLock('lock:inner', async () => {
          order.push('nested in');
          await new Promise((r) => setTimeout(r, 40));
          order.push('nested out');
        }),
      );
      await new Promise((r) => setTimeout(r, 10));
      const other = store.withLock('lock:inner', async () => {
        order.push('other');
      });
      await Promise.all([outer, other]);
      expect(order).toEqual(['nested in', 'nested out', 'other']);
    });

    it('gives concurrent inserts of one attempt one payment, and concurrent changes of one version one winner', async () => {
      const store = current();
      const s = sessionRecord();
      await store.insertSession(s);
      const tries = Array.from({ length: 10 }, () => paymentRecord(s, { attemptId: 'attempt-same' }));
      const inserted = await Promise.all(tries.map((p) => store.insertPayment(p, eventRecord(p))));
      expect(inserted.filter((r) => r.created)).toHaveLength(1);
      const winner = inserted.find((r) => r.created)!.payment;
      expect(inserted.every((r) => r.payment.id === winner.id)).toBe(true);
      expect(await store.stats()).toMatchObject({ payments: 1, paymentEvents: 1 });

      const changes = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.updatePayment({
            paymentId: winner.id,
            expectedVersion: 1,
            patch: { status: 'pending', providerStatus: `try-${i}` },
            updatedAt: 't',
            events: [eventRecord(winner, { type: 'status' })],
            outbox: [outboxRecord(winner)],
          }),
        ),
      );
      expect(changes.filter((c) => c.ok)).toHaveLength(1);
      expect(changes.filter((c) => !c.ok).every((c) => !c.ok && c.reason === 'version_conflict')).toBe(true);
      expect(await store.stats()).toMatchObject({ paymentEvents: 2, outbox: 1 });
      expect((await store.getPayment(winner.id))!.version).toBe(2);
    });

    it('gives concurrent session inserts with one idempotency key one session', async () => {
      const store = current();
      const key = { key: 'session:race', fingerprint: 'f', statusCode: 201, responseBody: '{}', createdAt: 't' };
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.insertSession(sessionRecord(), { ...key, responseBody: `{"n":${i}}` }),
        ),
      );
      const inserted = results.filter((r) => r === null);
      expect(inserted).toHaveLength(1);
      const stored = await store.getIdempotency(key.key);
      expect(results.filter((r) => r !== null).every((r) => r!.responseBody === stored!.responseBody)).toBe(true);
      expect((await store.stats()).sessions).toBe(1);
    });

    it('lets one of two concurrent replacements mark a payment superseded', async () => {
      const store = current();
      const s = sessionRecord();
      await store.insertSession(s);
      const old = paymentRecord(s);
      await store.insertPayment(old, eventRecord(old));
      const marks = await Promise.all(
        ['pay_replacement_a', 'pay_replacement_b'].map((by) =>
          store.markSuperseded([old.id], by, 't', (p) =>
            eventRecord(p, { type: 'superseded', source: 'system', data: { supersededBy: by } }),
          ),
        ),
      );
      expect(marks.map((m) => m.length).sort()).toEqual([0, 1]);
      const winner = marks.flat()[0]!.supersededBy;
      expect((await store.getPayment(old.id))!).toMatchObject({ supersededBy: winner, version: 2 });
      expect((await store.listPaymentEvents(old.id)).map((e) => e.type)).toEqual(['created', 'superseded']);
    });
  });
}
