#!/usr/bin/env node
/**
 * `pwb-sandbox`: starts the provider sandbox. Environment (see cli-env.ts and the README):
 * PWB_SANDBOX_PORT (default 4010), PWB_SANDBOX_HOST (default 127.0.0.1), PWB_SANDBOX_PUBLIC_URL
 * (default the listening URL), PWB_SANDBOX_VIPPS_MERCHANT_NAME (default "Sandbox Merchant AS").
 */
import { sandboxOptionsFromEnv } from './cli-env.js';
import { startSandboxServer } from './server.js';
import { DEFAULT_VIPPS_MERCHANT_NAME } from './vipps/options.js';

const env = sandboxOptionsFromEnv(process.env);
if (!env.ok) {
  console.error(`pwb-sandbox: invalid environment\n${env.message}`);
  process.exit(1);
}

const running = await startSandboxServer(env.options).catch((error: unknown) => {
  console.error(`pwb-sandbox: could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

const merchantName = env.options.vipps?.merchantName ?? DEFAULT_VIPPS_MERCHANT_NAME;
console.log(`pay-with-bank sandbox listening on ${running.url}`);
console.log(`  Mastercard Open Finance API: ${running.publicUrl}/mastercard`);
console.log(`  Vipps MobilePay API:         ${running.publicUrl}/vipps  (merchant name: ${merchantName})`);

const shutdown = () => {
  running.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
