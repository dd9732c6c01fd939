/**
 * One command for the whole demo: the provider sandbox, the companion server and the storefront, each on
 * its own origin on localhost. Every value can be overridden by environment variables (the e2e tests do).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { startSandboxServer } from '@pay-with-bank/sandbox';
import { loadConfig, startServer } from '@pay-with-bank/server';
import { createMerchantClient } from './merchant-client.js';
import { createStorefront } from './storefront.js';

const env = process.env;
const host = env.PWB_DEMO_HOST ?? '127.0.0.1';
const hostname = env.PWB_DEMO_HOSTNAME ?? 'localhost';
const sandboxPort = Number(env.PWB_SANDBOX_PORT ?? 4010);
const serverPort = Number(env.PWB_PORT ?? 4020);
const shopPort = Number(env.PWB_DEMO_SHOP_PORT ?? 4030);
const sandboxUrl = `http://${hostname}:${sandboxPort}`;
const serverUrl = `http://${hostname}:${serverPort}`;
const shopUrl = `http://${hostname}:${shopPort}`;

// Secrets for this run. Random unless given, and never printed.
const merchantApiKey = env.PWB_DEMO_MERCHANT_API_KEY ?? `demo_mk_${randomBytes(24).toString('base64url')}`;
const webhookSecret = env.PWB_DEMO_WEBHOOK_SECRET ?? `demo_wh_${randomBytes(24).toString('base64url')}`;
const vippsCallbackSecret = env.PWB_VIPPS_CALLBACK_SECRET ?? `demo_vc_${randomBytes(24).toString('base64url')}`;
const dataDir = env.PWB_DEMO_DATA_DIR ?? fileURLToPath(new URL('../.data/', import.meta.url));
mkdirSync(dataDir, { recursive: true });

// The name Vipps shows on its pages comes from the merchant's Vipps profile, not the request: the sandbox's stand-in.
const sandbox = await startSandboxServer({
  port: sandboxPort,
  host,
  publicUrl: sandboxUrl,
  vipps: { merchantName: 'Nordlys Goods ApS' },
});

const config = loadConfig({
  PWB_PORT: String(serverPort),
  PWB_HOST: host,
  PWB_PUBLIC_URL: serverUrl,
  PWB_MERCHANT_API_KEYS: merchantApiKey,
  PWB_PAYEE_NAME: 'Nordlys Goods ApS',
  PWB_ALLOWED_ORIGINS: shopUrl,
  // Where shoppers return to, and (express checkout) the shop's shipping endpoint the server may call.
  PWB_RETURN_URL_ALLOWLIST: `${shopUrl}/checkout/,${shopUrl}/shipping/`,
  PWB_DATABASE: `${dataDir}/pay-with-bank.sqlite`,
  PWB_MASTERCARD_BASE_URL: `${sandboxUrl}/mastercard`,
  PWB_MASTERCARD_CLIENT_ID: 'sandbox-client-id',
  PWB_MASTERCARD_CLIENT_SECRET: 'sandbox-client-secret',
  PWB_MASTERCARD_ACCOUNT_DKK: 'bban:1234:0123456789',
  PWB_MASTERCARD_ACCOUNT_SEK: 'bban:5000:5001234567',
  PWB_MASTERCARD_ACCOUNT_NOK: 'bban:1503:1234567',
  PWB_MASTERCARD_ACCOUNT_EUR: 'iban:DK5000400440116243',
  PWB_VIPPS_API: env.PWB_VIPPS_API ?? 'epayment',
  PWB_VIPPS_BASE_URL: `${sandboxUrl}/vipps`,
  PWB_VIPPS_CLIENT_ID: 'sandbox-vipps-client-id',
  PWB_VIPPS_CLIENT_SECRET: 'sandbox-vipps-client-secret',
  PWB_VIPPS_SUBSCRIPTION_KEY: 'sandbox-vipps-subscription-key',
  PWB_VIPPS_MERCHANT_SERIAL_NUMBER: '123456',
  PWB_VIPPS_CALLBACK_SECRET: vippsCallbackSecret,
  PWB_WEBHOOK_URL: `${shopUrl}/webhooks/pay-with-bank`,
  PWB_WEBHOOK_SECRET: webhookSecret,
  PWB_LOG_LEVEL: env.PWB_LOG_LEVEL ?? 'warn',
  ...pick(env, /^PWB_(VIPPS|MASTERCARD|RATE|LOG)_/),
});
const server = await startServer(config);

const { app } = createStorefront({
  publicUrl: shopUrl,
  serverUrl,
  imageOrigins: [sandboxUrl],
  merchant: createMerchantClient(serverUrl, merchantApiKey),
  elementBundlePath: fileURLToPath(new URL('../../packages/element/dist/pay-with-bank.js', import.meta.url)),
  webhookSecret,
});
const shop = serve({ fetch: app.fetch, port: shopPort, hostname: host });

console.log(`
  pay-with-bank demo is running

    Shop (open this):   ${shopUrl}
    Companion server:   ${serverUrl}  (OpenAPI: ${serverUrl}/openapi.json)
    Provider sandbox:   ${sandboxUrl}

  Press Ctrl+C to stop.
`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  shop.close();
  await Promise.allSettled([server.close(), sandbox.close()]);
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

/** Environment overrides for a family of variables (e.g. PWB_VIPPS_API for the e2e suite). */
function pick(source: NodeJS.ProcessEnv, pattern: RegExp): Record<string, string> {
  return Object.fromEntries(
    Object.entries(source).filter((e): e is [string, string] => pattern.test(e[0]) && e[1] !== undefined),
  );
}
