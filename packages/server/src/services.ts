/** Everything a route handler may use, built once per server in src/app.ts. */
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { ProviderRegistry } from './providers/registry.js';
import type { Store } from './store/store.js';
import type { BankDirectory } from './providers/banks.js';
import type { PaymentService } from './payments/service.js';
import type { SessionService } from './sessions/service.js';
import type { LiveStatus } from './live/index.js';

export interface Services {
  config: Config;
  store: Store;
  providers: ProviderRegistry;
  sessions: SessionService;
  payments: PaymentService;
  banks: BankDirectory;
  /** Live status streams (GET /v1/checkout/payments/{id}/events). */
  live: LiveStatus;
  logger: Logger;
  now: () => Date;
}
