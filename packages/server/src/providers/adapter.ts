/**
 * The one interface every payment provider implements. The server core (sessions, payments, store,
 * routes) only ever talks to providers through this: it never branches on a provider's name.
 * Each adapter converts our integer minor units to its provider's money format, maps the
 * provider's statuses to ours, and keeps the provider's own status beside it.
 */
import type {
  Address,
  Bank,
  Currency,
  Money,
  PaymentFailure,
  PaymentMethod,
  PaymentStatus,
  Shopper,
  ShippingOption,
} from '@pay-with-bank/protocol';

export { ProviderError, type ProviderErrorCode } from '../errors.js';

/** A bank as an adapter lists it: the widget's Bank plus the currencies it can pay in for us. */
export interface ProviderBank extends Bank {
  currencies: readonly Currency[];
}

/**
 * An express checkout's settings as the adapter gets them: the shopper shares contact details and
 * address in the provider's app and chooses shipping there.
 */
export interface ExpressPaymentInput {
  /**
   * The merchant's fixed options, for the provider to show as they are; null when they depend on
   * the address: the provider then asks per address (a `shipping-quote` callback the core answers).
   */
  options: readonly ShippingOption[] | null;
  /** The shopper confirms address and shipping method explicitly in the app. */
  confirmAddress: boolean;
}

/** Whether an adapter can take express checkouts; when not, a reason for the merchant (a configuration hint). */
export type ExpressSupport = { supported: true } | { supported: false; reason: string };

/** What an adapter is told when asked to create a provider payment. All of it comes from the server-side session. */
export interface CreatePaymentInput {
  /** Our payment id (pay_…): unique per attempt, usable as an idempotency key / order id seed. */
  paymentId: string;
  sessionId: string;
  amount: Money;
  /** Merchant reference (order number). */
  reference: string;
  description: string;
  /** Where the provider must send the shopper back: the merchant's allow-listed return URL with our return parameters. */
  returnUrl: string;
  /** Bank chosen in the widget (bank adapters), or null to choose in the provider's UI. */
  bankId: string | null;
  /**
   * The start request's method-specific options (everything but method, attemptId, bankId and
   * replace), opaque to the core: the adapter that owns the method validates what it takes.
   */
  options: Readonly<Record<string, unknown>>;
  locale: string;
  /** Set for an express checkout (only given to adapters whose `express` says supported); absent or null otherwise. */
  express?: ExpressPaymentInput | null;
}

/**
 * What the provider says about an express payment: the shopper's details and the shipping method
 * they chose, as the provider reports them. The core checks the method and its price against the
 * merchant's options; the provider's price is never taken as it is.
 */
export interface ExpressSnapshot {
  /** The shopper's details, once shared (null: not yet). */
  shopper: Shopper | null;
  /** The provider's id of the shopper (stored only as a hash, to honour a consent removal). */
  providerUserId: string | null;
  /** The chosen method, once chosen: its id and the price the provider applied, in minor units. */
  shipping: { methodId: string; amount: number } | null;
}

/** A provider's view of one payment, mapped to our model. */
export interface ProviderSnapshot {
  status: PaymentStatus;
  /** The provider's own status code, kept verbatim for support and reconciliation. */
  providerStatus: string;
  /** Bank that ended up being used (may be chosen in the provider's UI). */
  bankId?: string | null;
  failure?: PaymentFailure | null;
  /** Amounts in minor units, where the provider reports them (Vipps). */
  authorizedAmount?: number;
  capturedAmount?: number;
  refundedAmount?: number;
  cancelledAmount?: number;
  /** Provider data worth keeping verbatim (bounded, no secrets, no personal data). */
  raw?: unknown;
  /** Express payments: what the provider reports of the shopper and the shipping choice. */
  express?: ExpressSnapshot;
}

export interface CreatedProviderPayment {
  providerPaymentId: string;
  /** The provider's page to send the shopper to (top-level navigation). */
  redirectUrl: string;
  snapshot: ProviderSnapshot;
  /** When the provider stops waiting for the shopper, if it says. */
  expiresAt?: Date | null;
}

/** A provider callback or webhook after authentication, mapped to the payment it concerns. */
export interface StatusCallback {
  kind?: 'status';
  providerPaymentId: string;
  /** A deduplication key for replay safety (provider event id or a hash of the body). */
  eventKey: string;
  /** When present, the callback carried a status we can apply directly; otherwise the core refreshes. */
  snapshot?: ProviderSnapshot;
}

