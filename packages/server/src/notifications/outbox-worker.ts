/**
 * Delivers merchant notifications from the outbox: POST the stored MerchantEvent JSON, signed, to
 * PWB_WEBHOOK_URL; on anything but 2xx retry with exponential backoff and jitter, for as long as it
 * takes. Rows live in the store, so deliveries survive restarts.
 *
 * Every server instance runs a worker; they share the outbox through leases (Store.claimDueOutbox):
 * a worker takes a row for a while longer than one delivery may take, delivers it and records the
 * outcome, which ends the lease. A worker that dies meanwhile loses its rows when their leases end,
 * and another worker delivers them again with the same event id (delivery is at least once).
 */
import { hostname } from 'node:os';
import type { WebhookConfig } from '../config.js';
import { crashPoint } from '../crash-points.js'; // test hook (test/crash): no-op unless PWB_CRASH_AT is set
import type { Logger } from '../log.js';
import type { OutboxRecord, Store } from '../store/store.js';
import { SIGNATURE_HEADER, signWebhook } from './signature.js';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER } from './webhook-event.js';

export interface OutboxWorkerOptions {
  store: Store;
  webhook: WebhookConfig;
  fetch: typeof fetch;
  logger: Logger;
  now: () => Date;
  /** Jitter source in [0, 1) (tests). */
  random?: () => number;
  timeoutMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  pollIntervalMs?: number;
  /** Deliveries taken per run at most (a backlog is drained over the next runs after that). */
  batchSize?: number;
  /** Deliveries in flight at once (different payments; one payment's events stay in order). */
  concurrency?: number;
  /** Who holds the leases (default: host, process id and a random part). */
  workerId?: string;
}

/** A lease outlasts the delivery's timeout by this much, so a slow delivery is never taken over. */
const LEASE_MARGIN_MS = 5_000;

/** This process as a lease holder: readable in the database (`outbox.leased_by`), unique per start. */
export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

/** Delay before retry number `attempts` (1-based): base·2^(n-1), capped, with ±50% jitter. */
export function backoffDelayMs(attempts: number, baseMs: number, maxMs: number, random: () => number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(attempts - 1, 30));
  return Math.round(exponential * (0.5 + random()));
}

export class OutboxWorker {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<number> | null = null;
  private readonly random: () => number;
  readonly workerId: string;

  constructor(private readonly options: OutboxWorkerOptions) {
    this.random = options.random ?? Math.random;
    this.workerId = options.workerId ?? defaultWorkerId();
  }

  /** Deliver everything due now; returns how many were delivered. Overlapping calls share one run. */
  runOnce(): Promise<number> {
    if (!this.running) {
      this.running = this.deliverDue().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  /**
   * Drain what is due, up to `concurrency` deliveries in flight: lease as many due rows as there are
   * free lanes (each its payment's first, so one payment's events go out one at a time, in order,
   * across all workers), deliver each at once and record the outcome, and lease again once half the
   * lanes are free, until nothing is due or the run has taken `batchSize` rows. A slow merchant endpoint holds
   * up one lane, not the others; a row is leased only when a lane is free to deliver it, so no lease
   * runs out while its row waits here.
   */
  private async deliverDue(): Promise<number> {
    const { store, now, batchSize = 5_000, concurrency = 8, timeoutMs = 10_000 } = this.options;
    const leaseMs = timeoutMs + LEASE_MARGIN_MS;
    const inFlight = new Set<Promise<void>>();
    let taken = 0;
    let delivered = 0;
    let failure: { error: unknown } | null = null;
    try {
      while (taken < batchSize && failure === null) {
        const free = Math.min(concurrency - inFlight.size, batchSize - taken);
        const rows = free > 0 ? await store.claimDueOutbox(now().toISOString(), free, leaseMs, this.workerId) : [];
        taken += rows.length;
        for (const row of rows) {
          const job: Promise<void> = this.deliver(row)
            .then(
              (ok) => {
                if (ok) delivered++;
              },
              (error: unknown) => {
                failure ??= { error };
              },
            )
            .finally(() => inFlight.delete(job));
          inFlight.add(job);
        }
        if (inFlight.size === 0) break; // nothing due, nothing running
        // Nothing more to lease now (the rest is a busy lane's payment's): wait for a lane. Otherwise
        // lease again once at least half the lanes are free (one lease query for several rows).
        if (rows.length < free || inFlight.size > concurrency / 2) await Promise.race(inFlight);
      }
    } finally {
      // Every delivery ends before the run does (the database gone does not cut the others short).
      await Promise.allSettled(inFlight);
    }
    if (failure) throw (failure as { error: unknown }).error;
    return delivered;
  }

  private async deliver(row: OutboxRecord): Promise<boolean> {
    const {
      store,
      webhook,
      logger,
      now,
      timeoutMs = 10_000,
      baseDelayMs = 5_000,
      maxDelayMs = 3_600_000,
    } = this.options;
    const timestamp = Math.floor(now().getTime() / 1000);
    let failure: string;
    try {
      const response = await this.options.fetch(webhook.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [SIGNATURE_HEADER]: signWebhook(webhook.secret, row.payload, timestamp),
          [EVENT_ID_HEADER]: row.id,
          [EVENT_TYPE_HEADER]: row.type,
          'User-Agent': 'pay-with-bank-server',
        },
        body: row.payload,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel().catch(() => {});
      if (response.ok) {
        crashPoint('outbox:in-flight'); // test hook: see crash-points.ts
        await store.markOutboxDelivered(row.id, now().toISOString());
        logger.info('merchant notification delivered', { eventId: row.id, type: row.type, attempts: row.attempts + 1 });
        return true;
      }
      failure = `HTTP ${response.status}`;
    } catch (error) {
      failure = error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'network error';
    }
    const attempts = row.attempts + 1;
    const next = new Date(now().getTime() + backoffDelayMs(attempts, baseDelayMs, maxDelayMs, this.random));
    await store.markOutboxRetry(row.id, attempts, next.toISOString(), failure);
    logger.warn('merchant notification failed; will retry', {
      eventId: row.id,
      type: row.type,
      attempts,
      failure,
      nextAttemptAt: next.toISOString(),
    });
    return false;
  }

  start(): void {
    if (this.timer) return;
    const interval = this.options.pollIntervalMs ?? 1000;
    this.timer = setInterval(() => {
      this.runOnce().catch((error) => this.options.logger.error('outbox run failed', { error }));
    }, interval);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }
}
