/**
 * The Store contract: one suite, run against every implementation (memory, SQLite and PostgreSQL),
 * so all behave the same for everything the core relies on. What several instances on one database
 * rely on (leases, claims, concurrent writers) is in contract-instances.ts, run from here.
 */
import { beforeEach, afterEach, describe, expect, it } from 'vitest';
import type { OutboxRecord, PaymentEventRecord, PaymentRecord, SessionRecord, Store } from '../../src/store/store.js';
import { runExpressContract } from './contract-express.js';
import { runInstancesContract } from './contract-instances.js';

let seq = 0;
const id = (prefix: string) => `${prefix}_${String(++seq).padStart(6, '0')}abcdefghijklmnop`;

export function sessionRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: id('cs'),
    clientTokenHash: `hash-${++seq}`,
    amount: 12500,
    currency: 'DKK',
    reference: 'ORDER-1',
    description: 'Two mugs',
    returnUrl: 'https://shop.example/checkout/return',
    methods: ['bank'],
    countries: ['DK'],
    locale: 'en',
    metadata: { cart: '42' },
    state: 'open',
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    expiresAt: '2030-01-01T01:00:00.000Z',
    express: null,
    ...overrides,
  };
}

export function paymentRecord(session: SessionRecord, overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    id: id('pay'),
    sessionId: session.id,
    attemptId: `attempt-${++seq}`,
    method: 'bank',
    adapterId: 'fake',
    providerPaymentId: null,
    status: 'created',
    providerStatus: null,
    bankId: null,
    reference: session.reference,
    amount: session.amount,
    currency: session.currency,
    authorizedAmount: 0,
    capturedAmount: 0,
    refundedAmount: 0,
    cancelledAmount: 0,
    failure: null,
    redirectUrl: null,
    expiresAt: null,
    createdAt: '2030-01-01T00:00:01.000Z',
    updatedAt: '2030-01-01T00:00:01.000Z',
    lastCheckedAt: null,
    version: 1,
    supersededBy: null,
    shopper: null,
    shipping: null,
    providerUserKey: null,
    shopperErasedAt: null,
    ...overrides,
  };
}

export function eventRecord(payment: PaymentRecord, overrides: Partial<PaymentEventRecord> = {}): PaymentEventRecord {
  return {
    id: id('evt'),
    paymentId: payment.id,
    type: 'created',
    status: payment.status,
    providerStatus: payment.providerStatus,
    source: 'create',
    dedupeKey: null,
    data: { n: 1 },
    createdAt: payment.createdAt,
    ...overrides,
  };
}

export function outboxRecord(payment: PaymentRecord, overrides: Partial<OutboxRecord> = {}): OutboxRecord {
  return {
    id: id('evt'),
    paymentId: payment.id,
    type: 'payment.pending',
    payload: '{"x":1}',
    attempts: 0,
    nextAttemptAt: '2030-01-01T00:00:02.000Z',
    deliveredAt: null,
    lastError: null,
    createdAt: '2030-01-01T00:00:02.000Z',
    ...overrides,
  };
}

