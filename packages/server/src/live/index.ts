/**
 * Live payment status (issue 11): the browser subscribes to its payment
 * (GET /v1/checkout/payments/{id}/events, text/event-stream) and gets each committed change at once,
 * on whichever instance it is connected to.
 *
 *   ledger (after a commit) ──publish(id)──▶ change bus ──▶ the streams of that payment re-read it
 *                                            bus.ts: in-process (SQLite, memory)
 *                                            postgres-bus.ts: LISTEN/NOTIFY across instances
 *   streams watching an open payment ──▶ poller.ts: refresh(id, 'watch') on the provider's schedule
 *                                        (the refresher's throttle decides whether the provider is asked)
 *
 * LiveStatus holds this instance's open streams, their limits (limits.ts) and the poller.
 */
import type { CheckoutPayment } from '@pay-with-bank/protocol';
import { ApiError } from '../errors.js';
import type { Logger } from '../log.js';
import { isPostgresUrl } from '../store/postgres-connection.js';
import type { PaymentRecord, SessionRecord, Store } from '../store/store.js';
import { InProcessChangeBus, type ChangeBus } from './bus.js';
import { StreamLimits } from './limits.js';
import { WatchPoller } from './poller.js';
import { PostgresChangeBus } from './postgres-bus.js';
import { isFinalView, PaymentStream } from './stream.js';

export { InProcessChangeBus, type ChangeBus } from './bus.js';
export { PostgresChangeBus } from './postgres-bus.js';
export { isFinalView } from './stream.js';

export interface LiveStatusOptions {
  /** A heartbeat comment this often, ms (default 15 s: below every common proxy idle timeout). */
  heartbeatMs: number;
  /** A stream ends (`lifetime`, the client reconnects) after at most this long, ms (default 10 min). */
  maxLifetimeMs: number;
  /**
   * And no later than this long after the payment's `expiresAt` (default 60 s), nor sooner than
   * this long after it opened.
   */
  expiryMarginMs: number;
  /** Open streams per checkout session, per instance (default 10; 0: unlimited). */
  maxStreamsPerSession: number;
  /** Open streams per client address, per instance (default 50; 0: unlimited). */
  maxStreamsPerAddress: number;
}

export const DEFAULT_LIVE_OPTIONS: LiveStatusOptions = {
  heartbeatMs: 15_000,
  maxLifetimeMs: 10 * 60_000,
  expiryMarginMs: 60_000,
  maxStreamsPerSession: 10,
  maxStreamsPerAddress: 50,
};

export interface LiveStatusDeps {
  store: Pick<Store, 'getPayment'>;
  bus: ChangeBus;
  /** Close the bus on close() (the server opened it). */
  ownsBus: boolean;
  payments: {
    refresh(paymentId: string, source: 'watch'): Promise<PaymentRecord>;
    checkoutView(payment: PaymentRecord): CheckoutPayment;
  };
  logger: Logger;
  now: () => Date;
  options?: Partial<LiveStatusOptions>;
}

const STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store',
  // nginx (and proxies that honour it) pass each message on at once instead of buffering the body.
  'X-Accel-Buffering': 'no',
};

/** The bus `PWB_DATABASE` calls for: LISTEN/NOTIFY on PostgreSQL, in-process otherwise. */
export function createChangeBus(database: string, logger: Logger): ChangeBus {
  return isPostgresUrl(database) ? new PostgresChangeBus({ url: database, logger }) : new InProcessChangeBus(logger);
}

export class LiveStatus {
  readonly bus: ChangeBus;
  readonly options: LiveStatusOptions;
  private readonly limits: StreamLimits;
  private readonly poller: WatchPoller;
  private readonly streams = new Set<PaymentStream>();
  private readonly byPayment = new Map<string, Set<PaymentStream>>();
  private closed = false;

  constructor(private readonly deps: LiveStatusDeps) {
    this.bus = deps.bus;
    this.options = { ...DEFAULT_LIVE_OPTIONS, ...deps.options };
    this.limits = new StreamLimits({
      perSession: this.options.maxStreamsPerSession,
      perAddress: this.options.maxStreamsPerAddress,
    });
    this.poller = new WatchPoller({
      refresh: (paymentId) => deps.payments.refresh(paymentId, 'watch'),
      nextAttemptAfter: (payment) => {
        const view = deps.payments.checkoutView(payment);
        if (isFinalView(view)) return null;
        return view.next.type === 'wait' ? view.next.pollAfterMs : null;
      },
      onRead: (payment) => {
        for (const stream of this.byPayment.get(payment.id) ?? []) stream.offer(payment);
      },
      logger: deps.logger,
    });
  }

