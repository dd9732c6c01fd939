/**
 * In-memory state of the Vipps emulator: eCom orders, ePayment payments, the user's side of each
 * payment (landing page / phone), webhook registrations, outbound deliveries and scenario settings.
 * Everything here is wiped by reset(); access tokens live in auth.ts and survive a reset on purpose
 * (a server caching its token should not break because a test reset the scenarios).
 */
import type { TimerHandle } from './clock.js';
import type { VippsApiFault } from './faults.js';
import type { VippsTiming, WebhookRetryPolicy } from './options.js';

// ---------------------------------------------------------------- eCom v2

/** Operations of TransactionLogHistory (swagger.yaml). */
export type EcomOperation = 'INITIATE' | 'RESERVE' | 'SALE' | 'CAPTURE' | 'REFUND' | 'CANCEL' | 'VOID';

export interface EcomLogEntry {
  amount: number;
  operation: EcomOperation;
  operationSuccess: boolean;
  requestId: string;
  timeStamp: string;
  transactionId: string;
  transactionText: string;
}

/**
 * Where an eCom order is. `cancelled` = cancelled before reservation (by the user in the app, or by
 * the merchant while INITIATE); `expired` = the user did nothing in time (callback REJECTED);
 * `voided` = the merchant cancelled a reservation.
 */
export type EcomStatus = 'initiated' | 'reserved' | 'cancelled' | 'expired' | 'voided';

export interface StoredResponse {
  /** What the request asked for, to tell a replay from a conflicting reuse of the same key. */
  fingerprint: string;
  status: number;
  body: unknown;
}

export interface EcomPayment {
  kind: 'ecom';
  orderId: string;
  msn: string;
  amount: number;
  transactionText: string;
  createdAt: number;
  callbackPrefix: string;
  fallBack: string;
  /** Merchant's secret for our callbacks: never shown by inspection endpoints. */
  authToken: string | null;
  isApp: boolean;
  skipLandingPage: boolean;
  mobileNumber: string | null;
  status: EcomStatus;
  cancelledBy: 'user' | 'merchant' | null;
  capturedAmount: number;
  refundedAmount: number;
  /** The merchant released what was left of a partially captured reservation. */
  remainderReleased: boolean;
  transactionId: string;
  bankIdentificationNumber: number | null;
  /** Oldest first; /details answers newest first. */
  log: EcomLogEntry[];
  userToken: string;
  /** X-Request-Id replays, keyed `{endpoint}:{X-Request-Id}`. */
  requestIds: Map<string, StoredResponse>;
  /** Vipps Hurtigkasse (`paymentType: "eComm Express Payment"`); null for regular payments. */
  express: ExpressOrder | null;
}

// ---------------------------------------------------------------- eCom v2 express checkout

/**
 * One shipping option as the app lists it: eCom's ShippingDetails (NOK) or one option of an ePayment
 * shipping group (minor units), flattened.
 */
export interface ShippingOption {
  /** eCom `shippingMethodId`; ePayment `options[].id`. */
  shippingMethodId: string;
  /** eCom `shippingMethod`; ePayment `options[].name`. */
  shippingMethod: string;
  /** NOK, as sent (eCom's ShippingCost is a decimal number of kroner; ePayment: value / 100). */
  shippingCost: number;
  /** The same in øre (ePayment: `amount.value`). */
  costOre: number;
  priority: number | null;
  isDefault: boolean;
  /** ePayment only: the group the option belongs to and its optional texts. */
  group?: { brand: string; type: string };
  meta?: string;
  estimatedDelivery?: string;
}

/** One of the test user's addresses (Vipps' profile addresses; `addressId` ≥ 100 as in the spec). */
export interface ExpressAddress {
  addressId: number;
  addressType: 'H' | 'W' | 'O';
  /** How the app names it: Home, Work, Other. */
  label: string;
  addressLine1: string;
  addressLine2: string;
  postCode: string;
  city: string;
}

