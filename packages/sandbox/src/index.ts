/** @pay-with-bank/sandbox: offline emulators of the providers' APIs and hosted pages. */
export { createSandbox, type Sandbox, type SandboxControls, type SandboxOptions } from './app.js';
export { startSandboxServer, type RunningSandbox, type StartSandboxServerOptions } from './server.js';
export type { Clock } from './shared/clock.js';
export {
  CONNECTION_RESET_HEADER,
  FAULT_STATUSES,
  inProcessFetch,
  isConnectionReset,
  type FaultEffect,
  type FaultStatus,
  type InjectedFault,
} from './shared/faults.js';
export { MASTERCARD_DEFAULT_MISSING_FIELDS } from './mastercard/faults.js';
export { VIPPS_DEFAULT_MISSING_FIELDS } from './vipps/faults.js';
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
export {
  createVippsSandbox,
  createManualClock,
  signVippsWebhook,
  verifyVippsWebhook,
  DEFAULT_VIPPS_CREDENTIALS,
  DEFAULT_VIPPS_MERCHANT_NAME,
  DEFAULT_VIPPS_TIMING,
  EPAYMENT_WEBHOOK_EVENTS,
  VippsControlError,
  VippsSandboxOptionsError,
  type VippsSandbox,
  type VippsSandboxOptions,
  type VippsControls,
  type VippsCredentials,
  type VippsTiming,
  type WebhookRetryPolicy,
  type PaymentInspection as VippsPaymentInspection,
  type CallbackDelivery as VippsCallbackDelivery,
  type CallbackMode as VippsCallbackMode,
  type WebhookDelivery as VippsWebhookDelivery,
  type CallStatsSnapshot as VippsCallStats,
  type ManualClock,
  type Clock as VippsClock,
  type WebhookSignatureInput,
  type WebhookSignatureHeaders,
  type WebhookVerificationInput,
} from './vipps/index.js';
