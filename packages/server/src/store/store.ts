/**
 * The durable store behind the server. Three implementations share this interface and one contract
 * test suite: SQLite (embedded, the zero-setup default), PostgreSQL (`PWB_DATABASE=postgres://…`,
 * for several server instances on one database) and in-memory (unit tests). Every method that
 * changes more than one row does it atomically, so a crash never leaves half a change behind.
 *
 * A store that cannot reach its database (PostgreSQL restarting, a dropped connection) throws
 * StoreUnavailableError: nothing was written, or (a lost commit) the outcome is unknown, and every
 * write here is safe to try again (compare-and-set versions, unique keys).
 */
import type {
  Country,
  Currency,
  PaymentFailure,
  PaymentMethod,
  PaymentStatus,
  Shopper,
  ShippingOption,
} from '@pay-with-bank/protocol';

export type SessionStateRecord = 'open' | 'paid';

/** An express session's shipping settings, as the merchant gave them. */
export interface SessionExpress {
  /** `static`: the session's own options; `dynamic`: asked of the merchant's URL per address. */
  shipping: 'static' | 'dynamic';
  options: ShippingOption[] | null;
  /** The merchant's shipping URL (dynamic), as admitted by the allow-list. */
  url: string | null;
  confirmAddress: boolean;
}

/** The shipping method an express payment's shopper chose, at the merchant's price (minor units). */
export interface PaymentShipping {
  id: string;
  name: string;
  amount: number;
}

export interface SessionRecord {
  id: string;
  /** SHA-256 of the browser client token; the token itself is never stored. */
  clientTokenHash: string;
  amount: number;
  currency: Currency;
  reference: string;
  description: string;
  returnUrl: string;
  methods: PaymentMethod[];
  countries: Country[];
  locale: string;
  metadata: Record<string, string>;
  state: SessionStateRecord;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  /**
   * Express checkout settings, or null for an ordinary checkout. Stores always return it; optional
   * only so that records built elsewhere before it existed still type-check (stored as null).
   */
  express?: SessionExpress | null;
}

export interface PaymentRecord {
  id: string;
  sessionId: string;
  /** Browser-chosen attempt id; unique per session (one payment per attempt). */
  attemptId: string;
  method: PaymentMethod;
  /** Id of the provider adapter that owns this payment. */
  adapterId: string;
  providerPaymentId: string | null;
  status: PaymentStatus;
  providerStatus: string | null;
  bankId: string | null;
  /** Copied from the session (listing and filtering without a join). */
  reference: string;
  /** The session's amount; for an express payment with shipping chosen, items + shipping. */
  amount: number;
  currency: Currency;
  authorizedAmount: number;
  capturedAmount: number;
  refundedAmount: number;
  cancelledAmount: number;
  failure: PaymentFailure | null;
  redirectUrl: string | null;
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Last time the provider was asked about this payment (reconciler scheduling). */
  lastCheckedAt: string | null;
  /** Bumped on every change; updates are compare-and-set on it. */
  version: number;
  /**
   * The id of the payment that replaced this one (the shopper chose to pay another way), or null.
   * A superseded payment is still reconciled until final, but a new attempt no longer defers to it.
   * Records the store returns always carry it (null when not superseded); it is optional only so
   * that records built elsewhere before this field existed still type-check (insertPayment stores
   * null for a missing value).
   */
  supersededBy?: string | null;
  /*
   * Express payments (like supersededBy: always returned by the stores, null when not set; optional
   * only for records built before these fields existed).
   */
  /** The shopper's details as shared in the provider's app; null when unknown or erased. */
  shopper?: Shopper | null;
  /** The shipping method chosen, at the merchant's price. */
  shipping?: PaymentShipping | null;
  /** SHA-256 of adapter id + the provider's user id: finds a user's payments on consent removal. */
  providerUserKey?: string | null;
  /** When the shopper's details were erased (consent removed): they are never stored again. */
  shopperErasedAt?: string | null;
}

export type PaymentEventSource = 'create' | 'refresh' | 'watch' | 'callback' | 'reconciler' | 'merchant' | 'system';

export interface PaymentEventRecord {
  id: string;
  paymentId: string;
  /** `status` (status or provider status changed), `created`, `superseded`, `capture`, `cancel`, `refund`, `callback`. */
  type: string;
  status: PaymentStatus;
  providerStatus: string | null;
  source: PaymentEventSource;
  /** Replay guard: a provider event id or body hash; unique per payment when set. */
  dedupeKey: string | null;
  data: unknown;
  createdAt: string;
}

