/**
 * Side-effect-free entry: the class, its event and data types, i18n helpers. Importing this
 * registers nothing; import `@pay-with-bank/element/define` (or call customElements.define with your
 * own tag) to use the element.
 */
export { PayWithBank } from './pay-with-bank.component.js';
export { ApiClient, ApiError, type ApiClientOptions, type ApiErrorCode, type ClientErrorCode } from './api.js';
export type {
  PwbCancelDetail,
  PwbCancelEvent,
  PwbCompleteDetail,
  PwbCompleteEvent,
  PwbErrorDetail,
  PwbErrorEvent,
  PwbEventDetailMap,
  PwbEventMap,
  PwbEventName,
  PwbFailedDetail,
  PwbFailedEvent,
  PwbReadyDetail,
  PwbReadyEvent,
  PwbStateChangeDetail,
  PwbStateChangeEvent,
  Screen,
} from './events.js';
export {
  en,
  formatAmount,
  loadMessages,
  localeChain,
  registerMessageLoader,
  registerMessages,
  type MessageKey,
  type Messages,
} from './i18n/index.js';
/** Which result screen a payment shows (`processing`: still being confirmed when the checks ran out). */
export type { Outcome as ResultKind } from './flow/state.js';
export type {
  Bank,
  CheckoutPayment,
  CheckoutSession,
  Money,
  PaymentFailure,
  PaymentMethod,
  PaymentStatus,
} from '@pay-with-bank/protocol';