/** What Vipps shares with the merchant once the user consents (the spec's UserDetails). */
export interface ExpressUser {
  userId: string;
  firstName: string;
  lastName: string;
  email: string;
  /** 8 digits, as UserDetails wants it. */
  mobileNumber: string;
}

/** Why the shipping options could not be shown. */
export type ShippingFailure =
  | 'timeout'
  | 'network-error'
  | 'http-error'
  | 'invalid'
  | 'empty'
  /** ePayment: the merchant answered HTTP 400, "cannot ship to that address". */
  | 'refused';

/** The shipping options for the selected address. */
export type ShippingLookup =
  | { status: 'idle' }
  | { status: 'loading'; addressId: number }
  | { status: 'ready'; addressId: number; options: ShippingOption[]; source: 'static' | 'merchant' }
  | { status: 'failed'; addressId: number; failure: ShippingFailure };

/** The user's side of an express checkout, the same in eCom (Hurtigkasse) and ePayment (Express). */
export interface ExpressSteps {
  /** eCom `transaction.useExplicitCheckoutFlow`; always true for ePayment (its app confirms delivery on its own step). */
  explicitCheckoutFlow: boolean;
  /** The items, without shipping (øre / minor units). */
  itemsAmount: number;
  consent: 'pending' | 'given' | 'refused';
  /** Known to the merchant only after consent. */
  user: ExpressUser | null;
  addressId: number;
  lookup: ShippingLookup;
  /** Bumped per lookup: an answer to an older lookup is ignored. */
  lookupSeq: number;
  selectedShippingMethodId: string | null;
  /** Explicit flow: the user has confirmed address and shipping method. */
  deliveryConfirmed: boolean;
  /** What was reserved: the address and option the user confirmed. */
  reserved: { address: ExpressAddress; option: ShippingOption } | null;
  /** The user removed the consent later (eCom: the consent removal call was sent). */
  consentRemovedAt: number | null;
}

export interface ExpressOrder extends ExpressSteps {
  consentRemovalPrefix: string;
  /** null when the merchant sent staticShippingDetails and no prefix. */
  shippingDetailsPrefix: string | null;
  /** Sorted as the app shows them; when given, the shippingDetails callback is never used (spec). */
  staticShippingDetails: ShippingOption[] | null;
}

/** ePayment Express (`shipping` in POST /epayment/v1/payments). */
export interface EpaymentExpress extends ExpressSteps {
  /** `shipping.fixedOptions`, flattened and sorted as the app lists them; null with dynamicOptions. */
  fixedOptions: ShippingOption[] | null;
  /** `shipping.dynamicOptions.callbackUrl`; null with fixedOptions. */
  callbackUrl: string | null;
  /** `shipping.dynamicOptions.callbackAuthorizationToken`: the merchant's secret, never shown by inspection. */
  callbackAuthorizationToken: string | null;
  /** `shipping.allowedCountries`, as sent (null when absent). */
  allowedCountries: string[] | null;
}

/** How the sandbox treats the merchant's shippingDetails answer (a scenario control). */
export type ShippingDetailsScenario =
  | { mode: 'normal' }
  /** The answer "arrives" after delayMs (default: never within the timeout). */
  | { mode: 'slow'; delayMs: number | null }
  /** The answer counts as this non-2xx status. */
  | { mode: 'fail'; status: number }
  /** The answer counts as a 200 whose body is not a FetchShippingCostResponse. */
  | { mode: 'nonsense' };

/** One express call the sandbox made to the merchant: the shippingDetails lookup or a consent removal. */
export interface ExpressExchange {
  id: string;
  kind: 'shipping-details' | 'consent-removal';
  orderIds: string[];
  method: 'POST' | 'DELETE';
  url: string;
  /** Whether the merchant's authToken was sent as `Authorization` (its value is never recorded). */
  sentAuthorization: boolean;
  requestBody: string | null;
  startedAt: string;
  finishedAt: string | null;
  /** What the merchant actually answered (body cut at 64 KiB), null without an answer. */
  response: { status: number; body: string } | null;
  error: string | null;
  /** The scenario applied on top of the merchant's answer, if any. */
  scenario: ShippingDetailsScenario['mode'] | null;
  outcome: 'pending' | 'accepted' | ShippingFailure | 'delivered' | 'failed';
}

