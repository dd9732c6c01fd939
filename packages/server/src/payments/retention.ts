/**
 * Shopper retention (PWB_SHOPPER_RETENTION_DAYS): an express checkout's shopper details (name, email,
 * phone number, address) stay with a payment only for that many days after its last change once it is
 * final; then they are erased as on a consent removal, with a `payment.shopper_erased` notification.
 * Where a provider sends no consent removals, this is what ends their keeping (docs/security.md,
 * "Personal data of express checkouts").
 *
 * Every server instance runs one; on PostgreSQL concurrent runs erase each payment once (the store's
 * `eraseKeptShoppers`).
 */
import type { Logger } from '../log.js';
import type { PaymentService } from './service.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ShopperRetentionOptions {
  payments: PaymentService;
  logger: Logger;
  now: () => Date;
  days: number;
  /** Payments erased per transaction. */
  batchSize?: number;
}

export class ShopperRetention {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<number> | null = null;

  constructor(private readonly options: ShopperRetentionOptions) {}

  /** Erases every payment that is due, in batches; resolves with how many it erased. */
  runOnce(): Promise<number> {
    this.running ??= this.eraseDue().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async eraseDue(): Promise<number> {
    const { payments, logger, now, days, batchSize = 100 } = this.options;
    const finalBefore = new Date(now().getTime() - days * DAY_MS);
    let total = 0;
    for (;;) {
      const erased = await payments.eraseKeptShoppers(finalBefore, batchSize);
      total += erased.length;
      if (erased.length < batchSize) break;
    }
    if (total > 0) logger.info('shopper details erased after the retention period', { payments: total, days });
    return total;
  }

  start(pollMs = 15 * 60_000): void {
    if (this.timer) return;
    const run = () => {
      this.runOnce().catch((error) => this.options.logger.error('shopper retention run failed', { error }));
    };
    run();
    this.timer = setInterval(run, pollMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }
}
