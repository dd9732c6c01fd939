#!/usr/bin/env node
/** `pay-with-bank-server`: load the configuration from the environment and serve. */
import { ConfigError, loadConfig } from './config.js';
import { startServer } from './node.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`pay-with-bank-server: ${error.message}\nSee the README for every variable.\n`);
      process.exit(1);
    }
    throw error;
  }
  const running = await startServer(config);
  const shutdown = (signal: string) => {
    running.server.services.logger.info('shutting down', { signal });
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `pay-with-bank-server: failed to start: ${error instanceof Error ? error.message : 'unknown error'}\n`,
  );
  process.exit(1);
});
