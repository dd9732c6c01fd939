/**
 * Delivers merchant notifications from the outbox: POST the stored MerchantEvent JSON, signed, to
 * PWB_WEBHOOK_URL; on anything but 2xx retry with exponential backoff and jitter, for as long as it
 * takes. Rows live in the store, so deliveries survive restarts.
 */
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
  batchSize?: number;
  /** Deliveries in flight at once (different payments; one payment's events stay in order). */
  concurrency?: number;
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

  constructor(private readonly options: OutboxWorkerOptions) {
    this.random = options.random ?? Math.random;
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
   * Drain what is due: batch after batch while batches come back full, so a backlog catches up at once
   * instead of at one batch per poll. Within a batch, different payments are delivered concurrently
   * (a slow merchant endpoint does not hold up everything), one payment's events in order; a payment
   * whose earlier event failed gets no later one in that batch.
   */
  private async deliverDue(): Promise<number> {
    const { store, now, batchSize = 50, concurrency = 8 } = this.options;
    let delivered = 0;
    for (let round = 0; round < 100; round++) {
      const due = await store.listDueOutbox(now().toISOString(), batchSize);
      const byPayment = new Map<string, OutboxRecord[]>();
      for (const row of due) byPayment.set(row.paymentId, [...(byPayment.get(row.paymentId) ?? []), row]);
      const queues = [...byPayment.values()];
      const lane = async () => {
        for (let queue = queues.shift(); queue; queue = queues.shift()) {
          for (const row of queue) {
            if (!(await this.deliver(row))) break;
            delivered++;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, queues.length) }, lane));
      if (due.length < batchSize) break;
    }
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
