/**
 * Background reconciliation: keeps asking providers about payments that are not final (including
 * attempts the shopper abandoned or superseded), backing off as they age and while their provider
 * keeps failing, and fails payments whose creation was interrupted (crash between our write and
 * the provider's answer). A failed check changes nothing but the time of the next one.
 *
 * Every server instance runs one; they share the work. Each payment due for a check is claimed
 * first (Store.claimCheck: its last-checked time is set to now, atomically, only if it is still
 * older than the gap), so one instance checks it and the others pass it by; the check itself then
 * goes through the refresher's provider-call claim like any other. Backing off after failures is
 * counted per instance.
 */
import { isApiError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PaymentRecord, Store } from '../store/store.js';
import type { PaymentService } from './service.js';

export interface ReconcilerOptions {
  store: Store;
  payments: PaymentService;
  logger: Logger;
  now: () => Date;
  /** Shortest gap between checks of one payment. */
  intervalMs?: number;
  /** A payment still without a provider id after this long was interrupted mid-create. */
  interruptedCreateMs?: number;
  batchSize?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Consecutive failed checks double a payment's gap, up to this (a recovered provider is noticed by then). */
const MAX_FAILURE_GAP_MS = 15 * MINUTE;
/** Failure counts kept in memory at most (a restart simply starts them over). */
const MAX_TRACKED_FAILURES = 10_000;

export class Reconciler {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<number> | null = null;
  /** Consecutive failed checks per payment, for backing off while its provider is down. */
  private readonly failures = new Map<string, number>();

  constructor(private readonly options: ReconcilerOptions) {}

  /** How long to wait between checks of a payment of this age: young ones often, old ones rarely. */
  static checkGapMs(ageMs: number, intervalMs: number): number {
    if (ageMs < HOUR) return intervalMs;
    if (ageMs < 24 * HOUR) return Math.max(intervalMs, 5 * MINUTE);
    return Math.max(intervalMs, HOUR);
  }

  /** The gap after `failures` consecutive failed checks: doubling, capped (never below the normal gap). */
  static failureGapMs(gapMs: number, failures: number): number {
    if (failures <= 0) return gapMs;
    return Math.max(gapMs, Math.min(gapMs * 2 ** Math.min(failures, 20), MAX_FAILURE_GAP_MS));
  }

  runOnce(): Promise<number> {
    if (!this.running) {
      this.running = this.reconcileDue().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async reconcileDue(): Promise<number> {
    const {
      store,
      payments,
      logger,
      now,
      intervalMs = 30_000,
      interruptedCreateMs = 2 * MINUTE,
      batchSize = 50,
    } = this.options;
    const nowMs = now().getTime();
    const candidates = await store.listPaymentsToReconcile(new Date(nowMs - intervalMs).toISOString(), batchSize);
    let checked = 0;
    // Providers that did not answer in this run: their other payments wait for the next run (each
    // check already retried), so an outage costs one check per run instead of a timeout per payment.
    const unreachable = new Set<string>();
    /** Claim the payment's check for this instance (false: checked meanwhile, e.g. by another instance). */
    const claim = (payment: PaymentRecord, gapMs: number) =>
      store.claimCheck(payment.id, new Date(nowMs - gapMs).toISOString(), now().toISOString());
    for (const payment of candidates) {
      const ageMs = nowMs - Date.parse(payment.createdAt);
      if (payment.providerPaymentId === null) {
        if (ageMs >= interruptedCreateMs && (await claim(payment, intervalMs))) {
          await payments.failInterruptedCreate(payment);
          checked++;
        }
        continue;
      }
      if (unreachable.has(payment.adapterId)) continue;
      const lastChecked = payment.lastCheckedAt ? Date.parse(payment.lastCheckedAt) : 0;
      const failures = this.failures.get(payment.id) ?? 0;
      const gap = Reconciler.failureGapMs(Reconciler.checkGapMs(ageMs, intervalMs), failures);
      if (nowMs - lastChecked < gap) continue;
      // Claiming counts the check before it is made, so a failing provider is not hammered by every run.
      if (!(await claim(payment, gap))) continue;
      try {
        await payments.refresh(payment.id, 'reconciler');
        this.failures.delete(payment.id);
      } catch (error) {
        logger.warn('reconciliation check failed', { paymentId: payment.id, failures: failures + 1, error });
        if (isApiError(error) && (error.code === 'provider_unavailable' || error.code === 'provider_timeout')) {
          unreachable.add(payment.adapterId);
        }
        if (this.failures.size >= MAX_TRACKED_FAILURES) this.failures.clear();
        this.failures.set(payment.id, failures + 1);
      }
      checked++;
    }
    return checked;
  }

  start(pollMs = 5_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.runOnce().catch((error) => this.options.logger.error('reconciler run failed', { error }));
    }, pollMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }
}
