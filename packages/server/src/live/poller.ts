/**
 * Watching drives polling: while at least one live status stream on this instance watches an open
 * payment, the payment is refreshed (source `watch`) on its provider's polling schedule, so a change
 * the provider only tells when asked reaches the streams without any browser polling.
 *
 * This only schedules attempts. Whether an attempt calls the provider is the refresher's throttle's
 * decision (the adapter's first-poll delay and interval, one call per payment per interval across
 * every caller: tabs, callbacks, the reconciler, other instances' watchers), so a payment watched by
 * many streams on many instances is still asked once per interval. What an attempt changes reaches
 * the streams through the ledger's change bus; the payment it returns is handed to `onRead` too, so
 * a stream also catches up on a change whose notification it missed.
 */
import type { Logger } from '../log.js';
import type { PaymentRecord } from '../store/store.js';

export interface WatchPollerOptions {
  /** Ask the provider if the throttle allows it; the payment as stored afterwards. */
  refresh(paymentId: string): Promise<PaymentRecord>;
  /** When to try again (ms), or null when the payment needs no more polling (final). */
  nextAttemptAfter(payment: PaymentRecord): number | null;
  /** Each attempt's payment (the streams compare versions). */
  onRead(payment: PaymentRecord): void;
  logger: Logger;
  /** Wait after a failed attempt (provider or database unavailable), ms. */
  retryAfterErrorMs?: number;
}

/** Never sooner than this between two attempts, whatever the policy says (an interval of 0 in tests). */
const MIN_DELAY_MS = 100;

interface Watched {
  watchers: number;
  timer: NodeJS.Timeout | null;
  running: boolean;
}

export class WatchPoller {
  private readonly watched = new Map<string, Watched>();
  private stopped = false;

  constructor(private readonly options: WatchPollerOptions) {}

  /** Payments being polled for watchers now (tests: nothing left behind). */
  get size(): number {
    return this.watched.size;
  }

  /** One more watcher of `paymentId`; returns its release. The first watcher starts the polling at once. */
  watch(paymentId: string): () => void {
    let entry = this.watched.get(paymentId);
    if (!entry) {
      entry = { watchers: 0, timer: null, running: false };
      this.watched.set(paymentId, entry);
      this.schedule(paymentId, entry, 0);
    }
    entry.watchers++;
    const watched = entry;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      watched.watchers--;
      if (watched.watchers === 0) this.forget(paymentId, watched);
    };
  }

  stop(): void {
    this.stopped = true;
    for (const [paymentId, entry] of this.watched) this.forget(paymentId, entry);
  }

  private forget(paymentId: string, entry: Watched): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    if (this.watched.get(paymentId) === entry) this.watched.delete(paymentId);
  }

  private schedule(paymentId: string, entry: Watched, delayMs: number): void {
    if (this.stopped || this.watched.get(paymentId) !== entry) return;
    entry.timer = setTimeout(() => {
      entry.timer = null;
      void this.attempt(paymentId, entry);
    }, delayMs);
    // A watched payment never keeps the process alive by itself (its stream's socket does).
    entry.timer.unref();
  }

  private async attempt(paymentId: string, entry: Watched): Promise<void> {
    if (entry.running) return;
    entry.running = true;
    let delay: number | null;
    try {
      const payment = await this.options.refresh(paymentId);
      this.options.onRead(payment);
      delay = this.options.nextAttemptAfter(payment);
    } catch (error) {
      this.options.logger.warn('live status: polling a watched payment failed; trying again', {
        paymentId,
        error,
      });
      delay = this.options.retryAfterErrorMs ?? 2_000;
    } finally {
      entry.running = false;
    }
    if (delay === null) this.forget(paymentId, entry);
    else this.schedule(paymentId, entry, Math.max(MIN_DELAY_MS, delay));
  }
}
