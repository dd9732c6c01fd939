/**
 * createServer: the whole companion server as a web-standard `fetch` handler (Hono), usable inside
 * any Node, Bun, Deno or edge app. It wires config → store → provider adapters → services → routes,
 * and runs two background workers (merchant notifications, status reconciliation).
 */
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { configSecrets, type Config } from './config.js';
import { BankDirectory } from './providers/banks.js';
import { PaymentService } from './payments/service.js';
import { Reconciler } from './payments/reconciler.js';
import { ShopperRetention } from './payments/retention.js';
import type { Services } from './services.js';
import { SessionService } from './sessions/service.js';
import { ShippingQuoter } from './sessions/shipping.js';
import { ApiError, toApiError } from './errors.js';
import { mountRoutes } from './http/router.js';
import { routes } from './http/routes/index.js';
import { createLogger, withLogContext, type Logger } from './log.js';
import { createChangeBus, LiveStatus, type ChangeBus, type LiveStatusOptions } from './live/index.js';
import { OutboxWorker } from './notifications/outbox-worker.js';
import type { ProviderAdapter } from './providers/adapter.js';
import { createProviderAdapters, ProviderRegistry } from './providers/registry.js';
import { openStore } from './store/open.js';
import { isStoreUnavailable, type Store } from './store/store.js';

export interface ServerDeps {
  /** Use this store instead of opening `config.database` (the caller then owns closing it). */
  store?: Store;
  /** Use these adapters instead of the ones built from config (tests, custom providers). */
  adapters?: ProviderAdapter[];
  /** fetch for provider calls and merchant notifications (tests route it in-process). */
  fetch?: typeof fetch;
  logger?: Logger;
  /** Where log lines go when no logger is given (stdout by default). */
  logSink?: (line: string) => void;
  now?: () => Date;
  /** Start the outbox and reconciliation timers (default true). Tests drive them with runOnce(). */
  backgroundWorkers?: boolean;
  /** Minimum gap between provider status calls per payment (default 1000 ms). */
  refreshIntervalMs?: number;
  bodyLimitBytes?: number;
  /** Jitter source for webhook retries (tests). */
  random?: () => number;
  /**
   * The live status change bus (default: LISTEN/NOTIFY when PWB_DATABASE is a PostgreSQL URL,
   * in-process otherwise). A PostgreSQL `store` given here needs its PostgresChangeBus here too
   * for several instances to hear each other's changes. The caller then owns closing it.
   */
  changeBus?: ChangeBus;
  /** Live status streams: heartbeat, lifetime and limits (tests). */
  live?: Partial<LiveStatusOptions>;
}

export interface PayWithBankServer {
  app: Hono;
  /**
   * The handler. `env` is what the host passes along (@hono/node-server: `{ incoming, outgoing }`);
   * it carries the socket address used for per-address rate limits.
   */
  fetch: (request: Request, env?: unknown) => Promise<Response>;
  services: Services;
  /** Live status streams; `live.endStreams()` before closing the HTTP server lets it close at once. */
  live: LiveStatus;
  /** Null when no webhook is configured. */
  outbox: OutboxWorker | null;
  reconciler: Reconciler;
  /** Erases shoppers' details after PWB_SHOPPER_RETENTION_DAYS (null when it is not set). */
  retention: ShopperRetention | null;
  close(): Promise<void>;
}

function errorResponse(c: Context, error: ApiError): Response {
  return c.json(error.toBody(), error.status as 400, error.headers);
}

