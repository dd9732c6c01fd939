/** Everything a route handler may use, built once per server in src/app.ts. */
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { ProviderRegistry } from './providers/registry.js';
import type { Store } from './store/store.js';
import type { BankDirectory } from './providers/banks.js';
import type { PaymentService } from './payments/service.js';
import type { SessionService } from './sessions/service.js';

export interface Services {
  config: Config;
  store: Store;
  providers: ProviderRegistry;
  sessions: SessionService;
  payments: PaymentService;
  banks: BankDirectory;
  logger: Logger;
  now: () => Date;
}