export interface OutboxRecord {
  id: string;
  paymentId: string;
  type: string;
  /** The MerchantEvent JSON exactly as it will be sent (and signed). */
  payload: string;
  attempts: number;
  nextAttemptAt: string;
  deliveredAt: string | null;
  lastError: string | null;
  createdAt: string;
}

export interface IdempotencyRecord {
  key: string;
  /** What the key was first used for (method, path, body hash): reuse for something else is refused. */
  fingerprint: string;
  statusCode: number;
  responseBody: string;
  createdAt: string;
  /** Which merchant API key made the request (apiKeyId), where the replay depends on it. */
  owner?: string | null;
  /** A secret part of the response kept sealed under that API key (a session's client token). */
  sealed?: string | null;
}

export type PaymentPatch = Partial<
  Pick<
    PaymentRecord,
    | 'status'
    | 'providerStatus'
    | 'providerPaymentId'
    | 'bankId'
    | 'authorizedAmount'
    | 'capturedAmount'
    | 'refundedAmount'
    | 'cancelledAmount'
    | 'failure'
    | 'redirectUrl'
    | 'expiresAt'
    | 'lastCheckedAt'
    | 'supersededBy'
    | 'amount'
    | 'shopper'
    | 'shipping'
    | 'providerUserKey'
    | 'shopperErasedAt'
  >
>;

/** Erase the shopper details of one provider user's payments (consent removed), with its events. */
export interface ShopperErasure {
  adapterId: string;
  /** The provider user whose payments are erased; null: only `paymentId`. */
  providerUserKey: string | null;
  /** Also this payment (whatever its providerUserKey), unless it was erased already. */
  paymentId?: string;
  at: string;
  /** The events and merchant notifications of one erased payment, from its record as stored now. */
  change(payment: PaymentRecord): { events: PaymentEventRecord[]; outbox: OutboxRecord[] };
  /** An earlier outbox payload of an erased payment, rewritten without the shopper's details. */
  scrubOutbox(payload: string): string;
}

/**
 * Retention (PWB_SHOPPER_RETENTION_DAYS): erase the shopper details of payments that are final (status
 * in `statuses`) and last changed before `finalBefore`, the oldest first, at most `limit` of them.
 */
export interface KeptShopperErasure extends Pick<ShopperErasure, 'at' | 'change' | 'scrubOutbox'> {
  finalBefore: string;
  statuses: readonly PaymentStatus[];
  limit: number;
}

/** One atomic change of a payment: the row (compare-and-set on version), its events, outbox rows, and the session state. */
export interface PaymentChange {
  paymentId: string;
  expectedVersion: number;
  patch: PaymentPatch;
  updatedAt: string;
  events: PaymentEventRecord[];
  outbox: OutboxRecord[];
  /** Set the owning session's state in the same transaction. */
  sessionState?: SessionStateRecord;
}

export type PaymentChangeResult =
  { ok: true; payment: PaymentRecord } | { ok: false; reason: 'version_conflict' | 'duplicate_event' | 'not_found' };

export type InsertPaymentResult =
  { created: true; payment: PaymentRecord } | { created: false; payment: PaymentRecord };

export interface PaymentListFilter {
  reference?: string;
  status?: PaymentStatus;
  /** Inclusive lower bound on createdAt (ISO). */
  from?: string;
  /** Exclusive upper bound on createdAt (ISO). */
  to?: string;
  limit: number;
  /** Continue after this payment (newest-first order: createdAt desc, id desc). */
  after?: { createdAt: string; id: string };
}

export interface StoreStats {
  sessions: number;
  payments: number;
  paymentEvents: number;
  outbox: number;
  idempotencyKeys: number;
}

/** The outcome of tryClaimProviderCall. */
export interface ProviderCallClaim {
  /** True when this caller may make the provider status call now (and nobody else may until `nextCallAt`). */
  claimed: boolean;
  /** From when the next claim can succeed (ISO); null for an unknown payment. */
  nextCallAt: string | null;
}

/**
 * The database cannot be reached right now (a dropped connection, a restart, too many connections).
 * Retryable: the operation did not happen, or, when the connection was lost during the commit, its
 * outcome is unknown (every store write can be repeated safely). The message never holds the
 * database URL or its password.
 */