export function createServer(config: Config, deps: ServerDeps = {}): PayWithBankServer {
  const logger =
    deps.logger ??
    createLogger({
      level: config.logLevel,
      secrets: configSecrets(config),
      ...(deps.logSink ? { sink: deps.logSink } : {}),
    });
  const now = deps.now ?? (() => new Date());
  const fetchImpl = deps.fetch ?? globalThis.fetch.bind(globalThis);
  const ownsStore = !deps.store;
  const store =
    deps.store ??
    openStore(config, { onIdleError: (error) => logger.warn('database connection lost', { error: error.message }) });
  const providers = new ProviderRegistry(
    deps.adapters ?? createProviderAdapters(config, { fetch: fetchImpl, logger, now }),
  );
  const banks = new BankDirectory(now, logger);
  // The ledger tells the bus after each commit; the streams on this instance (and, on PostgreSQL,
  // on the others) re-read the payment.
  const changeBus = deps.changeBus ?? createChangeBus(config.database, logger);
  const sessions = new SessionService({
    store,
    providers,
    returnUrlAllowlist: config.returnUrlAllowlist,
    canSignShippingRequests: config.webhook !== null,
    now,
  });
  const payments = new PaymentService({
    store,
    providers,
    banks,
    logger,
    now,
    maxAttemptsPerSession: config.maxAttemptsPerSession,
    // Another instance's create is usually one provider call (its timeout), and a margin.
    createWaitMs: config.providerTimeoutMs + 2_000,
    shipping: new ShippingQuoter({
      fetch: fetchImpl,
      secret: config.webhook?.secret ?? null,
      timeoutMs: config.shippingTimeoutMs,
      logger,
      now,
    }),
    ...(deps.refreshIntervalMs !== undefined ? { refreshIntervalMs: deps.refreshIntervalMs } : {}),
    onPaymentChange: (payment) => changeBus.publish(payment.id),
  });
  const live = new LiveStatus({
    store,
    bus: changeBus,
    ownsBus: !deps.changeBus,
    payments,
    logger,
    now,
    ...(deps.live ? { options: deps.live } : {}),
  });
  const services: Services = { config, store, providers, sessions, payments, banks, live, logger, now };

  const outbox = config.webhook
    ? new OutboxWorker({
        store,
        webhook: config.webhook,
        fetch: fetchImpl,
        logger,
        now,
        ...(deps.random ? { random: deps.random } : {}),
      })
    : null;
  const reconciler = new Reconciler({
    store,
    payments,
    logger,
    now,
    // A create running on another instance (its in-flight record is not here) ends within one
    // provider call (retries capped at 15 s) and 10 s of writing its answer: only an older row
    // without a provider id was interrupted. Two minutes unless PWB_PROVIDER_TIMEOUT_MS is near its maximum.
    interruptedCreateMs: Math.max(2 * 60_000, Math.max(config.providerTimeoutMs, 15_000) + 40_000),
  });

  const retention =
    config.shopperRetentionDays === null
      ? null
      : new ShopperRetention({ payments, logger, now, days: config.shopperRetentionDays });

  const app = new Hono();

  // Request id, access log, and no caching of anything this API answers.
  app.use('*', async (c, next) => {
    const started = Date.now();
    const requestId = randomUUID();
    // Every line logged while handling the request (services included) carries its id.
    await withLogContext({ requestId }, next);
    c.header('X-Request-Id', requestId);
    c.header('Cache-Control', 'no-store');
    logger.info('request', {
      requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Date.now() - started,
    });
  });
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      // Nothing here is meant to be framed: DENY (Hono's default is SAMEORIGIN), matching frame-ancestors 'none'.
      xFrameOptions: 'DENY',
      // The element calls us with CORS-mode fetch, which CORP does not restrict; same-origin only stops
      // other sites from pulling our JSON in no-cors mode (<script>/<img>), e.g. into a Spectre-readable process.
      crossOriginResourcePolicy: 'same-origin',
    }),
  );
  // The browser API is the only one a browser may call cross-origin, and only from configured origins.
  const allowedOrigins = new Set(config.allowedOrigins);
  app.use(
    '/v1/checkout/*',
    cors({
      origin: (origin) => (allowedOrigins.has(origin) ? origin : null),
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['Authorization', 'Content-Type'],
      exposeHeaders: ['X-Request-Id'],
      maxAge: 600,
    }),
  );

  mountRoutes(app, routes, { services, bodyLimitBytes: deps.bodyLimitBytes });

  app.notFound((c) => errorResponse(c, new ApiError('not_found', 'No such endpoint.')));
  app.onError((error, c) => {
    if (isStoreUnavailable(error)) {
      // Expected while the database restarts: a retryable answer, no stack.
      logger.warn('request failed: database unavailable', {
        method: c.req.method,
        path: c.req.path,
        error: error.message,
      });
      return errorResponse(c, toApiError(error));
    }
    if (error instanceof ApiError) {
      if (error.status >= 500) logger.warn('request failed', { code: error.code, message: error.message });
      return errorResponse(c, error);
    }
    logger.error('unhandled error', { method: c.req.method, path: c.req.path, error });
    return errorResponse(c, new ApiError('internal_error', 'An unexpected error occurred.'));
  });

  if (deps.backgroundWorkers !== false) {
    outbox?.start();
    reconciler.start();
    retention?.start();
    for (const adapter of providers.adapters) {
      adapter
        .start?.()
        .catch((error: unknown) => logger.warn('provider start-up task failed', { provider: adapter.id, error }));
    }
  }

  let closed = false;
  return {
    app,
    fetch: async (request: Request, env?: unknown) => app.fetch(request, env as object | undefined),
    services,
    live,
    outbox,
    reconciler,
    retention,
    async close() {
      if (closed) return;
      closed = true;
      await live.close();
      await outbox?.stop();
      await reconciler.stop();
      await retention?.stop();
      if (ownsStore) await store.close();
    },
  };
}
