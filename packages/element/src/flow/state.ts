/**
 * The checkout as data: every state the widget can be in, every event that can arrive, and what the
 * states share. `transition.ts` is the behaviour (a pure function of these), `effects.ts` the I/O each
 * state asks for; the CheckoutController runs that I/O and turns its answers back into events.
 */
import type { CheckoutPayment, CheckoutSession, PaymentMethod, StartPaymentRequest } from '@pay-with-bank/protocol';
import type { ApiErrorCode } from '../api.js';

/** A failed request (or a missing token) as the flow sees it; `ApiError` is one. */
export interface Problem {
  readonly code: ApiErrorCode;
  readonly message: string;
  /** Whether the same request may simply be sent again. */
  readonly retryable: boolean;
  readonly details?: Readonly<Record<string, unknown>> | null;
}

/** What the merchant configured on the element (its attributes), fixed for one load. */
export interface Setup {
  /** The `methods` attribute: the subset of the session's methods to offer; empty offers all. */
  methods: readonly string[];
  /** Status checks: milliseconds between them (backing off to 5×) and how many before "still processing". */
  polling: { interval: number; limit: number };
  /** Banks the merchant shows first (`highlighted-banks`), in that order. */
  highlightedBanks: readonly string[];
  /** The bank selected when the list opens (`preselected-bank`), or null. */
  preselectedBank: string | null;
  /** What each method remembered on this device (only with `remember-bank`), e.g. `{ bank: { bankId, country } }`. */
  remembered: Readonly<Partial<Record<PaymentMethod, unknown>>>;
  /** `remember-bank`: remember this payment's choice for the next checkout on this device. */
  remember: boolean;
  /**
   * Wait with the server's live status stream (`liveStatus`, default on); polling is the fallback
   * when the stream fails. Absent or false: poll only.
   */
  live?: boolean;
}

/** Data a method's screen loaded on demand (the bank list of a country), by the method's own key. */
export type Loaded = { ok: true; value: unknown } | { ok: false; error: Problem };

/** What every state after the session read carries. */
export interface Context {
  session: CheckoutSession;
  setup: Setup;
  /** The methods the shopper can choose from: the session's that the element knows, limited by `methods`. */
  methods: readonly PaymentMethod[];
  data: Readonly<Record<string, Loaded>>;
  /** Each method's form as the shopper left it (a bank chosen, a phone number typed). */
  forms: Readonly<Partial<Record<PaymentMethod, unknown>>>;
  /**
   * The Pay action in progress: repeating it after an unanswered request keeps its id (the server
   * then never creates a second payment for it). `spent`: the server recorded the attempt as failed,
   * so the next Pay, even with the same choice, is a new attempt.
   */
  attempt: Attempt | null;
  /** The shopper chose to leave a payment that is still open: the next start replaces it. */
  replace: boolean;
}

export interface Attempt {
  id: string;
  /** The method's part of the request (bank, phone number…), as JSON, to tell a repeat from a new choice. */
  intent: string;
  request: StartPaymentRequest;
  spent: boolean;
}

/** Which result the shopper sees; `processing`: the checks ran out while the provider was still working. */
export type Outcome = 'completed' | 'authorized' | 'failed' | 'cancelled' | 'expired' | 'processing';

/** What "Try again" on an error screen does. */
export type Retry =
  | { kind: 'load'; setup: Setup; returning: string | null }
  | { kind: 'check'; ctx: Context; paymentId: string; payment: CheckoutPayment | null }
  /** Express mode's chunk (its button) did not load: load it again. */
  | { kind: 'express' };

/**
 * Express mode: the shopper pressed the "buy now" button; once the page's `createSession` gave a
 * token and the session is read, the payment starts at once with this attempt id.
 */
export interface ExpressStart {
  attemptId: string;
  mobile: boolean;
}