export class StoreUnavailableError extends Error {
  readonly retryable = true;
  constructor(message = 'the database is unavailable', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError;
}

export interface Store {
  /**
   * True when several server processes may use this store at once (PostgreSQL). SQLite (one server
   * process per file, see instance-lock.ts) and memory belong to one process: there, work that is not
   * running in this process is not running anywhere.
   */
  readonly shared: boolean;

  /** Cheap liveness check (a read). Throws when the store is unusable. */
  ping(): Promise<void>;

  /**
   * Run `work` holding the lock named `key`: among every user of the store (all server instances on
   * PostgreSQL), holders of one key run one at a time; other keys do not wait. For checks and writes
   * that must not interleave (a session's start decision and its new payment row, one payment's
   * merchant operations, one idempotency key); the database's constraints stay the last line.
   *
   * - Keep `work` short: other holders of the key wait meanwhile. The writes `work` makes commit on
   *   their own (not in the lock's transaction), so they are visible before the lock is released.
   * - A withLock inside `work` also takes its key (PostgreSQL: on the outer lock's connection, so a
   *   chain of locks holds one connection). Nest keys in one fixed order, never the same key twice.
   * - Waiting is bounded: a lock not granted in time fails with StoreUnavailableError (retryable).
   * - PostgreSQL: a transaction-scoped advisory lock on a connection of its own, held from before
   *   `work` until after it. If that connection is lost meanwhile, the database released the lock
   *   and another holder may have run alongside: StoreUnavailableError is thrown after `work`, so the
   *   caller does not act on its result. SQLite and memory: an in-process lock.
   */
  withLock<T>(key: string, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
  stats(): Promise<StoreStats>;

  /**
   * Insert a session. With `idempotency`, the key is saved in the same transaction: when the key is
   * already taken nothing is inserted and the existing record is returned (null when inserted), so a
   * crash between the commit and the answer leaves a key the merchant's retry finds.
   */
  insertSession(session: SessionRecord, idempotency?: IdempotencyRecord): Promise<IdempotencyRecord | null>;
  getSession(id: string): Promise<SessionRecord | null>;
  findSessionByTokenHash(clientTokenHash: string): Promise<SessionRecord | null>;

  /**
   * Insert a payment with its first event, unless (sessionId, attemptId) exists: then return the
   * existing one. A new payment is not superseded: its `supersededBy` is stored as given, null when absent.
   */
  insertPayment(payment: PaymentRecord, event: PaymentEventRecord): Promise<InsertPaymentResult>;
  getPayment(id: string): Promise<PaymentRecord | null>;
  findPaymentByAttempt(sessionId: string, attemptId: string): Promise<PaymentRecord | null>;
  findPaymentByProviderId(adapterId: string, providerPaymentId: string): Promise<PaymentRecord | null>;
  /** A session's payments, newest first. */
  listSessionPayments(sessionId: string): Promise<PaymentRecord[]>;
  /** Payments, newest first (createdAt desc, id desc). */
  listPayments(filter: PaymentListFilter): Promise<PaymentRecord[]>;
  /** Non-terminal payments not checked since `checkedBefore` (never-checked first). */
  listPaymentsToReconcile(checkedBefore: string, limit: number): Promise<PaymentRecord[]>;
  /** Apply a change atomically; fails without writing anything on a version conflict or a duplicate event key. */
  updatePayment(change: PaymentChange): Promise<PaymentChangeResult>;
  /**
   * Mark payments as replaced by the payment `supersededBy` ("pay another way"), all in one
   * transaction: each listed payment that exists and is not superseded yet gets `supersededBy`,
   * `updatedAt = at` and a version bump (a concurrent updatePayment sees a version conflict and
   * re-plans), and the event `event(updated)` returns for it (typically type `superseded`; a duplicate
   * dedupe key is ignored). A payment already superseded keeps its first replacement and gets no
   * event; unknown ids are skipped. Returns the payments it marked, as stored now, in the order given.
   * If `event` throws, nothing is written.
   */
  markSuperseded(
    paymentIds: readonly string[],
    supersededBy: string,
    at: string,
    event: (payment: PaymentRecord) => PaymentEventRecord,
  ): Promise<PaymentRecord[]>;
  /**
   * Erase the shopper details of every payment of `adapterId` whose providerUserKey is the given
   * one (and of `paymentId` when given and not erased yet), in one transaction: shopper and
   * providerUserKey become null, shopperErasedAt = at, updatedAt = at and the version is bumped; the
   * events and outbox rows `change` builds are inserted; earlier outbox rows of those payments get
   * their payload rewritten by `scrubOutbox`. Returns the erased payments as stored now (none for
   * an unknown key). If a callback throws, nothing is written.
   */
  eraseShopper(erasure: ShopperErasure): Promise<PaymentRecord[]>;
  /**
   * The same erasure, in one transaction, for the payments a retention period has passed
   * ({@link KeptShopperErasure}): those with shopper details (not null), a final status and
   * `updatedAt` before `finalBefore`. Concurrent calls (other instances) erase each payment once.
   */
  eraseKeptShoppers(erasure: KeptShopperErasure): Promise<PaymentRecord[]>;
  /** Append events that change no payment field; duplicates by dedupe key are ignored. */
  appendPaymentEvents(events: PaymentEventRecord[]): Promise<void>;
  listPaymentEvents(paymentId: string): Promise<PaymentEventRecord[]>;
  /** Record a provider check without a version bump (it changes no state anyone reads for decisions). */
  markPaymentChecked(paymentId: string, at: string): Promise<void>;
  /**
   * The reconciler's claim on checking a payment, an atomic test-and-set of its last-checked time:
   * when it is unset or before `checkedBefore`, it becomes `at` and the caller has won (true: check
   * it now); otherwise, or for an unknown payment, nothing changes (false: someone checked it
   * recently, e.g. another instance's reconciler). Without a version bump, like markPaymentChecked.
   */
  claimCheck(paymentId: string, checkedBefore: string, at: string): Promise<boolean>;

  /** Undelivered outbox rows due at `now`, oldest first. */
  listDueOutbox(now: string, limit: number): Promise<OutboxRecord[]>;
  /**
   * Lease due outbox rows to `workerId` for `leaseMs` and return them (oldest due first), so that
   * several workers (server instances) share the outbox and each row is delivered by one worker at a
   * time. A row is claimable when it is undelivered, due at `now` and not under a live lease, and it
   * is its payment's first due row (by due time, then insertion) while no row of that payment is
   * leased: one payment's notifications go out one at a time, in order, whoever delivers them. So a
   * claim returns at most one row per payment; call again for the next. markOutboxDelivered and
   * markOutboxRetry end the lease; a worker that dies holding one loses it when it expires (`now`
   * past `now + leaseMs` of the claim), and the row is claimed again (delivery is at least once).
   * PostgreSQL: one UPDATE over `FOR UPDATE SKIP LOCKED` rows, so concurrent claims never wait for
   * or return the same row. SQLite and memory (one process per store) keep the leases in memory.
   */
  claimDueOutbox(now: string, limit: number, leaseMs: number, workerId: string): Promise<OutboxRecord[]>;
  listOutbox(paymentId?: string): Promise<OutboxRecord[]>;
  /** Record a delivery (and end the row's lease). */
  markOutboxDelivered(id: string, at: string): Promise<void>;
  /** Record a failed delivery and when to try again (and end the row's lease). */
  markOutboxRetry(id: string, attempts: number, nextAttemptAt: string, lastError: string): Promise<void>;

  /**
   * The cross-instance throttle of provider status calls: one atomic test-and-set per payment. When
   * no call was claimed for the payment within `intervalMs` before `now` (its stored "next provider
   * call at" is unset or not after `now`), it is set to `now + intervalMs` and the caller has won
   * (`claimed: true`); otherwise nothing changes and `nextCallAt` says from when a claim can win.
   * However many callers (tabs, instances, the reconciler) ask at once, one wins per interval.
   * No version bump (it changes nothing a payment decision reads). A first-poll delay is the
   * caller's to check before it claims (it depends only on the payment's creation time).
   */
  tryClaimProviderCall(paymentId: string, intervalMs: number, now: string): Promise<ProviderCallClaim>;

  getIdempotency(key: string): Promise<IdempotencyRecord | null>;
  /**
   * Rate limits shared by every instance on this store (PostgreSQL): counts one request for `key` in
   * its fixed window of `windowMs` (a new window starts at `nowMs` once the last one is over) and
   * returns that window's start and count. Absent (memory, SQLite: one process), each instance counts
   * in memory.
   */
  countRequest?(key: string, nowMs: number, windowMs: number): Promise<{ windowStart: number; count: number }>;
  /** Save unless the key exists; returns the stored record (the existing one on a race). */
  saveIdempotency(record: IdempotencyRecord): Promise<IdempotencyRecord>;
}

export const TERMINAL_STATUS_LIST: readonly PaymentStatus[] = ['completed', 'failed', 'cancelled', 'expired'];
