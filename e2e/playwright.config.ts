import { defineConfig } from '@playwright/test';
import { INSTANCES, type DemoInstance } from './tests/env.js';

/**
 * The e2e suite drives the real demo in Debian's Chromium. Two demo instances run side by side (Vipps
 * eCom and Vipps ePayment configured); ports differ from `npm run demo`'s so both can run at once.
 */
const webServer = (demo: DemoInstance) => ({
  command: 'node --conditions=source --import tsx ../demo/src/start.ts',
  url: `${demo.shopUrl}/healthz`,
  reuseExistingServer: !process.env.CI,
  timeout: 60_000,
  stdout: 'pipe' as const,
  stderr: 'pipe' as const,
  env: demo.env,
});

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: 'test-results/results.json' }]],
  use: {
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-dev-shm-usage',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  projects: [
    {
      name: 'bank',
      testMatch: /(bank|secrets|csp|return-and-retry|sandbox-a11y|norwegian|remembered-bank)\.spec\.ts/,
      use: { baseURL: INSTANCES.ecom.shopUrl },
    },
    { name: 'vipps-ecom', testMatch: /vipps\.spec\.ts/, use: { baseURL: INSTANCES.ecom.shopUrl } },
    { name: 'vipps-epayment', testMatch: /vipps\.spec\.ts/, use: { baseURL: INSTANCES.epayment.shopUrl } },
    { name: 'express-ecom', testMatch: /express\.spec\.ts/, use: { baseURL: INSTANCES.ecom.shopUrl } },
    {
      name: 'express-epayment',
      testMatch: /express-epayment\.spec\.ts/,
      use: { baseURL: INSTANCES.epayment.shopUrl },
    },
  ],
  webServer: [webServer(INSTANCES.ecom), webServer(INSTANCES.epayment)],
});
