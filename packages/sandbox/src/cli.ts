#!/usr/bin/env node
/**
 * `pwb-sandbox`: starts the provider sandbox. Environment: PWB_SANDBOX_PORT (default 4010),
 * PWB_SANDBOX_HOST (default 127.0.0.1), PWB_SANDBOX_PUBLIC_URL (default the listening URL).
 */
import { z } from 'zod';
import { startSandboxServer } from './server.js';
import { HttpUrl } from './shared/url.js';

const Env = z.object({
  PWB_SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
  PWB_SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  PWB_SANDBOX_PUBLIC_URL: HttpUrl.optional(),
});

const env = Env.safeParse(process.env);
if (!env.success) {
  console.error(`pwb-sandbox: invalid environment\n${z.prettifyError(env.error)}`);
  process.exit(1);
}

const running = await startSandboxServer({
  port: env.data.PWB_SANDBOX_PORT,
  host: env.data.PWB_SANDBOX_HOST,
  ...(env.data.PWB_SANDBOX_PUBLIC_URL ? { publicUrl: env.data.PWB_SANDBOX_PUBLIC_URL } : {}),
}).catch((error: unknown) => {
  console.error(`pwb-sandbox: could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

console.log(`pay-with-bank sandbox listening on ${running.url}`);
console.log(`  Mastercard Open Finance API: ${running.publicUrl}/mastercard`);

const shutdown = () => {
  running.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