// ---------------------------------------------------------------- ePayment v1

export type EpaymentCurrency = 'NOK' | 'DKK' | 'EUR';
export interface EpaymentAmount {
  currency: EpaymentCurrency;
  value: number;
}
export type EpaymentState = 'CREATED' | 'AUTHORIZED' | 'ABORTED' | 'EXPIRED' | 'TERMINATED';
export type EpaymentEventName =
  'CREATED' | 'ABORTED' | 'EXPIRED' | 'CANCELLED' | 'CAPTURED' | 'REFUNDED' | 'AUTHORIZED' | 'TERMINATED';
export type EpaymentUserFlow = 'PUSH_MESSAGE' | 'NATIVE_REDIRECT' | 'WEB_REDIRECT' | 'QR';

export interface EpaymentEvent {
  reference: string;
  pspReference: string;
  name: EpaymentEventName;
  amount: EpaymentAmount;
  timestamp: string;
  idempotencyKey: string | null;
  success: boolean;
}

/** What a user shared with a sales unit in one payment (ePayment profile sharing / Express). */
export interface SharedProfile {
  user: ExpressUser;
  /** MSISDN, e.g. 4791234567. */
  msisdn: string;
  /** `profile.scope`, split. */
  scopes: string[];
  /** When the user authorized the payment: the Userinfo API serves it for 168 hours from then. */
  sharedAt: number;
  /** The user removed the consent in the app (nothing is sent to the merchant; see the README). */
  revokedAt: number | null;
}

export interface EpaymentPayment {
  kind: 'epayment';
  reference: string;
  msn: string;
  amount: EpaymentAmount;
  state: EpaymentState;
  pspReference: string;
  userFlow: EpaymentUserFlow;
  returnUrl: string | null;
  /** MSISDN as sent by the merchant, e.g. 4791234567. */
  phoneNumber: string | null;
  paymentDescription: string | null;
  metadata: Record<string, string> | null;
  profileScope: string | null;
  sub: string | null;
  /** Profile sharing: who shared what, once the payment is authorized (for GET, webhooks and Userinfo). */
  sharedProfile: SharedProfile | null;
  /** Express (`shipping` in the create request); null for other payments. */
  express: EpaymentExpress | null;
  capturedValue: number;
  refundedValue: number;
  cancelledValue: number;
  events: EpaymentEvent[];
  redirectUrl: string | null;
  userToken: string;
  createdAt: number;
}

// ---------------------------------------------------------------- the user's side

/**
 * The shopper's journey for one payment: landing page (desktop) → push → phone, or app switch
 * (mobile) → phone. `deadline` is when the payment expires if the user has not finished.
 */
export interface UserSession {
  token: string;
  kind: 'ecom' | 'epayment';
  paymentId: string;
  /** Pre-filled / entered phone number, as the user sees it (8 digits for Norway). */
  phoneNumber: string | null;
  /** isApp (eCom) or NATIVE_REDIRECT (ePayment): always switch to the app. */
  forceApp: boolean;
  stage: 'landing' | 'pushed' | 'app';
  /** How the user reached the phone: decides whether confirm/reject redirects back to the merchant. */
  flow: 'push' | 'app-switch' | null;
  createdAt: number;
  deadline: number;
  timer: TimerHandle | null;
}

// ---------------------------------------------------------------- webhooks and deliveries

export interface WebhookRegistration {
  id: string;
  msn: string;
  url: string;
  events: string[];
  secret: string;
  createdAt: number;
}

