/** Fixed ports and secrets for the e2e run, so tests can look for the secrets where they must never be. */
const hostname = 'localhost';
export const E2E = {
  sandboxUrl: `http://${hostname}:4110`,
  serverUrl: `http://${hostname}:4120`,
  shopUrl: `http://${hostname}:4130`,
  merchantApiKey: 'e2e_mk_Merchant_Key_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  webhookSecret: 'e2e_wh_Webhook_Secret_0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  mastercardClientSecret: 'sandbox-client-secret',
  vippsClientSecret: 'sandbox-vipps-client-secret',
  vippsSubscriptionKey: 'sandbox-vipps-subscription-key',
  env: {
    PWB_SANDBOX_PORT: '4110',
    PWB_PORT: '4120',
    PWB_DEMO_SHOP_PORT: '4130',
    PWB_DEMO_MERCHANT_API_KEY: 'e2e_mk_Merchant_Key_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
    PWB_DEMO_WEBHOOK_SECRET: 'e2e_wh_Webhook_Secret_0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    PWB_DEMO_DATA_DIR: `${process.env.TMPDIR ?? '/tmp'}/pwb-e2e-${process.pid}`,
    PWB_LOG_LEVEL: 'warn',
  } as Record<string, string>,
};
