import type { Money, PaymentFailure, PaymentMethod, PaymentStatus } from '@pay-with-bank/protocol';
import type { ApiErrorCode } from './api.js';

/** The element's screens, in the order a shopper usually meets them. */
export type Screen =
  | 'loading'
  /** Express mode (product and cart pages): the provider's "buy now" button. */
  | 'express'
  | 'method-choice'
  | 'bank-list'
  | 'vipps-phone'
  | 'redirecting'
  | 'waiting'
  | 'result'
  | 'error';

export interface PwbReadyDetail {
  sessionId: string;
  amount: Money;
  reference: string;
  /** Methods the shopper can choose from (session methods ∩ the `methods` attribute). */
  methods: PaymentMethod[];
}

export interface PwbStateChangeDetail {
  screen: Screen;
  previousScreen: Screen;
  /** Status of the payment shown, if any. */
  paymentStatus: PaymentStatus | null;
}

interface PaymentOutcome {
  paymentId: string;
  method: PaymentMethod;
  amount: Money;
  reference: string;
}

/** The payment succeeded (`completed`) or, for Vipps, the amount is reserved (`authorized`). */
export interface PwbCompleteDetail extends PaymentOutcome {
  status: 'completed' | 'authorized';
}

export interface PwbFailedDetail extends PaymentOutcome {
  status: 'failed';
  failure: PaymentFailure | null;
}

/** The shopper cancelled, or did not approve in time. */
export interface PwbCancelDetail extends PaymentOutcome {
  status: 'cancelled' | 'expired';
}

/** The session could not be loaded, a payment could not be started or checked, or there is no session token. */
export interface PwbErrorDetail {
  code: ApiErrorCode;
  message: string;
  retryable: boolean;
}

export interface PwbEventDetailMap {
  'pwb-ready': PwbReadyDetail;
  'pwb-state-change': PwbStateChangeDetail;
  'pwb-complete': PwbCompleteDetail;
  'pwb-failed': PwbFailedDetail;
  'pwb-cancel': PwbCancelDetail;
  'pwb-error': PwbErrorDetail;
}

export type PwbEventName = keyof PwbEventDetailMap;
export type PwbReadyEvent = CustomEvent<PwbReadyDetail>;
export type PwbStateChangeEvent = CustomEvent<PwbStateChangeDetail>;
export type PwbCompleteEvent = CustomEvent<PwbCompleteDetail>;
export type PwbFailedEvent = CustomEvent<PwbFailedDetail>;
export type PwbCancelEvent = CustomEvent<PwbCancelDetail>;
export type PwbErrorEvent = CustomEvent<PwbErrorDetail>;

/** Events bubble and cross shadow boundaries so a listener anywhere up the tree hears them. */
export function createPwbEvent<K extends PwbEventName>(
  type: K,
  detail: PwbEventDetailMap[K],
): CustomEvent<PwbEventDetailMap[K]> {
  return new CustomEvent(type, { detail, bubbles: true, composed: true });
}

/** The element's events by name, as typed events (also merged into the DOM event maps below). */
export interface PwbEventMap {
  'pwb-ready': PwbReadyEvent;
  'pwb-state-change': PwbStateChangeEvent;
  'pwb-complete': PwbCompleteEvent;
  'pwb-failed': PwbFailedEvent;
  'pwb-cancel': PwbCancelEvent;
  'pwb-error': PwbErrorEvent;
}

// Listeners on the element, or on document (the events bubble and are composed), get typed details.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface HTMLElementEventMap extends PwbEventMap {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DocumentEventMap extends PwbEventMap {}
}
