/**
 * The one interface every payment provider implements. The server core (sessions, payments, store,
 * routes) only ever talks to providers through this: it never branches on a provider's name.
 * Each adapter converts our integer minor units to its provider's money format, maps the
 * provider's statuses to ours, and keeps the provider's own status beside it.
 */
import type { Bank, Currency, Money, PaymentFailure, PaymentMethod, PaymentStatus } from '@pay-with-bank/protocol';

export { ProviderError, type ProviderErrorCode } from '../errors.js';

/** A bank as an adapter lists it: the widget's Bank plus the currencies it can pay in for us. */
export interface ProviderBank extends Bank {
  currencies: readonly Currency[];
}

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
  /** Provider data worth keeping verbatim (bounded, no secrets). */
  raw?: unknown;
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
export interface CallbackResult {
  providerPaymentId: string;
  /** A deduplication key for replay safety (provider event id or a hash of the body). */
  eventKey: string;
  /** When present, the callback carried a status we can apply directly; otherwise the core refreshes. */
  snapshot?: ProviderSnapshot;
}

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
   * Authenticate and parse a provider callback/webhook arriving at `/v1/callbacks/{adapter.id}/…`.
   * Throws ProviderError('unauthorized' | 'invalid_request') for forged or malformed requests.
   */
  handleCallback?(request: Request, subPath: string): Promise<CallbackResult>;
}

/** The optional operations: an adapter offers one exactly when it has the method (no separate flag). */
export type AdapterOperation = 'capture' | 'cancel' | 'refund' | 'handleCallback' | 'listBanks';

export function offers(adapter: ProviderAdapter, operation: AdapterOperation): boolean {
  return typeof adapter[operation] === 'function';
}