/**
 * The provider asks for the shipping options of an express payment for the shopper's address. The
 * core decides them (the session's options, or the merchant's shipping URL) and the adapter words
 * the answer in the provider's format.
 */
export interface ShippingQuoteCallback {
  kind: 'shipping-quote';
  providerPaymentId: string;
  address: Address;
  /** The provider's answer body for these options, in the payment's currency (minor units). */
  reply(options: readonly ShippingOption[], currency: Currency): unknown;
  /**
   * How the provider wants to hear that there are no options for this address (the merchant's
   * shipping URL failed or gave none it could use), when it has a way of its own: an HTTP status
   * and a body in its format. Absent: the core answers its shipping_unavailable error.
   */
  decline?(): { status: 400 | 404 | 409 | 422; body: Record<string, unknown> };
}

/**
 * The shopper withdrew their consent to share their details with the merchant: erase them from
 * every payment of that provider user. `providerPaymentId` is the payment whose credentials
 * authenticated the request (it must belong to that user).
 */
export interface ConsentRemovalCallback {
  kind: 'consent-removal';
  providerPaymentId: string;
  providerUserId: string;
}

export type CallbackResult = StatusCallback | ShippingQuoteCallback | ConsentRemovalCallback;

/** How often a provider wants to be asked about one payment. */
export interface PollingPolicy {
  /** Wait this long after the payment was created before the first status poll. */
  firstPollAfterMs: number;
  /** Then at most one status call per payment per this many ms. */
  intervalMs: number;
}

export interface ProviderAdapter {
  /** Stable id stored with each payment, e.g. `mastercard`, `vipps-ecom`, `vipps-epayment`. */
  readonly id: string;
  /** Which method of the widget this adapter serves. */
  readonly method: PaymentMethod;
  /** Currencies the provider can take for the configured merchant. */
  readonly currencies: readonly Money['currency'][];
  /**
   * True when this provider's `authorized` means the money is reserved for the merchant (Vipps),
   * so the checkout session counts as paid. False when `authorized` only means the shopper approved
   * and the bank may still fail it (Mastercard `Pending`): the session is paid on `completed`.
   */
  readonly authorizedMeansPaid: boolean;
  /**
   * How often the provider wants to be asked about one payment (Vipps: not before 5 s, then every
   * 2 s). Applied by the core's RefreshThrottle: `refresh` is never called more often than this,
   * however many browser tabs are polling.
   */
  readonly pollingPolicy?: PollingPolicy;
  /** Express checkout (shopper details and shipping chosen in the provider's app); absent: not offered. */
  readonly express?: ExpressSupport;

  /** Called once when the server starts (not awaited by it): e.g. register webhooks with the provider. */
  start?(): Promise<unknown>;

  /** Banks to offer in the widget (bank adapters only); the core caches and filters them. */
  listBanks?(): Promise<ProviderBank[]>;
  createPayment(input: CreatePaymentInput): Promise<CreatedProviderPayment>;
  /** Ask the provider for the latest status. */
  refresh(providerPaymentId: string): Promise<ProviderSnapshot>;
  capture?(providerPaymentId: string, amount: Money, idempotencyKey: string): Promise<ProviderSnapshot>;
  cancel?(providerPaymentId: string, idempotencyKey: string): Promise<ProviderSnapshot>;
  refund?(providerPaymentId: string, amount: Money, idempotencyKey: string): Promise<ProviderSnapshot>;
  /**
   * Authenticate and parse a provider callback/webhook arriving at `/v1/callbacks/{adapter.id}/…`
   * (POST or DELETE). Throws ProviderError('unauthorized' | 'invalid_request') for forged or
   * malformed requests.
   */
  handleCallback?(request: Request, subPath: string): Promise<CallbackResult>;
}

/** The optional operations: an adapter offers one exactly when it has the method (no separate flag). */
export type AdapterOperation = 'capture' | 'cancel' | 'refund' | 'handleCallback' | 'listBanks';

export function offers(adapter: ProviderAdapter, operation: AdapterOperation): boolean {
  return typeof adapter[operation] === 'function';
}

/** The adapter's express support (absent means not offered). */
export function expressSupport(adapter: ProviderAdapter): ExpressSupport {
  return adapter.express ?? { supported: false, reason: 'this provider has no express checkout' };
}
