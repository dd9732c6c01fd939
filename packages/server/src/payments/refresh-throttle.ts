/**
 * When the server may ask a provider about a payment: the one place adapters' polling policies are
 * applied. However many tabs poll, whoever asks and on whichever server instance, a payment gets at
 * most one provider status call per interval (the larger of the server's PWB refresh interval and
 * the adapter's), and polling waits the adapter's first-poll delay after the payment was created.
 * Only polling waits for that first delay: a provider callback or a merchant operation is news or
 * an explicit need, so it may ask at once. Callers within the window get the stored state.
 *
 * The interval is held by the store (Store.tryClaimProviderCall: one atomic test-and-set per
 * payment, in the database on PostgreSQL, so every instance shares it). The first-poll delay is
 * checked here before claiming, since it depends only on the payment's creation time. What this
 * instance last learnt of a payment's next allowed call answers `pollAfterMs` and spares the store
 * a claim that could not win.
 */
import type { PollingPolicy } from '../providers/adapter.js';
import type { PaymentEventSource, Store } from '../store/store.js';

/** Sources that poll on a schedule (the browser's refresh, a live stream's watch, the reconciler) rather than react to news. */
const POLLING_SOURCES: ReadonlySet<PaymentEventSource> = new Set(['refresh', 'watch', 'reconciler']);

/** Payments whose next allowed call this instance remembers, at most (the store holds the truth). */
const MAX_REMEMBERED = 10_000;

/**
 * The earliest time the next status call may be made: not before `firstPollAfterMs` after creation,
 * and not before `intervalMs` after the previous call. Times in ms since the epoch.
 */
export function nextPollAt(policy: PollingPolicy, createdAtMs: number, lastPolledAtMs: number | null): number {
  const first = createdAtMs + policy.firstPollAfterMs;
  return lastPolledAtMs === null ? first : Math.max(first, lastPolledAtMs + policy.intervalMs);
}

export class RefreshThrottle {
  /** Payment id → from when its next provider call may be claimed (ms), as last learnt from the store. */
  private readonly nextCallAt = new Map<string, number>();

  constructor(
    private readonly store: Pick<Store, 'tryClaimProviderCall'>,
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
   * Whether the policy rules out a provider call now without asking the store: polling before the
   * first-poll delay, or a claim this instance knows of that has not ended. `createdAt` is ISO.
   */
  heldBack(
    paymentId: string,
    createdAt: string,
    adapterPolicy: PollingPolicy | undefined,
    source: PaymentEventSource,
  ): boolean {
    const nowMs = this.now();
    if (POLLING_SOURCES.has(source) && nowMs < Date.parse(createdAt) + this.policyFor(adapterPolicy).firstPollAfterMs) {
      return true;
    }
    return nowMs < (this.nextCallAt.get(paymentId) ?? Number.NEGATIVE_INFINITY);
  }

  /** Claim the payment's provider call for now from the store (false: someone else has this interval). */
  async claim(paymentId: string, adapterPolicy: PollingPolicy | undefined): Promise<boolean> {
    const { intervalMs } = this.policyFor(adapterPolicy);
    const claim = await this.store.tryClaimProviderCall(paymentId, intervalMs, new Date(this.now()).toISOString());
    if (claim.nextCallAt !== null) this.remember(paymentId, Date.parse(claim.nextCallAt));
    return claim.claimed;
  }

  /** Take the slot for a provider call now, if the policy allows one; false means "answer from the store". */
  async tryTake(
    paymentId: string,
    createdAt: string,
    adapterPolicy: PollingPolicy | undefined,
    source: PaymentEventSource,
  ): Promise<boolean> {
    return !this.heldBack(paymentId, createdAt, adapterPolicy, source) && this.claim(paymentId, adapterPolicy);
  }

  /** How long a poller should wait before asking again (never sooner than the interval). */
  pollAfterMs(paymentId: string, createdAt: string, adapterPolicy: PollingPolicy | undefined): number {
    const policy = this.policyFor(adapterPolicy);
    const first = Date.parse(createdAt) + policy.firstPollAfterMs;
    const due = Math.max(first, this.nextCallAt.get(paymentId) ?? Number.NEGATIVE_INFINITY);
    return Math.max(policy.intervalMs, due - this.now());
  }

  /** A final payment is never polled again: drop its entry. */
  forget(paymentId: string): void {
    this.nextCallAt.delete(paymentId);
  }

  private remember(paymentId: string, at: number): void {
    this.nextCallAt.set(paymentId, at);
    if (this.nextCallAt.size <= MAX_REMEMBERED) return;
    const nowMs = this.now();
    for (const [id, next] of this.nextCallAt) if (next <= nowMs) this.nextCallAt.delete(id);
  }
}
