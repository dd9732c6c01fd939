/**
 * In-memory store for unit tests and throwaway demos. Same contract as SQLite (the shared contract
 * suite runs against both): records are cloned in and out so callers cannot mutate stored state.
 */
import { KeyedMutex } from '../locks.js';
import { OutboxLeases, ProviderCallSlots } from './in-process-claims.js';
import {
  TERMINAL_STATUS_LIST,
  type IdempotencyRecord,
  type InsertPaymentResult,
  type OutboxRecord,
  type PaymentChange,
  type PaymentChangeResult,
  type PaymentEventRecord,
  type PaymentListFilter,
  type PaymentRecord,
  type ProviderCallClaim,
  type SessionRecord,
  type KeptShopperErasure,
  type ShopperErasure,
  type Store,
  type StoreStats,
} from './store.js';

const clone = <T>(value: T): T => structuredClone(value);

/** The same event by id, or by (payment, dedupe key) when it has a key. */
const sameEvent = (x: PaymentEventRecord, e: PaymentEventRecord): boolean =>
  x.id === e.id || (e.dedupeKey !== null && x.paymentId === e.paymentId && x.dedupeKey === e.dedupeKey);

export class MemoryStore implements Store {
  private sessions = new Map<string, SessionRecord>();
  private payments = new Map<string, PaymentRecord>();
  private events: PaymentEventRecord[] = [];
  private outbox: OutboxRecord[] = [];
  private idempotency = new Map<string, IdempotencyRecord>();
  private closed = false;
  private readonly leases = new OutboxLeases();
  private readonly providerCalls = new ProviderCallSlots();
  private readonly locks = new KeyedMutex();
  /** One process owns a memory store. */
  readonly shared = false;

