/** @pay-with-bank/sandbox: offline emulators of the providers' APIs and hosted pages. */
export { createSandbox, type Sandbox, type SandboxControls, type SandboxOptions } from './app.js';
export { startSandboxServer, type RunningSandbox, type StartSandboxServerOptions } from './server.js';
export type { Clock } from './shared/clock.js';
export {
  createMastercardSandbox,
  DEFAULT_MASTERCARD_CLIENT,
  DEFAULT_SLOW_BANK_DELAY_MS,
  SANDBOX_BANKS,
  COUNTRY_CURRENCY,
  type MastercardSandbox,
  type MastercardSandboxOptions,
  type MastercardClient,
  type MastercardControls,
  type MastercardPaymentInspection,
  type MastercardSettings,
  type MastercardPayment,
  type MastercardProvider,
  type PaymentCode,
  type StatusDetails,
  type ApiFault,
  type SandboxBank,
  type CountryCode,
} from './mastercard/index.js';
