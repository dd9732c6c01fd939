/**
 * The refresher: asks a payment's provider for its latest status, as often as the adapter's polling
 * policy allows (RefreshThrottle: interval, first-poll delay, one claim per interval across every
 * server instance) and once at a time per payment in this process (concurrent callers share the
 * call). Callers the policy holds back, those who lose the claim to another caller (another tab,
 * instance or the reconciler), and final payments get the stored state without a provider call.
 */
import { isTerminal } from '@pay-with-bank/protocol';
import { crashPoint } from '../crash-points.js'; // test hook (test/crash): no-op unless PWB_CRASH_AT is set
import { RefreshThrottle } from './refresh-throttle.js';
import { ApiError, toApiError } from '../errors.js';
import type { ProviderAdapter, ProviderSnapshot } from '../providers/adapter.js';
import type { PaymentEventSource, PaymentRecord, Store } from '../store/store.js';
import type { PaymentLedger } from './ledger.js';

export interface RefresherOptions {
  store: Store;
  ledger: PaymentLedger;
  adapterFor: (payment: PaymentRecord) => ProviderAdapter;
  /** Milliseconds since the epoch: the throttle's own clock. */
  clock: () => number;
  /** The server's floor between two status calls of one payment. */
  minIntervalMs: number;
}

export class PaymentRefresher {
  readonly throttle: RefreshThrottle;
  private readonly inflight = new Map<string, Promise<PaymentRecord>>();

  constructor(private readonly options: RefresherOptions) {
    this.throttle = new RefreshThrottle(options.store, options.clock, options.minIntervalMs);
  }

  async refresh(paymentId: string, source: PaymentEventSource = 'refresh'): Promise<PaymentRecord> {
    const { store, ledger } = this.options;
    const payment = await store.getPayment(paymentId);
    if (!payment) throw new ApiError('not_found', 'No such payment.');
    if (isTerminal(payment.status) || payment.providerPaymentId === null) return payment;

    const running = this.inflight.get(paymentId);
    if (running) return running;
    const adapter = this.options.adapterFor(payment);
    if (this.throttle.heldBack(paymentId, payment.createdAt, adapter.pollingPolicy, source)) return payment;

    const providerPaymentId = payment.providerPaymentId;
    const call = (async () => {
      // Claimed inside the shared call, so callers arriving meanwhile wait for it instead of claiming too.
      if (!(await this.throttle.claim(paymentId, adapter.pollingPolicy))) return payment;
      let snapshot: ProviderSnapshot;
      try {
        snapshot = await adapter.refresh(providerPaymentId);
      } catch (error) {
        throw toApiError(error);
      }
      crashPoint('refresh:after-provider-answer'); // test hook: see crash-points.ts
      const updated = await ledger.applySnapshot(paymentId, snapshot, { source }, true);
      if (isTerminal(updated.status)) this.throttle.forget(paymentId);
      return updated;
    })().finally(() => this.inflight.delete(paymentId));
    this.inflight.set(paymentId, call);
    return call;
  }

  /** How long a poller should wait before asking again. */
  pollAfterMs(payment: PaymentRecord, adapter: ProviderAdapter | undefined): number {
    return this.throttle.pollAfterMs(payment.id, payment.createdAt, adapter?.pollingPolicy);
  }
}
