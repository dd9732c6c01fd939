/**
 * When the server may ask a provider about a payment: the one place adapters' polling policies are
 * applied. However many tabs poll and whoever asks, a payment gets at most one provider status call
 * per interval (the larger of the server's PWB refresh interval and the adapter's), and polling
 * waits the adapter's first-poll delay after the payment was created.
 * Only polling waits for that first delay: a provider callback or a merchant operation is news or
 * an explicit need, so it may ask at once. Callers within the window get the stored state.
 */
import type { PollingPolicy } from '../providers/adapter.js';
import type { PaymentEventSource } from '../store/store.js';

/** Sources that poll on a schedule (the browser's refresh, a live stream's watch, the reconciler) rather than react to news. */
const POLLING_SOURCES: ReadonlySet<PaymentEventSource> = new Set(['refresh', 'watch', 'reconciler']);

/**
 * The earliest time the next status call may be made: not before `firstPollAfterMs` after creation,
 * and not before `intervalMs` after the previous call. Times in ms since the epoch.
 */
export function nextPollAt(policy: PollingPolicy, createdAtMs: number, lastPolledAtMs: number | null): number {
  const first = createdAtMs + policy.firstPollAfterMs;
  return lastPolledAtMs === null ? first : Math.max(first, lastPolledAtMs + policy.intervalMs);
}

export class RefreshThrottle {
  private readonly lastCall = new Map<string, number>();

  constructor(
    /** Milliseconds since the epoch (the service's injected clock). */
    private readonly now: () => number,
    /** The server's own floor between two status calls of one payment. */
    private readonly minIntervalMs: number,
  ) {}

  /** The policy in force for an adapter: its own, never faster than the server's floor. */
  policyFor(adapterPolicy: PollingPolicy | undefined): PollingPolicy {
    return {
      firstPollAfterMs: adapterPolicy?.firstPollAfterMs ?? 0,
      intervalMs: Math.max(this.minIntervalMs, adapterPolicy?.intervalMs ?? 0),
    };
  }

  /**
   * Take the slot for a provider call now, if the policy allows one; false means "answer from the
   * store". `createdAt` is the payment's creation time (ISO).
   */
  tryTake(
    paymentId: string,
    createdAt: string,
    adapterPolicy: PollingPolicy | undefined,
    source: PaymentEventSource,
  ): boolean {
    const policy = this.policyFor(adapterPolicy);
    const nowMs = this.now();
    const createdAtMs = POLLING_SOURCES.has(source) ? Date.parse(createdAt) : Number.NEGATIVE_INFINITY;
    if (nowMs < nextPollAt(policy, createdAtMs, this.lastCall.get(paymentId) ?? null)) return false;
    this.lastCall.set(paymentId, nowMs);
    this.prune(nowMs, policy.intervalMs);
    return true;
  }

  /** How long a poller should wait before asking again (never sooner than the interval). */
  pollAfterMs(paymentId: string, createdAt: string, adapterPolicy: PollingPolicy | undefined): number {
    const policy = this.policyFor(adapterPolicy);
    const due = nextPollAt(policy, Date.parse(createdAt), this.lastCall.get(paymentId) ?? null);
    return Math.max(policy.intervalMs, due - this.now());
  }

  /** A final payment is never polled again: drop its entry. */
  forget(paymentId: string): void {
    this.lastCall.delete(paymentId);
  }

  private prune(nowMs: number, intervalMs: number): void {
    if (this.lastCall.size < 1000) return;
    for (const [id, at] of this.lastCall) {
      if (nowMs - at > intervalMs * 10) this.lastCall.delete(id);
    }
  }
}