  private assertOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.locks.run(key, work);
  }

  async stats(): Promise<StoreStats> {
    this.assertOpen();
    return {
      sessions: this.sessions.size,
      payments: this.payments.size,
      paymentEvents: this.events.length,
      outbox: this.outbox.length,
      idempotencyKeys: this.idempotency.size,
    };
  }

  async insertSession(session: SessionRecord, idempotency?: IdempotencyRecord): Promise<IdempotencyRecord | null> {
    this.assertOpen();
    if (idempotency) {
      const existing = this.idempotency.get(idempotency.key);
      if (existing) return clone(existing);
    }
    if (this.sessions.has(session.id)) throw new Error(`duplicate session id ${session.id}`);
    for (const s of this.sessions.values()) {
      if (s.clientTokenHash === session.clientTokenHash) throw new Error('duplicate client token hash');
    }
    this.sessions.set(session.id, { ...clone(session), express: session.express ?? null });
    if (idempotency) this.idempotency.set(idempotency.key, clone(idempotency));
    return null;
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    this.assertOpen();
    const s = this.sessions.get(id);
    return s ? clone(s) : null;
  }

  async findSessionByTokenHash(hash: string): Promise<SessionRecord | null> {
    this.assertOpen();
    for (const s of this.sessions.values()) if (s.clientTokenHash === hash) return clone(s);
    return null;
  }

  /** Whether `e` is already stored (or among `pending`, events of the same change not stored yet). */
  private hasEvent(e: PaymentEventRecord, pending: readonly PaymentEventRecord[] = []): boolean {
    return this.events.some((x) => sameEvent(x, e)) || pending.some((x) => sameEvent(x, e));
  }

  async insertPayment(payment: PaymentRecord, event: PaymentEventRecord): Promise<InsertPaymentResult> {
    this.assertOpen();
    const existing = [...this.payments.values()].find(
      (p) => p.sessionId === payment.sessionId && p.attemptId === payment.attemptId,
    );
    if (existing) return { created: false, payment: clone(existing) };
    if (!this.sessions.has(payment.sessionId)) throw new Error('payment references an unknown session');
    if (this.payments.has(payment.id)) throw new Error(`duplicate payment id ${payment.id}`);
    const stored: PaymentRecord = {
      ...clone(payment),
      supersededBy: payment.supersededBy ?? null,
      shopper: payment.shopper ?? null,
      shipping: payment.shipping ?? null,
      providerUserKey: payment.providerUserKey ?? null,
      shopperErasedAt: payment.shopperErasedAt ?? null,
    };
    this.payments.set(stored.id, stored);
    if (!this.hasEvent(event)) this.events.push(clone(event));
    return { created: true, payment: clone(stored) };
  }

  async getPayment(id: string): Promise<PaymentRecord | null> {
    this.assertOpen();
    const p = this.payments.get(id);
    return p ? clone(p) : null;
  }

  async findPaymentByAttempt(sessionId: string, attemptId: string): Promise<PaymentRecord | null> {
    this.assertOpen();
    const p = [...this.payments.values()].find((x) => x.sessionId === sessionId && x.attemptId === attemptId);
    return p ? clone(p) : null;
  }

  async findPaymentByProviderId(adapterId: string, providerPaymentId: string): Promise<PaymentRecord | null> {
    this.assertOpen();
    const p = [...this.payments.values()].find(
      (x) => x.adapterId === adapterId && x.providerPaymentId === providerPaymentId,
    );
    return p ? clone(p) : null;
  }

  private sorted(list: PaymentRecord[]): PaymentRecord[] {
    return list.sort((a, b) =>
      a.createdAt === b.createdAt ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.createdAt < b.createdAt ? 1 : -1,
    );
  }

  async listSessionPayments(sessionId: string): Promise<PaymentRecord[]> {
    this.assertOpen();
    // Newest attempt first, even within one millisecond: insertion order breaks ties (a stable sort).
    const newestInserted = [...this.payments.values()].filter((p) => p.sessionId === sessionId).reverse();
    return newestInserted
      .sort((a, b) => (a.createdAt === b.createdAt ? 0 : a.createdAt < b.createdAt ? 1 : -1))
      .map(clone);
  }

  async listPayments(filter: PaymentListFilter): Promise<PaymentRecord[]> {
    this.assertOpen();
    const after = filter.after;
    const matches = [...this.payments.values()].filter(
      (p) =>
        (filter.reference === undefined || p.reference === filter.reference) &&
        (filter.status === undefined || p.status === filter.status) &&
        (filter.from === undefined || p.createdAt >= filter.from) &&
        (filter.to === undefined || p.createdAt < filter.to) &&
        (!after || p.createdAt < after.createdAt || (p.createdAt === after.createdAt && p.id < after.id)),
    );
    return this.sorted(matches).slice(0, filter.limit).map(clone);
  }

  async listPaymentsToReconcile(checkedBefore: string, limit: number): Promise<PaymentRecord[]> {
    this.assertOpen();
    return [...this.payments.values()]
      .filter(
        (p) =>
          !TERMINAL_STATUS_LIST.includes(p.status) && (p.lastCheckedAt === null || p.lastCheckedAt < checkedBefore),
      )
      .sort((a, b) => {
        if ((a.lastCheckedAt === null) !== (b.lastCheckedAt === null)) return a.lastCheckedAt === null ? -1 : 1;
        const byChecked = (a.lastCheckedAt ?? '').localeCompare(b.lastCheckedAt ?? '');
        return byChecked !== 0 ? byChecked : a.createdAt.localeCompare(b.createdAt);
      })
      .slice(0, limit)
      .map(clone);
  }

  async updatePayment(change: PaymentChange): Promise<PaymentChangeResult> {
    this.assertOpen();
    const current = this.payments.get(change.paymentId);
    if (!current) return { ok: false, reason: 'not_found' };
    if (current.version !== change.expectedVersion) return { ok: false, reason: 'version_conflict' };
    // Check every event first: the change is all or nothing.
    const seen: PaymentEventRecord[] = [];
    for (const e of change.events) {
      if (this.hasEvent(e) || seen.some((s) => s.dedupeKey !== null && s.dedupeKey === e.dedupeKey)) {
        return { ok: false, reason: 'duplicate_event' };
      }
      seen.push(e);
    }
    const next: PaymentRecord = {
      ...current,
      ...clone(change.patch),
      updatedAt: change.updatedAt,
      version: current.version + 1,
    };
    this.payments.set(next.id, next);
    this.events.push(...change.events.map(clone));
    this.outbox.push(...change.outbox.map(clone));
    if (change.sessionState) {
      const session = this.sessions.get(current.sessionId);
      if (session)
        this.sessions.set(session.id, { ...session, state: change.sessionState, updatedAt: change.updatedAt });
    }
    return { ok: true, payment: clone(next) };
  }

  async markSuperseded(
    paymentIds: readonly string[],
    supersededBy: string,
    at: string,
    event: (payment: PaymentRecord) => PaymentEventRecord,
  ): Promise<PaymentRecord[]> {
    this.assertOpen();
    // Everything is built first and applied at the end: a throwing `event` writes nothing.
    const marked: PaymentRecord[] = [];
    const events: PaymentEventRecord[] = [];
    for (const id of paymentIds) {
      const current = this.payments.get(id);
      if (!current || current.supersededBy != null || marked.some((p) => p.id === id)) continue;
      const next: PaymentRecord = { ...current, supersededBy, updatedAt: at, version: current.version + 1 };
      const e = event(clone(next));
      if (!this.hasEvent(e, events)) events.push(clone(e));
      marked.push(next);
    }
    for (const p of marked) this.payments.set(p.id, p);
    this.events.push(...events);
    return marked.map(clone);
  }

  async eraseShopper(erasure: ShopperErasure): Promise<PaymentRecord[]> {
    this.assertOpen();
    return this.erase(
      [...this.payments.values()].filter(
        (p) =>
          (erasure.providerUserKey !== null &&
            p.adapterId === erasure.adapterId &&
            p.providerUserKey === erasure.providerUserKey) ||
          (p.id === erasure.paymentId && p.shopperErasedAt == null),
      ),
      erasure,
    );
  }

  async eraseKeptShoppers(erasure: KeptShopperErasure): Promise<PaymentRecord[]> {
    this.assertOpen();
    const due = [...this.payments.values()]
      .filter((p) => p.shopper != null && erasure.statuses.includes(p.status) && p.updatedAt < erasure.finalBefore)
      .sort((a, b) => (a.updatedAt === b.updatedAt ? (a.id < b.id ? -1 : 1) : a.updatedAt < b.updatedAt ? -1 : 1))
      .slice(0, erasure.limit);
    return this.erase(due, erasure);
  }

  /** Erases the details of `targets` with their events and notifications, all or nothing. */
  private erase(
    targets: PaymentRecord[],
    erasure: Pick<ShopperErasure, 'at' | 'change' | 'scrubOutbox'>,
  ): PaymentRecord[] {
    // Everything is built first and applied at the end: a throwing callback writes nothing.
    const erased: PaymentRecord[] = [];
    const events: PaymentEventRecord[] = [];
    const rows: OutboxRecord[] = [];
    const scrubbed = new Map<OutboxRecord, string>();
    for (const current of targets) {
      const next: PaymentRecord = {
        ...current,
        shopper: null,
        providerUserKey: null,
        shopperErasedAt: erasure.at,
        updatedAt: erasure.at,
        version: current.version + 1,
      };
      for (const o of this.outbox) if (o.paymentId === next.id) scrubbed.set(o, erasure.scrubOutbox(o.payload));
      const change = erasure.change(clone(next));
      for (const e of change.events) if (!this.hasEvent(e, events)) events.push(clone(e));
      rows.push(...change.outbox.map(clone));
      erased.push(next);
    }
    for (const p of erased) this.payments.set(p.id, p);
    for (const [o, payload] of scrubbed) o.payload = payload;
    this.events.push(...events);
    this.outbox.push(...rows);
    return erased.map(clone);
  }

  async appendPaymentEvents(events: PaymentEventRecord[]): Promise<void> {
    this.assertOpen();
    for (const e of events) if (!this.hasEvent(e)) this.events.push(clone(e));
  }

  async listPaymentEvents(paymentId: string): Promise<PaymentEventRecord[]> {
    this.assertOpen();
    return this.events.filter((e) => e.paymentId === paymentId).map(clone);
  }

  async markPaymentChecked(paymentId: string, at: string): Promise<void> {
    this.assertOpen();
    const p = this.payments.get(paymentId);
    if (p) p.lastCheckedAt = at;
  }

  async claimCheck(paymentId: string, checkedBefore: string, at: string): Promise<boolean> {
    this.assertOpen();
    const p = this.payments.get(paymentId);
    if (!p || (p.lastCheckedAt !== null && p.lastCheckedAt >= checkedBefore)) return false;
    p.lastCheckedAt = at;
    return true;
  }

  async listDueOutbox(now: string, limit: number): Promise<OutboxRecord[]> {
    this.assertOpen();
    return this.outbox
      .map((o, seq) => ({ o, seq }))
      .filter(({ o }) => o.deliveredAt === null && o.nextAttemptAt <= now)
      .sort((a, b) => a.o.nextAttemptAt.localeCompare(b.o.nextAttemptAt) || a.seq - b.seq)
      .slice(0, limit)
      .map(({ o }) => clone(o));
  }

  async claimDueOutbox(now: string, limit: number, leaseMs: number, _workerId: string): Promise<OutboxRecord[]> {
    this.assertOpen();
    const due = this.outbox
      .map((o, seq) => ({ o, seq }))
      .filter(({ o }) => o.deliveredAt === null && o.nextAttemptAt <= now)
      .sort((a, b) => a.o.nextAttemptAt.localeCompare(b.o.nextAttemptAt) || a.seq - b.seq)
      .map(({ o }) => o);
    return this.leases.claim(due, now, limit, leaseMs).map(clone);
  }

  async tryClaimProviderCall(paymentId: string, intervalMs: number, now: string): Promise<ProviderCallClaim> {
    this.assertOpen();
    return this.providerCalls.tryClaim(this.payments.has(paymentId), paymentId, intervalMs, now);
  }

  async listOutbox(paymentId?: string): Promise<OutboxRecord[]> {
    this.assertOpen();
    return this.outbox.filter((o) => paymentId === undefined || o.paymentId === paymentId).map(clone);
  }

  async markOutboxDelivered(id: string, at: string): Promise<void> {
    this.assertOpen();
    const o = this.outbox.find((x) => x.id === id);
    if (o) {
      o.deliveredAt = at;
      o.lastError = null;
    }
    this.leases.release(id);
  }

  async markOutboxRetry(id: string, attempts: number, nextAttemptAt: string, lastError: string): Promise<void> {
    this.assertOpen();
    const o = this.outbox.find((x) => x.id === id);
    if (o) Object.assign(o, { attempts, nextAttemptAt, lastError: lastError.slice(0, 500) });
    this.leases.release(id);
  }

  async getIdempotency(key: string): Promise<IdempotencyRecord | null> {
    this.assertOpen();
    const r = this.idempotency.get(key);
    return r ? clone(r) : null;
  }

  async saveIdempotency(record: IdempotencyRecord): Promise<IdempotencyRecord> {
    this.assertOpen();
    if (!this.idempotency.has(record.key)) this.idempotency.set(record.key, clone(record));
    return clone(this.idempotency.get(record.key)!);
  }
}