export type State =
  /** No session token yet: a script may still set one (the loading screen). */
  | { kind: 'no-token' }
  /** Express mode, no session yet: the "buy now" button; `error`: the last press could not create one. */
  | { kind: 'express'; error: Problem | null }
  /** Express mode: the page's `createSession` is creating the checkout session (button busy). */
  | { kind: 'creating-session'; start: ExpressStart }
  /** Reading the session; `returning`: the payment named by the return URL; `express`: start at once. */
  | { kind: 'loading'; setup: Setup; returning: string | null; express?: ExpressStart }
  /** The session could not be read, the payment could not be checked, or there is no token at all. */
  | { kind: 'failed'; error: Problem; retry: Retry | null }
  /** Choosing how to pay. */
  | { kind: 'methods'; ctx: Context }
  /** A method's screen (the bank list, the Vipps number); `startError`: the last Pay's refusal. */
  | { kind: 'form'; ctx: Context; method: PaymentMethod; startError: Problem | null }
  /** Pay was pressed: the start request is on its way (the form stays, Pay disabled). */
  | { kind: 'starting'; ctx: Context; method: PaymentMethod; attempt: Attempt }
  /** The server kept another payment of this checkout open (payment_in_progress): fetching it. */
  | { kind: 'opening'; ctx: Context; method: PaymentMethod; attemptId: string; refusal: Problem }
  /** Leaving for the provider's page. */
  | { kind: 'redirecting'; ctx: Context; payment: CheckoutPayment; url: string }
  /**
   * Checking the payment until it is final: `checks` answered so far (the next one is number
   * `checks`); `payment` null until the first answer after a return; `note`: the shopper's Pay was
   * answered with this open payment.
   */
  | {
      kind: 'waiting';
      ctx: Context;
      paymentId: string;
      payment: CheckoutPayment | null;
      checks: number;
      note: boolean;
      /** Live status streams opened so far (a new one after the server ends one for its age). */
      streams?: number;
      /** The stream failed: checking by polling from here on. */
      polling?: boolean;
    }
  | { kind: 'result'; ctx: Context; payment: CheckoutPayment; outcome: Outcome };

export type StateKind = State['kind'];

export type Event =
  // ------------------------------------------------ from the controller: the element's lifecycle
  /** Started without a session token. */
  | { type: 'await-token' }
  /** No token came in time. */
  | { type: 'token-timeout' }
  /** Express mode without a token: show the "buy now" button. */
  | { type: 'express-ready' }
  /** Read the session (again: a new token, a page restored from the back/forward cache). */
  | { type: 'load'; setup: Setup; returning: string | null; express?: ExpressStart }
  /** Express mode: the chunk with its button could not load (offline, a host serving only the entry). */
  | { type: 'express-unavailable'; error: Problem }
  /** Express mode: `createSession` failed (the token arrives as a new `load`). */
  | { type: 'session-not-created'; error: Problem }
  /** The merchant changed an attribute the flow reads. */
  | { type: 'configure'; setup: Setup }
  // ------------------------------------------------ from the controller: answers
  | { type: 'session'; session: CheckoutSession }
  | { type: 'session-failed'; error: Problem }
  | { type: 'data'; key: string; value: unknown }
  | { type: 'data-failed'; key: string; error: Problem }
  | { type: 'started'; attemptId: string; payment: CheckoutPayment; url: string }
  | { type: 'start-failed'; attemptId: string; error: Problem }
  /** The open payment the server named (null: none found) and the session as it is now. */
  | { type: 'open-payment'; attemptId: string; session: CheckoutSession; payment: CheckoutPayment | null }
  | { type: 'open-payment-failed'; attemptId: string }
  /** `at`: the time of the answer (ms since the epoch), for "is the provider's countdown still running". */
  | { type: 'refreshed'; paymentId: string; check: number; payment: CheckoutPayment; at: number }
  | { type: 'refresh-failed'; paymentId: string; check: number; error: Problem; at: number }
  /** The live status stream: the payment as committed now (the first is its current state). */
  | { type: 'streamed'; paymentId: string; payment: CheckoutPayment }
  /** The server ended the stream: `final` (nothing more to come), or reconnect (`lifetime`, `shutdown`). */
  | { type: 'stream-ended'; paymentId: string; reason: 'final' | 'lifetime' | 'shutdown' }
  /** The stream could not be opened, broke or went quiet: poll instead. */
  | { type: 'stream-failed'; paymentId: string; error: Problem }
  // ------------------------------------------------ from the shopper (the screens)
  /** The express "buy now" button, with a fresh attempt id and the device. */
  | { type: 'buy'; attemptId: string; mobile: boolean }
  | { type: 'choose'; method: PaymentMethod }
  /** Input on a method's screen, for that method's module. */
  | { type: 'input'; method: PaymentMethod; input: unknown }
  /** `attemptId`: a fresh id, used unless the same choice repeats an unanswered attempt. */
  | { type: 'pay'; attemptId: string; mobile: boolean }
  /** "Try again" on a start error: the same request, the same attempt unless it is spent. */
  | { type: 'retry-start'; attemptId: string }
  /** "Try again" on a method's data (the bank list could not be loaded). */
  | { type: 'retry-data'; key: string }
  /** "Try again" on the error screen. */
  | { type: 'retry' }
  | { type: 'back' }
  /** After a failed, cancelled or expired payment: that method's screen again, the choice kept. */
  | { type: 'try-again' }
  /** "Choose another way to pay": leaving a payment that is still open is this explicit choice. */
  | { type: 'choose-another' }
  /** "Check again" on "still processing". */
  | { type: 'check-again' };