export interface DeliveryAttempt {
  at: string;
  httpStatus: number | null;
  error: string | null;
}

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  url: string;
  event: string;
  reference: string;
  state: 'pending' | 'delivered' | 'failed' | 'suppressed';
  attempts: DeliveryAttempt[];
  nextAttemptAt: string | null;
  /** The exact JSON body sent (signed). */
  body: string;
}

export type CallbackMode = { mode: 'on-time' } | { mode: 'late'; delayMs: number } | { mode: 'never' };

export interface CallbackDelivery {
  orderId: string;
  url: string;
  status: string;
  mode: CallbackMode['mode'];
  state: 'scheduled' | 'delivered' | 'failed' | 'suppressed';
  scheduledFor: string;
  attempt: DeliveryAttempt | null;
  body: string;
}

// ---------------------------------------------------------------- the store

export interface ScenarioSettings {
  callbackDefault: CallbackMode;
  callbackByOrder: Map<string, CallbackMode>;
  webhooksEnabled: boolean;
  landingTimeoutMs: number;
  appTimeoutMs: number;
  webhookRetry: WebhookRetryPolicy;
  /** Added before every API call. */
  latencyMs: number;
  shippingDefault: ShippingDetailsScenario;
  shippingByOrder: Map<string, ShippingDetailsScenario>;
  shippingDetailsTimeoutMs: number;
}

export class VippsState {
  ecom = new Map<string, EcomPayment>();
  epayment = new Map<string, EpaymentPayment>();
  sessions = new Map<string, UserSession>();
  webhooks = new Map<string, WebhookRegistration>();
  webhookDeliveries: WebhookDelivery[] = [];
  callbackDeliveries: CallbackDelivery[] = [];
  /** Express shippingDetails lookups and consent removals, oldest first. */
  expressExchanges: ExpressExchange[] = [];
  /** ePayment Idempotency-Key records, keyed `{msn}|{operation}|{reference}|{key}`. */
  idempotency = new Map<string, StoredResponse>();
  /** Injected faults, consumed one per matching API call. */
  faults: VippsApiFault[] = [];
  scenario: ScenarioSettings;
  /** Bumped by reset(): late work from before a reset is dropped. */
  generation = 0;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly timers = new Set<TimerHandle>();

  constructor(
    private readonly defaults: VippsTiming,
    private readonly cancelTimer: (handle: TimerHandle) => void,
  ) {
    this.scenario = this.defaultScenario();
  }

  private defaultScenario(): ScenarioSettings {
    return {
      callbackDefault: { mode: 'on-time' },
      callbackByOrder: new Map(),
      webhooksEnabled: true,
      landingTimeoutMs: this.defaults.landingTimeoutMs,
      appTimeoutMs: this.defaults.appTimeoutMs,
      webhookRetry: { ...this.defaults.webhookRetry },
      latencyMs: 0,
      shippingDefault: { mode: 'normal' },
      shippingByOrder: new Map(),
      shippingDetailsTimeoutMs: this.defaults.shippingDetailsTimeoutMs,
    };
  }

  /** Remembers a timer so reset() can cancel it. */
  trackTimer(handle: TimerHandle): TimerHandle {
    this.timers.add(handle);
    return handle;
  }

  forgetTimer(handle: TimerHandle): void {
    this.timers.delete(handle);
  }

  /** Remembers outbound work so tests can wait for it (flush). */
  track(promise: Promise<unknown>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise)).catch(() => undefined);
  }

  /** Resolves when every delivery in flight has settled (timers still waiting are not awaited). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) {
      await Promise.allSettled([...this.pending]);
    }
  }

  reset(): void {
    for (const handle of this.timers) this.cancelTimer(handle);
    this.timers.clear();
    this.ecom.clear();
    this.epayment.clear();
    this.sessions.clear();
    this.webhooks.clear();
    this.webhookDeliveries = [];
    this.callbackDeliveries = [];
    this.expressExchanges = [];
    this.idempotency.clear();
    this.faults = [];
    this.scenario = this.defaultScenario();
    this.generation++;
  }
}
