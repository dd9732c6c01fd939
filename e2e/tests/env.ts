/**
 * Two demo instances (each: sandbox, companion server, shop — three origins) with fixed ports and
 * secrets, so tests can look for the secrets where they must never be. Instance `ecom` configures the
 * Vipps eCom v2 API, instance `epayment` Vipps ePayment v1; the bank journeys run on the first.
 */
export interface DemoInstance {
  name: 'ecom' | 'epayment';
  sandboxUrl: string;
  serverUrl: string;
  shopUrl: string;
  env: Record<string, string>;
}

const SECRETS = {
  merchantApiKey: 'e2e_mk_Merchant_Key_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  webhookSecret: 'e2e_wh_Webhook_Secret_0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  vippsCallbackSecret: 'e2e_vc_Callback_Secret_5f4e3d2c1b0a99887766554433221100',
  mastercardClientSecret: 'sandbox-client-secret',
  vippsClientSecret: 'sandbox-vipps-client-secret',
  vippsSubscriptionKey: 'sandbox-vipps-subscription-key',
};

function instance(name: DemoInstance['name'], base: number): DemoInstance {
  const hostname = 'localhost';
  return {
    name,
    sandboxUrl: `http://${hostname}:${base + 10}`,
    serverUrl: `http://${hostname}:${base + 20}`,
    shopUrl: `http://${hostname}:${base + 30}`,
    env: {
      PWB_SANDBOX_PORT: String(base + 10),
      PWB_PORT: String(base + 20),
      PWB_DEMO_SHOP_PORT: String(base + 30),
      PWB_DEMO_MERCHANT_API_KEY: SECRETS.merchantApiKey,
      PWB_DEMO_WEBHOOK_SECRET: SECRETS.webhookSecret,
      PWB_VIPPS_CALLBACK_SECRET: SECRETS.vippsCallbackSecret,
      PWB_VIPPS_API: name,
      PWB_DEMO_DATA_DIR: `${process.env.TMPDIR ?? '/tmp'}/pwb-e2e-${name}-${process.pid}`,
      PWB_LOG_LEVEL: 'warn',
    },
  };
}

/** `PWB_E2E_BASE_PORT` moves both instances (default 4100 and 4200), e.g. to run beside another run. */
const BASE_PORT = Number(process.env.PWB_E2E_BASE_PORT ?? 4100);
export const INSTANCES = { ecom: instance('ecom', BASE_PORT), epayment: instance('epayment', BASE_PORT + 100) };

/** The instance the bank journeys run on. */
export const E2E = { ...INSTANCES.ecom, ...SECRETS };
export { SECRETS };