  /** Streams open on this instance now. */
  get openStreams(): number {
    return this.streams.size;
  }

  /** What is held for open streams (tests: all zero once they are closed). */
  get held(): { streams: number; listeners: number; polled: number; counted: number } {
    return {
      streams: this.streams.size,
      listeners: this.bus.listenerCount,
      polled: this.poller.size,
      counted: this.limits.open,
    };
  }

  /**
   * The event stream of one of the session's payments, or a typed error: `not_found` (not this
   * session's), `rate_limited` (too many open streams). `headOnly`: the headers, no stream.
   */
  async open(
    session: SessionRecord,
    paymentId: string,
    request: { clientAddress: string | null; signal?: AbortSignal; headOnly?: boolean },
  ): Promise<Response> {
    if (this.closed) throw new ApiError('internal_error', 'The server is stopping.', undefined, { 'Retry-After': '1' });
    // Listen before reading: a change committed between the read and the subscription is not lost.
    let stream: PaymentStream | null = null;
    let missed = false;
    const unsubscribe = this.bus.subscribe(paymentId, () => (stream ? stream.changed() : (missed = true)));
    let first: PaymentRecord;
    let releaseLimit: () => void;
    try {
      const payment = await this.deps.store.getPayment(paymentId);
      if (!payment || payment.sessionId !== session.id) throw new ApiError('not_found', 'No such payment.');
      first = payment;
      if (request.headOnly) {
        unsubscribe();
        return new Response(null, { status: 200, headers: STREAM_HEADERS });
      }
      releaseLimit = this.limits.take(session.id, request.clientAddress);
    } catch (error) {
      unsubscribe();
      throw error;
    }

    let releaseWatch: (() => void) | null = null;
    const created: PaymentStream = new PaymentStream(
      {
        paymentId,
        read: () => this.deps.store.getPayment(paymentId),
        view: (payment) => this.deps.payments.checkoutView(payment),
        heartbeatMs: this.options.heartbeatMs,
        lifetimeMs: this.lifetimeMs(first),
        ...(request.signal ? { signal: request.signal } : {}),
        logger: this.deps.logger,
        onClose: () => {
          unsubscribe();
          releaseLimit();
          releaseWatch?.();
          if (stream) this.forget(stream);
        },
      },
      first,
    );
    stream = created;
    if (!created.isClosed) {
      this.remember(created);
      releaseWatch = this.poller.watch(paymentId);
      if (missed) created.changed();
    }
    return new Response(created.body, { status: 200, headers: STREAM_HEADERS });
  }

  /** End every open stream (`shutdown`: the clients reconnect, to another instance). */
  endStreams(): void {
    for (const stream of [...this.streams]) stream.end('shutdown');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.endStreams();
    this.poller.stop();
    if (this.deps.ownsBus) await this.bus.close();
  }

  /** Until the payment's expiry plus the margin, within [margin, maxLifetime]. */
  private lifetimeMs(payment: PaymentRecord): number {
    const { maxLifetimeMs, expiryMarginMs } = this.options;
    if (!payment.expiresAt) return maxLifetimeMs;
    const untilExpiry = Date.parse(payment.expiresAt) + expiryMarginMs - this.deps.now().getTime();
    return Math.min(maxLifetimeMs, Math.max(expiryMarginMs, untilExpiry));
  }

  private remember(stream: PaymentStream): void {
    this.streams.add(stream);
    const id = stream.paymentId;
    let set = this.byPayment.get(id);
    if (!set) this.byPayment.set(id, (set = new Set()));
    set.add(stream);
  }

  private forget(stream: PaymentStream): void {
    this.streams.delete(stream);
    const set = this.byPayment.get(stream.paymentId);
    set?.delete(stream);
    if (set?.size === 0) this.byPayment.delete(stream.paymentId);
  }
}