export function runStoreContract(name: string, open: () => Store | Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      // When open() failed (PostgreSQL not installed, say) its own error is the one to see.
      await store?.close();
    });

    /** A stored session with one stored payment (and its first event). */
    async function sessionWithPayment(overrides: Partial<PaymentRecord> = {}) {
      const s = sessionRecord();
      await store.insertSession(s);
      const p = paymentRecord(s, overrides);
      await store.insertPayment(p, eventRecord(p));
      return { s, p };
    }

    it('stores and reads sessions, by id and by token hash, as copies', async () => {
      const s = sessionRecord();
      await store.insertSession(s);
      expect(await store.getSession(s.id)).toEqual(s);
      expect(await store.findSessionByTokenHash(s.clientTokenHash)).toEqual(s);
      expect(await store.findSessionByTokenHash('nope')).toBeNull();
      expect(await store.getSession('cs_missing')).toBeNull();
      const read = (await store.getSession(s.id))!;
      read.metadata.cart = 'changed';
      expect((await store.getSession(s.id))!.metadata.cart).toBe('42');
    });

    it('refuses a second session with the same id or token hash', async () => {
      const s = sessionRecord();
      await store.insertSession(s);
      await expect(store.insertSession({ ...s, clientTokenHash: 'other' })).rejects.toThrow();
      await expect(store.insertSession(sessionRecord({ clientTokenHash: s.clientTokenHash }))).rejects.toThrow();
    });

    it('inserts one payment per (session, attempt) and returns the existing one for a repeat', async () => {
      const s = sessionRecord();
      await store.insertSession(s);
      const p = paymentRecord(s, { attemptId: 'attempt-A' });
      const first = await store.insertPayment(p, eventRecord(p));
      expect(first).toEqual({ created: true, payment: p });
      const again = paymentRecord(s, { attemptId: 'attempt-A' });
      const second = await store.insertPayment(again, eventRecord(again));
      expect(second.created).toBe(false);
      expect(second.payment.id).toBe(p.id);
      expect(await store.getPayment(again.id)).toBeNull();
      expect((await store.stats()).payments).toBe(1);
      // The same attempt id in another session is another payment.
      const other = sessionRecord();
      await store.insertSession(other);
      const q = paymentRecord(other, { attemptId: 'attempt-A' });
      expect((await store.insertPayment(q, eventRecord(q))).created).toBe(true);
    });

    it('refuses a payment for an unknown session', async () => {
      const p = paymentRecord(sessionRecord());
      await expect(store.insertPayment(p, eventRecord(p))).rejects.toThrow();
    });

    it('finds payments by attempt and by provider id', async () => {
      const s = sessionRecord();
      await store.insertSession(s);
      const p = paymentRecord(s, { providerPaymentId: 'prov-1', adapterId: 'fake' });
      await store.insertPayment(p, eventRecord(p));
      expect((await store.findPaymentByAttempt(s.id, p.attemptId))!.id).toBe(p.id);
      expect((await store.findPaymentByProviderId('fake', 'prov-1'))!.id).toBe(p.id);
      expect(await store.findPaymentByProviderId('other', 'prov-1')).toBeNull();
    });

    it('updates with compare-and-set on the version, atomically with events, outbox and session state', async () => {
      const { s, p } = await sessionWithPayment();
      const result = await store.updatePayment({
        paymentId: p.id,
        expectedVersion: 1,
        patch: {
          status: 'completed',
          providerStatus: 'Succeeded',
          capturedAmount: 12500,
          failure: null,
          bankId: 'DK_Bank',
          redirectUrl: 'https://provider.example/x',
        },
        updatedAt: '2030-01-01T00:01:00.000Z',
        events: [eventRecord(p, { type: 'status', status: 'completed' })],
        outbox: [outboxRecord(p, { type: 'payment.completed' })],
        sessionState: 'paid',
      });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.payment).toMatchObject({
        status: 'completed',
        providerStatus: 'Succeeded',
        capturedAmount: 12500,
        bankId: 'DK_Bank',
        version: 2,
        updatedAt: '2030-01-01T00:01:00.000Z',
      });
      expect((await store.getSession(s.id))!.state).toBe('paid');
      expect((await store.listPaymentEvents(p.id)).map((e) => e.type)).toEqual(['created', 'status']);
      expect((await store.listOutbox(p.id)).map((o) => o.type)).toEqual(['payment.completed']);

      // A stale version changes nothing at all.
      const stale = await store.updatePayment({
        paymentId: p.id,
        expectedVersion: 1,
        patch: { status: 'failed' },
        updatedAt: '2030-01-01T00:02:00.000Z',
        events: [eventRecord(p, { type: 'status' })],
        outbox: [outboxRecord(p)],
      });
      expect(stale).toEqual({ ok: false, reason: 'version_conflict' });
      expect((await store.getPayment(p.id))!.status).toBe('completed');
      expect(await store.stats()).toMatchObject({ paymentEvents: 2, outbox: 1 });

      expect(
        await store.updatePayment({
          paymentId: 'pay_missing_0000000000',
          expectedVersion: 1,
          patch: {},
          updatedAt: 'x',
          events: [],
          outbox: [],
        }),
      ).toEqual({ ok: false, reason: 'not_found' });
    });

    it('stores a payment built without supersededBy as not superseded', async () => {
      const s = sessionRecord();
      await store.insertSession(s);
      const { supersededBy: _, ...older } = paymentRecord(s);
      const inserted = await store.insertPayment(older, eventRecord(older));
      expect(inserted.payment.supersededBy).toBeNull();
      expect((await store.getPayment(older.id))!.supersededBy).toBeNull();
      expect((await store.listSessionPayments(s.id))[0]!.supersededBy).toBeNull();
    });

    it('sets and clears supersededBy through a payment change', async () => {
      const { p } = await sessionWithPayment();
      const set = await store.updatePayment({
        paymentId: p.id,
        expectedVersion: 1,
        patch: { supersededBy: 'pay_replacement' },
        updatedAt: 't1',
        events: [eventRecord(p, { type: 'superseded', source: 'system', data: { supersededBy: 'pay_replacement' } })],
        outbox: [],
      });
      expect(set.ok && set.payment).toMatchObject({ supersededBy: 'pay_replacement', version: 2 });
      expect((await store.getPayment(p.id))!.supersededBy).toBe('pay_replacement');
      const cleared = await store.updatePayment({
        paymentId: p.id,
        expectedVersion: 2,
        patch: { supersededBy: null },
        updatedAt: 't2',
        events: [],
        outbox: [],
      });
      expect(cleared.ok && cleared.payment.supersededBy).toBeNull();
    });

    it('marks several payments superseded with their events in one step, each once', async () => {
      const s = sessionRecord();
      await store.insertSession(s);
      const a = paymentRecord(s, { status: 'pending', providerStatus: 'PDNG' });
      const b = paymentRecord(s);
      const earlier = paymentRecord(s);
      const replacement = paymentRecord(s);
      for (const p of [a, b, earlier, replacement]) await store.insertPayment(p, eventRecord(p));
      await store.markSuperseded([earlier.id], 'pay_first_replacement', 't0', (p) =>
        eventRecord(p, { type: 'superseded', source: 'system', data: { supersededBy: 'pay_first_replacement' } }),
      );

      const seen: PaymentRecord[] = [];
      const marked = await store.markSuperseded(
        [a.id, 'pay_missing_0000000000', earlier.id, b.id],
        replacement.id,
        '2030-01-01T00:05:00.000Z',
        (p) => {
          seen.push(p);
          return eventRecord(p, { type: 'superseded', source: 'system', data: { supersededBy: replacement.id } });
        },
      );
      // The factory sees each payment as it is stored now; unknown and already superseded ones are skipped.
      expect(marked.map((p) => p.id)).toEqual([a.id, b.id]);
      expect(seen).toEqual(marked);
      expect(marked[0]).toEqual({
        ...a,
        supersededBy: replacement.id,
        updatedAt: '2030-01-01T00:05:00.000Z',
        version: 2,
      });
      expect(await store.getPayment(b.id)).toEqual(marked[1]);
      expect((await store.getPayment(earlier.id))!.supersededBy).toBe('pay_first_replacement');
      expect((await store.getPayment(replacement.id))!.supersededBy).toBeNull();
      const events = await store.listPaymentEvents(a.id);
      expect(events.map((e) => e.type)).toEqual(['created', 'superseded']);
      expect(events[1]).toMatchObject({
        status: 'pending',
        providerStatus: 'PDNG',
        data: { supersededBy: replacement.id },
      });
      expect((await store.listPaymentEvents(earlier.id)).map((e) => e.type)).toEqual(['created', 'superseded']);

      // The version moved: a change planned on the row as it was is refused.
      const stale = await store.updatePayment({
        paymentId: a.id,
        expectedVersion: 1,
        patch: { status: 'failed' },
        updatedAt: 't',
        events: [],
        outbox: [],
      });
      expect(stale).toEqual({ ok: false, reason: 'version_conflict' });
      expect(await store.markSuperseded([], replacement.id, 't', () => eventRecord(a))).toEqual([]);
    });

    it('marks nothing when building an event fails', async () => {
      const s = sessionRecord();
      await store.insertSession(s);
      const a = paymentRecord(s);
      const b = paymentRecord(s);
      for (const p of [a, b]) await store.insertPayment(p, eventRecord(p));
      let calls = 0;
      await expect(
        store.markSuperseded([a.id, b.id], 'pay_replacement', 't', (p) => {
          if (++calls === 2) throw new Error('boom');
          return eventRecord(p, { type: 'superseded' });
        }),
      ).rejects.toThrow('boom');
      expect(await store.getPayment(a.id)).toEqual(a);
      expect(await store.getPayment(b.id)).toEqual(b);
      expect(await store.stats()).toMatchObject({ paymentEvents: 2 });
    });

    it('stores failures as objects and clears them with null', async () => {
      const { p } = await sessionWithPayment();
      const failure = { code: 'rejected', message: 'No', providerCode: 'RJCT', providerMessage: null };
      const r = await store.updatePayment({
        paymentId: p.id,
        expectedVersion: 1,
        patch: { status: 'failed', failure },
        updatedAt: 't',
        events: [],
        outbox: [],
      });
      expect(r.ok && r.payment.failure).toEqual(failure);
    });

    it('rejects a change whose event dedupe key was already used, writing nothing', async () => {
      const { p } = await sessionWithPayment();
      const first = await store.updatePayment({
        paymentId: p.id,
        expectedVersion: 1,
        patch: { status: 'pending' },
        updatedAt: 't1',
        events: [eventRecord(p, { dedupeKey: 'cb-1', source: 'callback' })],
        outbox: [outboxRecord(p)],
      });
      expect(first.ok).toBe(true);
      const replay = await store.updatePayment({
        paymentId: p.id,
        expectedVersion: 2,
        patch: { status: 'authorized' },
        updatedAt: 't2',
        events: [eventRecord(p, { dedupeKey: 'cb-1', source: 'callback' })],
        outbox: [outboxRecord(p)],
      });
      expect(replay).toEqual({ ok: false, reason: 'duplicate_event' });
      const after = (await store.getPayment(p.id))!;
      expect(after.status).toBe('pending');
      expect(after.version).toBe(2);
      expect(await store.stats()).toMatchObject({ paymentEvents: 2, outbox: 1 });
    });

    it('appends standalone events, ignoring duplicate dedupe keys', async () => {
      const { p } = await sessionWithPayment();
      await store.appendPaymentEvents([eventRecord(p, { type: 'superseded', dedupeKey: 'k' })]);
      await store.appendPaymentEvents([eventRecord(p, { type: 'superseded', dedupeKey: 'k' })]);
      expect((await store.listPaymentEvents(p.id)).map((e) => e.type)).toEqual(['created', 'superseded']);
      expect((await store.listPaymentEvents(p.id))[0]!.data).toEqual({ n: 1 });
    });

    it('lists payments newest first with filters and keyset paging', async () => {
      const s1 = sessionRecord({ reference: 'REF-A' });
      const s2 = sessionRecord({ reference: 'REF-B' });
      await store.insertSession(s1);
      await store.insertSession(s2);
      const made: PaymentRecord[] = [];
      for (let i = 0; i < 5; i++) {
        const s = i % 2 === 0 ? s1 : s2;
        // Two share a timestamp: the id breaks the tie.
        const createdAt = `2030-01-01T00:00:0${i === 4 ? 3 : i}.000Z`;
        const p = paymentRecord(s, { createdAt, status: i === 1 ? 'completed' : 'pending' });
        await store.insertPayment(p, eventRecord(p));
        made.push(p);
      }
      const all = await store.listPayments({ limit: 10 });
      const expected = [...made].sort((a, b) =>
        a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
      );
      expect(all.map((p) => p.id)).toEqual(expected.map((p) => p.id));

      const page1 = await store.listPayments({ limit: 2 });
      const page2 = await store.listPayments({ limit: 2, after: { createdAt: page1[1]!.createdAt, id: page1[1]!.id } });
      const page3 = await store.listPayments({ limit: 2, after: { createdAt: page2[1]!.createdAt, id: page2[1]!.id } });
      expect([...page1, ...page2, ...page3].map((p) => p.id)).toEqual(expected.map((p) => p.id));

      expect((await store.listPayments({ limit: 10, reference: 'REF-B' })).every((p) => p.reference === 'REF-B')).toBe(
        true,
      );
      expect((await store.listPayments({ limit: 10, reference: 'REF-B' })).length).toBe(2);
      expect((await store.listPayments({ limit: 10, status: 'completed' })).map((p) => p.id)).toEqual([made[1]!.id]);
      const window = await store.listPayments({
        limit: 10,
        from: '2030-01-01T00:00:01.000Z',
        to: '2030-01-01T00:00:03.000Z',
      });
      expect(window.map((p) => p.createdAt).sort()).toEqual(['2030-01-01T00:00:01.000Z', '2030-01-01T00:00:02.000Z']);
    });

    it('lists a session’s payments newest first', async () => {
      const s = sessionRecord();
      await store.insertSession(s);
      const a = paymentRecord(s, { createdAt: '2030-01-01T00:00:01.000Z' });
      const b = paymentRecord(s, { createdAt: '2030-01-01T00:00:05.000Z' });
      await store.insertPayment(a, eventRecord(a));
      await store.insertPayment(b, eventRecord(b));
      expect((await store.listSessionPayments(s.id)).map((p) => p.id)).toEqual([b.id, a.id]);
    });

    it('lists the newest attempt first even when two share a millisecond', async () => {
      const s = sessionRecord();
      await store.insertSession(s);
      const at = '2030-01-01T00:00:01.000Z';
      // Ids sort opposite to creation order, so only insertion order can put the later attempt first.
      const first = paymentRecord(s, { id: 'pay_zzzzzzzzzzzzzzzzzzzzzz', attemptId: 'attempt-a', createdAt: at });
      const second = paymentRecord(s, { id: 'pay_aaaaaaaaaaaaaaaaaaaaaa', attemptId: 'attempt-b', createdAt: at });
      await store.insertPayment(first, eventRecord(first));
      await store.insertPayment(second, eventRecord(second));
      expect((await store.listSessionPayments(s.id)).map((p) => p.id)).toEqual([second.id, first.id]);
    });

    it('orders ids as JavaScript compares them (by code unit), whatever the database collation', async () => {
      const s = sessionRecord();
      await store.insertSession(s);
      const at = '2030-01-01T00:00:01.000Z';
      // By code unit 'B' < '_' < 'a'; a language-aware collation would put them a, B, _ (or so).
      const made = ['pay_aaaaaaaaaaaaaaaaaaaaaa', 'pay_Bbbbbbbbbbbbbbbbbbbbbb', 'pay__ccccccccccccccccccccc'].map(
        (id) => paymentRecord(s, { id, createdAt: at }),
      );
      for (const p of made) await store.insertPayment(p, eventRecord(p));
      const byCodeUnit = made.map((p) => p.id).sort((a, b) => (a < b ? 1 : -1));
      expect((await store.listPayments({ limit: 10 })).map((p) => p.id)).toEqual(byCodeUnit);
      const page = await store.listPayments({ limit: 10, after: { createdAt: at, id: byCodeUnit[0]! } });
      expect(page.map((p) => p.id)).toEqual(byCodeUnit.slice(1));
    });

    it('lists non-final payments due for reconciliation, never-checked first', async () => {
      const s = sessionRecord();
      await store.insertSession(s);
      const fresh = paymentRecord(s, { status: 'pending', lastCheckedAt: '2030-01-01T00:09:00.000Z' });
      const old = paymentRecord(s, { status: 'authorized', lastCheckedAt: '2030-01-01T00:01:00.000Z' });
      const never = paymentRecord(s, { status: 'created', lastCheckedAt: null });
      const done = paymentRecord(s, { status: 'completed', lastCheckedAt: null });
      for (const p of [fresh, old, never, done]) await store.insertPayment(p, eventRecord(p));
      const due = await store.listPaymentsToReconcile('2030-01-01T00:05:00.000Z', 10);
      expect(due.map((p) => p.id)).toEqual([never.id, old.id]);
      await store.markPaymentChecked(old.id, '2030-01-01T00:06:00.000Z');
      expect((await store.getPayment(old.id))!.version).toBe(1);
      expect((await store.listPaymentsToReconcile('2030-01-01T00:05:00.000Z', 10)).map((p) => p.id)).toEqual([
        never.id,
      ]);
    });

    it('keeps outbox rows until delivered, in due order, with retry bookkeeping', async () => {
      const { p } = await sessionWithPayment();
      const a = outboxRecord(p, { nextAttemptAt: '2030-01-01T00:00:02.000Z' });
      const b = outboxRecord(p, { nextAttemptAt: '2030-01-01T00:00:01.000Z' });
      const later = outboxRecord(p, { nextAttemptAt: '2030-01-01T00:10:00.000Z' });
      await store.updatePayment({
        paymentId: p.id,
        expectedVersion: 1,
        patch: { status: 'pending' },
        updatedAt: 't',
        events: [],
        outbox: [a, b, later],
      });
      expect((await store.listDueOutbox('2030-01-01T00:00:05.000Z', 10)).map((o) => o.id)).toEqual([b.id, a.id]);
      await store.markOutboxRetry(b.id, 1, '2030-01-01T00:20:00.000Z', 'HTTP 500');
      await store.markOutboxDelivered(a.id, '2030-01-01T00:00:06.000Z');
      expect(await store.listDueOutbox('2030-01-01T00:15:00.000Z', 10)).toEqual([
        expect.objectContaining({ id: later.id }),
      ]);
      const rows = await store.listOutbox(p.id);
      expect(rows.find((o) => o.id === b.id)).toMatchObject({ attempts: 1, lastError: 'HTTP 500', deliveredAt: null });
      expect(rows.find((o) => o.id === a.id)!.deliveredAt).toBe('2030-01-01T00:00:06.000Z');
    });

    it('keeps the first idempotency record for a key', async () => {
      const first = { key: 'key-1', fingerprint: 'f1', statusCode: 200, responseBody: '{"a":1}', createdAt: 't' };
      expect(await store.saveIdempotency(first)).toEqual(first);
      expect(await store.saveIdempotency({ ...first, fingerprint: 'f2', responseBody: '{}' })).toEqual(first);
      expect(await store.getIdempotency('key-1')).toEqual(first);
      expect(await store.getIdempotency('key-2')).toBeNull();
    });

    it('inserts a session with its idempotency key in one step; a taken key inserts nothing and returns the record', async () => {
      const record = {
        key: 'session:order-1',
        fingerprint: 'POST /v1/sessions abc',
        statusCode: 201,
        responseBody: '{"sessionId":"cs_1"}',
        createdAt: 't',
        owner: 'owner-1',
        sealed: 'iv.tag.ct',
      };
      const first = sessionRecord();
      expect(await store.insertSession(first, record)).toBeNull();
      expect(await store.getIdempotency(record.key)).toEqual(record);
      const second = sessionRecord();
      expect(await store.insertSession(second, { ...record, fingerprint: 'other', sealed: 'x.y.z' })).toEqual(record);
      expect(await store.getSession(second.id)).toBeNull();
      expect((await store.stats()).sessions).toBe(1);
      // A failing session insert leaves no key behind.
      await expect(
        store.insertSession({ ...sessionRecord(), clientTokenHash: first.clientTokenHash }, { ...record, key: 'k2' }),
      ).rejects.toThrow();
      expect(await store.getIdempotency('k2')).toBeNull();
    });

    runInstancesContract(() => store);
    runExpressContract(() => store);

    it('answers ping while open and fails after close', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
      await expect(store.ping()).rejects.toThrow();
    });
  });
}
