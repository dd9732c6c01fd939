/**
 * Vipps MobilePay: one adapter (method `vipps`) behind the ProviderAdapter interface, for the API
 * chosen by PWB_VIPPS_API: `vipps-ecom` (eCom v2, NOK) or `vipps-epayment` (ePayment v1, NOK/DKK/EUR).
 * Both share the access token, the HTTP client with its headers, timeouts and error mapping.
 */
import type { Logger } from '../../log.js';
import { definePlugin } from '../plugin.js';
import { VippsClient } from './client.js';
import { loadVippsConfig, vippsSecrets, type VippsConfig } from './config.js';
import { createEcomAdapter } from './ecom-adapter.js';
import { createEpaymentAdapter } from './epayment-adapter.js';
import { pollingPolicy } from './polling.js';
import type { VippsAdapter, VippsAdapterContext } from './shared.js';
import { VippsTokenClient } from './token.js';
import { ensureWebhookWith, epaymentWebhookUrl, type EnsuredWebhook } from './webhooks.js';

export interface VippsAdapterDeps {
  /** fetch for every Vipps call (tests route it to the in-process sandbox). */
  fetch: typeof fetch;
  logger: Logger;
  /** This server's public base URL (PWB_PUBLIC_URL): callbacks and the webhook point at it. */
  publicUrl: string;
  /** Timeout of every Vipps call (PWB_PROVIDER_TIMEOUT_MS). */
  timeoutMs: number;
  now?: () => Date;
}

function createClient(config: VippsConfig, deps: VippsAdapterDeps, extraSecrets: () => readonly (string | null)[]) {
  const now = deps.now ?? (() => new Date());
  const tokens = new VippsTokenClient({
    baseUrl: config.baseUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    subscriptionKey: config.subscriptionKey,
    merchantSerialNumber: config.merchantSerialNumber,
    system: config.system,
    timeoutMs: deps.timeoutMs,
    fetch: deps.fetch,
    logger: deps.logger,
    now: () => now().getTime(),
  });
  return new VippsClient({
    config,
    timeoutMs: deps.timeoutMs,
    fetch: deps.fetch,
    logger: deps.logger,
    tokens,
    extraSecrets,
  });
}

/** The adapter for the configured Vipps API. */
export function createVippsAdapter(config: VippsConfig, deps: VippsAdapterDeps): VippsAdapter {
  let webhookSecret = config.webhookSecret;
  const client = createClient(config, deps, () => [webhookSecret]);
  const ctx: VippsAdapterContext = {
    config,
    publicUrl: deps.publicUrl.replace(/\/+$/, ''),
    logger: deps.logger,
    now: deps.now ?? (() => new Date()),
    pollingPolicy,
  };
  if (config.api === 'ecom') return createEcomAdapter(ctx, client);
  return createEpaymentAdapter(ctx, client, {
    get: () => webhookSecret,
    set: (secret) => {
      webhookSecret = secret;
    },
  });
}

/** The Vipps plugin: method `vipps`, through the API PWB_VIPPS_API chooses. */
export const vippsPlugin = definePlugin<VippsConfig>({
  name: 'vipps',
  loadConfig: loadVippsConfig,
  secrets: (config) => vippsSecrets(config),
  createAdapters: (config, context) => [
    createVippsAdapter(config, {
      fetch: context.fetch,
      logger: context.logger.child({ api: config.api }),
      publicUrl: context.publicUrl,
      timeoutMs: context.timeoutMs,
      ...(context.now ? { now: context.now } : {}),
    }),
  ],
});

/**
 * Register `{PWB_PUBLIC_URL}/v1/callbacks/vipps-epayment/webhooks` for every ePayment event unless
 * it is registered already and PWB_VIPPS_WEBHOOK_SECRET is known; returns the id and the secret.
 * For a one-off set-up (e.g. a CLI command printing the secret once): keep the result out of logs.
 */
export async function ensureWebhook(config: VippsConfig, deps: VippsAdapterDeps): Promise<EnsuredWebhook> {
  const client = createClient(config, deps, () => []);
  return ensureWebhookWith(client, {
    url: epaymentWebhookUrl(deps.publicUrl.replace(/\/+$/, '')),
    configuredSecret: config.webhookSecret,
    logger: deps.logger,
  });
}

export { loadVippsConfig, vippsSecrets, VippsEnvSchema, type VippsConfig } from './config.js';
export { VIPPS_ECOM_ADAPTER_ID } from './ecom-adapter.js';
export { VIPPS_EPAYMENT_ADAPTER_ID } from './epayment-adapter.js';
export { pollingPolicy, type PollingPolicy } from './polling.js';
export type { VippsAdapter } from './shared.js';
export type { EnsuredWebhook } from './webhooks.js';