export type EventType = Event['type'];

/**
 * What the screens raise. The controller adds what a screen cannot know: a fresh attempt id and the
 * device (Pay, and "Try again" on a start error).
 */
export type ScreenEvent =
  | Extract<
      Event,
      { type: 'choose' | 'input' | 'retry-data' | 'retry' | 'back' | 'try-again' | 'choose-another' | 'check-again' }
    >
  | { type: 'pay' }
  | { type: 'buy' }
  | { type: 'retry-start' };

export type Send = (event: ScreenEvent) => void;

/**
 * What a state asks of the outside world, as data: the requests, timers and navigations the
 * CheckoutController runs. An effect runs while its key is wanted; a key that disappears is aborted
 * (its answer, if any, is never delivered).
 */
export type Effect =
  /** Wait for a session token, then give up (missing_token). */
  | { key: string; type: 'token-timeout' }
  /** Express mode: ask the page's `createSession` for a checkout session's client token. */
  | { key: string; type: 'create-session' }
  | { key: string; type: 'session' }
  /** Data for the method's form (a country's banks). */
  | { key: string; type: 'data'; method: PaymentMethod; dataKey: string }
  | { key: string; type: 'start'; request: StartPaymentRequest }
  /** Fetch the payment the server kept open (payment_in_progress names it in `details.paymentId`). */
  | { key: string; type: 'find-open'; attemptId: string; paymentId: string | null }
  /** Follow the payment's live status stream (after `delay` ms) until the server ends it. */
  | { key: string; type: 'watch'; paymentId: string; delay: number }
  /** Check the payment once, after `delay` ms. */
  | { key: string; type: 'refresh'; paymentId: string; check: number; delay: number }
  /** Top-level navigation to the provider (once). */
  | { key: string; type: 'navigate'; url: string }
  /** Remember the method's choice on this device (once; only with `remember-bank`). */
  | { key: string; type: 'remember'; method: PaymentMethod; value: unknown }
  /** Tell the page how the payment ended: pwb-complete, pwb-failed or pwb-cancel (once per payment and status). */
  | { key: string; type: 'report'; payment: CheckoutPayment; outcome: Outcome; reference: string };

/** Effects that run once (per load; reports once in an element's life), however often their state comes back. */
export const ONCE: readonly Effect['type'][] = ['navigate', 'remember', 'report'];
