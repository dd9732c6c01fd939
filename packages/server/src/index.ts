/**
 * @pay-with-bank/server — the companion server of `<pay-with-bank>`.
 *
 *   const server = createServer(loadConfig(process.env));   // web-standard fetch handler
 *   await startServer(loadConfig(process.env));              // or serve it on Node
 */
export { createServer, type PayWithBankServer, type ServerDeps } from './app.js';
export { startServer, type RunningServer } from './node.js';
export {
  loadConfig,
  providerConfig,
  ConfigError,
  DEFAULT_DATABASE,
  type Config,
  type Env,
  type WebhookConfig,
} from './config.js';
export type { ConfiguredProvider, PluginContext, ProviderPlugin } from './providers/plugin.js';
export { PROVIDER_PLUGINS } from './providers/plugins.js';
export type { MastercardConfig, PayeeAccount } from './providers/mastercard/index.js';
export type { VippsConfig } from './providers/vipps/index.js';
export {
  verifyWebhookSignature,
  signWebhook,
  SIGNATURE_HEADER,
  type VerifyOptions,
} from './notifications/signature.js';
export {
  constructShippingRequest,
  constructWebhookEvent,
  WebhookVerificationError,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  type WebhookHeaders,
  type WebhookVerificationReason,
} from './notifications/webhook-event.js';
export { buildOpenApiDocument } from './http/openapi.js';
export { routes } from './http/routes/index.js';
export type { AnyRoute, RouteDef, AuthKind } from './http/route.js';
export { createLogger, type Logger, type LogLevel } from './log.js';
export type {
  ProviderAdapter,
  ProviderBank,
  ProviderSnapshot,
  CreatePaymentInput,
  CreatedProviderPayment,
  CallbackResult,
  StatusCallback,
  ShippingQuoteCallback,
  ConsentRemovalCallback,
  ExpressPaymentInput,
  ExpressSnapshot,
  ExpressSupport,
} from './providers/adapter.js';
export { ApiError, ProviderError, toApiError } from './errors.js';
export { SqliteStore, openSqliteStore } from './store/sqlite.js';
export { PostgresStore, openPostgresStore, type PostgresStoreOptions } from './store/postgres.js';
export { MemoryStore } from './store/memory.js';
export {
  DEFAULT_LIVE_OPTIONS,
  InProcessChangeBus,
  LiveStatus,
  PostgresChangeBus,
  type ChangeBus,
  type LiveStatusOptions,
} from './live/index.js';
export { openStore } from './store/open.js';
export { StoreUnavailableError, isStoreUnavailable } from './store/store.js';
export type * from './store/store.js';
