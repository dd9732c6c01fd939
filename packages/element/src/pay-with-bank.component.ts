import { LitElement, html, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type {
  Bank,
  CheckoutPayment,
  CheckoutSession,
  PaymentMethod,
  StartPaymentRequest,
} from '@pay-with-bank/protocol';
import { ApiClient, ApiError } from './api.js';
import { isMobileDevice } from './device.js';
import { createPwbEvent, type PwbEventDetailMap, type PwbEventName, type Screen } from './events.js';
import { createTranslator, type Translator } from './i18n/index.js';
import { consumeReturnParams, type ReturnParams } from './return.js';
import { forgetReturnState } from './return-state.js';
import { styles } from './pay-with-bank.styles.js';
import { isSettled, isTerminalStatus, newAttemptId, safeHttpUrl } from './status.js';
import { CHOOSE_LATER, filterBanks, renderBankList } from './screens/bank-list.js';
import { renderError } from './screens/error.js';
import { renderLoading } from './screens/loading.js';
import { renderMethodChoice } from './screens/method-choice.js';
import { renderRedirecting } from './screens/redirecting.js';
import { renderResult, type ResultKind } from './screens/result.js';
import { normalizePhoneNumber, renderVippsPhone } from './screens/vipps-phone.js';
import { renderWaiting } from './screens/waiting.js';

/** What a Pay action asks for; the same intent retried after a network error keeps its attempt id. */
interface PayIntent {
  method: PaymentMethod;
  bankId?: string | null;
  phoneNumber?: string;
}

const intentKey = (intent: PayIntent) =>
  JSON.stringify([intent.method, intent.bankId ?? null, intent.phoneNumber ?? null]);

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Start errors after which the server has recorded the attempt as failed at the provider. */
const ATTEMPT_ENDING_ERRORS: ReadonlySet<string> = new Set([
  'provider_unavailable',
  'provider_timeout',
  'provider_error',
]);

const MISSING_TOKEN =
  'No session token: set the session-token attribute, or open the page from the return URL (pwb_return).';

const asApiError = (error: unknown): ApiError =>
  error instanceof ApiError
    ? error
    : new ApiError('invalid_response', error instanceof Error ? error.message : String(error), true);

/**
 * @summary Checkout widget: pay by bank (open banking payment initiation) or with Vipps, through the
 * pay-with-bank companion server.
 *
 * @event pwb-ready - The session loaded. Detail: `PwbReadyDetail` (sessionId, amount, reference, methods).
 * @event pwb-state-change - The screen changed. Detail: `PwbStateChangeDetail` (screen, previousScreen, paymentStatus).
 * @event pwb-complete - The payment succeeded (or, for Vipps, is reserved). Detail: `PwbCompleteDetail` (paymentId, status, amount, reference, method).
 * @event pwb-failed - The payment failed. Detail: `PwbFailedDetail` (paymentId, failure, amount, reference, method).
 * @event pwb-cancel - The payment was cancelled or expired. Detail: `PwbCancelDetail` (paymentId, status, amount, reference, method).
 * @event pwb-error - A request to the server failed, or there is no session token (`missing_token`). Detail: `PwbErrorDetail` (code, message, retryable).
 *
 * @csspart base - The widget's box.
 * @csspart heading - Each screen's heading.
 * @csspart summary - The amount / payee / reference list.
 * @csspart amount - The formatted amount.
 * @csspart reference - The payment reference (results).
 * @csspart methods - The list of payment methods.
 * @csspart method - A payment method button.
 * @csspart search - The bank search input.
 * @csspart country - The country select.
 * @csspart input - Text inputs (search, phone number).
 * @csspart phone-input - The Vipps phone number input.
 * @csspart bank-list - The list of banks.
 * @csspart bank - A bank row (label with radio, logo, name).
 * @csspart bank-choose-later - The "Choose my bank on the next page" row.
 * @csspart bank-logo - A bank's logo (or its initials).
 * @csspart bank-initials - The initials shown when a bank has no logo.
 * @csspart button - Every button.
 * @csspart button-primary - The main action (Pay, Try again).
 * @csspart button-secondary - Secondary actions (Choose another way to pay on a result, Check again).
 * @csspart button-link - Link-styled actions (Back, Choose another way while waiting).
 * @csspart pay-button - The Pay button.
 * @csspart link - The "continue" link while redirecting.
 * @csspart countdown - The Vipps countdown.
 * @csspart spinner - The progress indicator.
 * @csspart status-icon - The result icon.
 * @csspart failure-reason - Why a payment failed.
 * @csspart error - Error messages.
 *
 * @cssproperty --pwb-color-primary - Buttons, focus and selection (default #1d4ed8).
 * @cssproperty --pwb-color-on-primary - Text on primary buttons (default #ffffff).
 * @cssproperty --pwb-color-text - Text (default #1f2328).
 * @cssproperty --pwb-color-muted - Secondary text (default #57606a).
 * @cssproperty --pwb-color-background - Background (default #ffffff).
 * @cssproperty --pwb-color-surface - Summary and selected rows (default #f6f8fa).
 * @cssproperty --pwb-color-border - Borders (default #8c959f).
 * @cssproperty --pwb-color-error - Errors (default #b42318).
 * @cssproperty --pwb-color-success - Success icon (default #1a7f37).
 * @cssproperty --pwb-color-focus - Focus outline (default #1d4ed8).
 * @cssproperty --pwb-radius - Corner radius (default 8px).
 * @cssproperty --pwb-spacing - Base spacing (default 1rem).
 * @cssproperty --pwb-font-family - Font (default system-ui stack).
 * @cssproperty --pwb-font-size - Base font size (default 1rem).
 * @cssproperty --pwb-max-width - Widget width limit (default 28rem).
 * @cssproperty --pwb-bank-list-max-height - Height of the scrolling bank list (default 20rem).
 */
export class PayWithBank extends LitElement {
  static override styles = styles;

  /** The checkout session's client token (`clientToken` from POST /v1/sessions on your backend). */
  @property({ attribute: 'session-token' }) sessionToken = '';

  /** Base URL of the companion server, e.g. `https://pay.example.com`; empty for the page's origin. */
  @property({ attribute: 'server-url' }) serverUrl = '';

  /** Language as a BCP 47 tag (`nb-NO`); defaults to the session's locale, then the page's `lang`. */
  @property() locale = '';

  /** Space-separated subset of the session's methods to offer (`bank`, `vipps`); empty offers all. */
  @property() methods = '';

  /** Milliseconds between payment status checks; they back off after a few. */
  @property({ attribute: false }) pollInterval = 2000;

  /** Status checks before showing "still processing" (continues while a Vipps countdown runs). */
  @property({ attribute: false }) pollLimit = 30;

  /** Time limit per request to the server, in milliseconds. */
  @property({ attribute: false }) requestTimeout = 20_000;

  /**
   * With no token at all (no `session-token`, none in the return URL or this tab's history entry),
   * how long to wait for a script to set one before saying the payment link is incomplete.
   */
  protected missingTokenDelay = 3000;

  @state() private screen: Screen = 'loading';
  @state() private session: CheckoutSession | null = null;
  @state() private payment: CheckoutPayment | null = null;
  @state() private resultKind: ResultKind | null = null;
  @state() private loadError: ApiError | null = null;
  @state() private redirectUrl: string | null = null;
  @state() private method: PaymentMethod = 'bank';
  @state() private country: string | null = null;
  @state() private banks = new Map<string, Bank[]>();
  @state() private banksError: ApiError | null = null;
  @state() private query = '';
  @state() private selectedBank: string | undefined = undefined;
  @state() private selectionMissing = false;
  @state() private failedLogos = new Set<string>();
  @state() private phoneNumber = '';
  @state() private phoneInvalid = false;
  @state() private starting = false;
  @state() private startError: ApiError | null = null;
  @state() private now = Date.now();
  @state() private announcement = '';
  /** The waiting screen shows a payment the server answered a Pay with (payment_in_progress). */
  @state() private openPaymentNote = false;

  private api: ApiClient | null = null;
  /** Aborts everything of the current run (token change, disconnect). */
  private runAbort: AbortController | null = null;
  /** Aborts the status-check loop only ("Choose another way"). */
  private pollAbort: AbortController | null = null;
  private startedKey: string | null = null;
  private returnParams: ReturnParams | null = null;
  private returnChecked = false;
  private tokenAtStart = '';
  private attempt: { id: string; key: string; intent: PayIntent } | null = null;
  /**
   * The shopper chose another way to pay while the latest payment was still open: the next start
   * replaces it (`replace: true`). Without this choice the server keeps the open payment.
   */
  private replaceOpen = false;
  /** payment id + status already reported through events, so a reload does not repeat them. */
  private reported = new Set<string>();
  private countdownTimer: ReturnType<typeof setInterval> | null = null;
  private missingTokenTimer: ReturnType<typeof setTimeout> | null = null;
  private moveFocus = false;
  private shownFirstScreen = false;
  private translator: Translator | null = null;
  private translatorLocale = '';

  // ---------------------------------------------------------------- lifecycle

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.returnChecked) {
      this.returnChecked = true;
      this.returnParams = consumeReturnParams();
    }
    window.addEventListener('pageshow', this.onPageShow);
    this.ensureStarted();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('pageshow', this.onPageShow);
    this.stop();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('sessionToken') && this.startedKey !== null && this.sessionToken !== this.tokenAtStart) {
      // The page switched to another session: the token from the return URL no longer applies
      // (and must not win over the new session after a reload either).
      if (this.returnParams) forgetReturnState(window.history, this.returnParams.token);
      this.returnParams = null;
    }
    if (changed.has('sessionToken') || changed.has('serverUrl')) this.ensureStarted();
    this.syncCountdown();
    if (this.moveFocus) {
      this.moveFocus = false;
      this.renderRoot.querySelector<HTMLElement>('[data-screen-heading]')?.focus();
    }
  }

  /** Back/forward cache: the page was restored after leaving for the provider. Check again. */
  private readonly onPageShow = (event: PageTransitionEvent) => {
    if (!event.persisted || !this.isConnected) return;
    this.stop();
    this.ensureStarted();
  };

  private ensureStarted(): void {
    if (!this.isConnected) return;
    const token = this.returnParams?.token || this.sessionToken;
    const key = `${token}\n${this.serverUrl}`;
    if (key === this.startedKey) return;
    this.stop();
    this.startedKey = key;
    this.tokenAtStart = this.sessionToken;
    if (!token) {
      this.setScreen('loading');
      // A script may still set the token; if none comes, say so rather than load forever.
      this.missingTokenTimer = setTimeout(() => {
        const error = new ApiError('missing_token', MISSING_TOKEN, false);
        this.showLoadError(error, async () => undefined);
      }, this.missingTokenDelay);
      return;
    }
    this.api = new ApiClient({ serverUrl: this.serverUrl, token, timeoutMs: this.requestTimeout });
    this.runAbort = new AbortController();
    const returning = this.returnParams?.paymentId;
    void (returning ? this.resumeReturn(returning) : this.loadSession());
  }

  private stop(): void {
    this.runAbort?.abort();
    this.runAbort = null;
    this.pollAbort = null;
    this.startedKey = null;
    this.starting = false;
    this.replaceOpen = false;
    this.stopCountdown();
    if (this.missingTokenTimer) clearTimeout(this.missingTokenTimer);
    this.missingTokenTimer = null;
  }

  /**
   * Leaves the page for the provider: a top-level navigation, also from inside a frame (provider
   * pages are never framed). Protected so tests and integrations can intercept it.
   */
  protected navigate(url: string): void {
    const top = window.top;
    if (top && top !== window) {
      try {
        top.location.href = url; // the one Location member a cross-origin frame may set
        return;
      } catch {
        window.open(url, '_top'); // the redirecting screen's link remains as a last resort
        return;
      }
    }
    window.location.assign(url);
  }

  /** Whether Vipps should switch to its app (phone) rather than show its landing page. */
  protected isMobile(): boolean {
    return isMobileDevice();
  }

  // ---------------------------------------------------------------- flows

  private async loadSession(): Promise<void> {
    const signal = this.runAbort?.signal;
    if (!this.api || !signal) return;
    this.loadError = null;
    this.setScreen('loading');
    let session: CheckoutSession;
    try {
      session = await this.api.getSession(signal);
    } catch (error) {
      if (!signal.aborted) this.showLoadError(asApiError(error), () => this.loadSession());
      return;
    }
    if (signal.aborted) return;
    this.acceptSession(session);

    const payment = session.payment;
    if (payment && isSettled(payment)) {
      this.showOutcome(payment);
    } else if (payment) {
      this.payment = payment;
      this.method = payment.method;
      this.setScreen('waiting');
      void this.poll(payment.id);
    } else {
      this.goToMethods();
    }
  }

  /** Back from the provider: the URL named the payment, so check it until it settles. */
  private async resumeReturn(paymentId: string): Promise<void> {
    const signal = this.runAbort?.signal;
    if (!this.api || !signal) return;
    this.loadError = null;
    this.setScreen('loading');
    let session: CheckoutSession;
    try {
      session = await this.api.getSession(signal);
    } catch (error) {
      if (!signal.aborted) this.showLoadError(asApiError(error), () => this.resumeReturn(paymentId));
      return;
    }
    if (signal.aborted) return;
    this.acceptSession(session);
    this.payment = session.payment?.id === paymentId ? session.payment : null;
    this.setScreen('waiting');
    void this.poll(paymentId);
  }

  private acceptSession(session: CheckoutSession): void {
    this.session = session;
    this.emit('pwb-ready', {
      sessionId: session.id,
      amount: session.amount,
      reference: session.reference,
      methods: this.offeredMethods(),
    });
  }

  /** Refreshes the payment until it settles: every `pollInterval` ms, backing off to 5× that. */
  private async poll(paymentId: string): Promise<void> {
    const run = this.runAbort;
    if (!this.api || !run) return;
    this.pollAbort?.abort();
    const controller = (this.pollAbort = new AbortController());
    const stopped = () => controller.signal.aborted || run.signal.aborted;
    run.signal.addEventListener('abort', () => controller.abort(), { once: true });

    for (let check = 0; ; check++) {
      const expiresAt = this.payment?.expiresAt ? Date.parse(this.payment.expiresAt) : NaN;
      const countdownRunning = Number.isFinite(expiresAt) && Date.now() < expiresAt;
      if (check >= this.pollLimit && !countdownRunning) break;
      if (check > 0) {
        const delay = Math.min(this.pollInterval * 1.5 ** Math.max(0, check - 5), this.pollInterval * 5);
        if (!(await wait(delay, controller.signal))) return;
      }
      let payment: CheckoutPayment;
      try {
        payment = await this.api.refreshPayment(paymentId, controller.signal);
      } catch (error) {
        if (stopped()) return;
        const apiError = asApiError(error);
        if (apiError.retryable) continue; // transient: the next check may succeed
        this.showLoadError(apiError, () => this.checkAgain());
        return;
      }
      if (stopped()) return;
      if (payment.status !== this.payment?.status) this.announce(payment);
      this.payment = payment;
      this.method = payment.method;
      if (isSettled(payment)) {
        this.showOutcome(payment);
        return;
      }
    }
    if (stopped()) return;
    if (this.payment) {
      this.resultKind = 'processing';
      this.setScreen('result');
      this.announcement = this.tr.t('result.processing.heading');
    }
  }

  private showOutcome(payment: CheckoutPayment): void {
    this.payment = payment;
    this.method = payment.method;
    const kind: ResultKind = payment.status === 'authorized' ? 'authorized' : (payment.status as ResultKind);
    this.resultKind = kind;
    this.setScreen('result');
    this.announcement = this.tr.t(`result.${kind}.heading`);
    this.report(payment);
  }

  /** Fires the outcome event once per payment and status. */
  private report(payment: CheckoutPayment): void {
    const session = this.session;
    const key = `${payment.id}:${payment.status}`;
    if (!session || this.reported.has(key)) return;
    this.reported.add(key);
    const base = {
      paymentId: payment.id,
      method: payment.method,
      amount: payment.amount,
      reference: session.reference,
    };
    switch (payment.status) {
      case 'completed':
      case 'authorized':
        this.emit('pwb-complete', { ...base, status: payment.status });
        break;
      case 'failed':
        this.emit('pwb-failed', { ...base, status: 'failed', failure: payment.failure });
        break;
      case 'cancelled':
      case 'expired':
        this.emit('pwb-cancel', { ...base, status: payment.status });
        break;
      default:
        break;
    }
  }

  private showLoadError(error: ApiError, retry: () => Promise<void>): void {
    this.loadError = error;
    this.retryLoad = retry;
    this.setScreen('error');
    this.emitError(error);
  }

  private retryLoad: () => Promise<void> = () => this.loadSession();

  private readonly checkAgain = async (): Promise<void> => {
    const payment = this.payment;
    if (!payment) return this.loadSession();
    this.setScreen('waiting');
    await this.poll(payment.id);
  };

  /** "Choose another way to pay": abandoning a payment that is still open is this explicit choice. */
  private chooseAnotherWay(): void {
    const payment = this.payment;
    // Back from the provider, before the first status answer, the payment waited for is open too.
    this.replaceOpen = payment ? !isTerminalStatus(payment.status) : this.screen === 'waiting';
    this.goToMethods();
  }

  /** Method choice, or straight to `method`'s screen (when offered) or the only method's. */
  private goToMethods(method?: PaymentMethod): void {
    this.pollAbort?.abort();
    this.payment = null;
    this.resultKind = null;
    this.startError = null;
    const methods = this.offeredMethods();
    const next = method && methods.includes(method) ? method : methods.length === 1 ? methods[0] : undefined;
    if (next) this.chooseMethod(next);
    else this.setScreen('method-choice');
  }

  private chooseMethod(method: PaymentMethod): void {
    this.method = method;
    this.startError = null;
    this.selectionMissing = false;
    if (method === 'bank') {
      this.setScreen('bank-list');
      this.country ??= this.session?.countries[0] ?? null;
      void this.loadBanks();
    } else {
      this.setScreen('vipps-phone');
    }
  }

  private async loadBanks(): Promise<void> {
    const signal = this.runAbort?.signal;
    const country = this.country;
    const cacheKey = country ?? '';
    if (!this.api || !signal || this.banks.has(cacheKey)) return;
    this.banksError = null;
    try {
      const banks = await this.api.listBanks(country ?? undefined, signal);
      if (signal.aborted) return;
      this.banks = new Map(this.banks).set(cacheKey, banks);
    } catch (error) {
      if (signal.aborted) return;
      this.banksError = asApiError(error);
      this.emitError(this.banksError);
    }
  }

  private payWithBank(): void {
    const banks = this.banks.get(this.country ?? '') ?? [];
    const selected = this.selectedBank;
    const visible =
      selected !== undefined &&
      (selected === CHOOSE_LATER || filterBanks(banks, this.query).some((b) => b.id === selected && b.available));
    if (!visible) {
      this.selectionMissing = true;
      return;
    }
    void this.startPayment({ method: 'bank', bankId: selected === CHOOSE_LATER ? null : selected });
  }

  private payWithVipps(): void {
    const phone = this.isMobile() ? '' : normalizePhoneNumber(this.phoneNumber);
    if (phone === null) {
      this.phoneInvalid = true;
      this.renderRoot.querySelector<HTMLInputElement>('#vipps-phone')?.focus();
      return;
    }
    this.phoneInvalid = false;
    void this.startPayment({ method: 'vipps', ...(phone ? { phoneNumber: phone } : {}) });
  }

  /**
   * "Try again" after a failed, cancelled or expired payment: back to that method's screen, the bank
   * list with the previous bank selected (or the Vipps number kept), to keep the choice or change it.
   * Its Pay is a new attempt; the settled payment is not open, so the start needs no `replace`.
   */
  private tryAgain(): void {
    const payment = this.payment;
    this.replaceOpen = false;
    this.goToMethods(payment?.method);
    if (payment?.method === 'bank' && this.screen === 'bank-list') this.preselectBank(payment.bankId);
  }

  /** Selects a bank chosen before (null: "on the next page") and shows its country. */
  private preselectBank(bankId: string | null): void {
    this.selectedBank = bankId ?? CHOOSE_LATER;
    this.query = '';
    const countries: readonly string[] = this.session?.countries ?? [];
    if (bankId === null || countries.length < 2) return;
    const known = [...this.banks.values()].flat().find((bank) => bank.id === bankId);
    if (!known) {
      void this.locateBank(bankId, this.country);
    } else if (countries.includes(known.country)) {
      this.country = known.country;
      void this.loadBanks();
    }
  }

  /** Finds the country of a bank not loaded yet: one request for the banks of all the session's countries. */
  private async locateBank(bankId: string, shown: string | null): Promise<void> {
    const signal = this.runAbort?.signal;
    const countries: readonly string[] = this.session?.countries ?? [];
    if (!this.api || !signal) return;
    let all: Bank[];
    try {
      all = await this.api.listBanks(undefined, signal);
    } catch {
      return; // the shown country's list still works; the shopper can switch country
    }
    const country = all.find((bank) => bank.id === bankId)?.country;
    const untouched = this.screen === 'bank-list' && this.country === shown && this.selectedBank === bankId;
    if (signal.aborted || !country || !countries.includes(country) || !untouched) return;
    const banks = new Map(this.banks);
    for (const c of countries)
      if (!banks.has(c))
        banks.set(
          c,
          all.filter((bank) => bank.country === c),
        );
    this.banks = banks;
    this.country = country;
  }

  /** Repeats the Pay action that failed to reach the server, with the same attempt id. */
  private retryStart(): void {
    if (this.attempt) void this.startPayment(this.attempt.intent);
  }

  /**
   * POST /checkout/payments. One attempt id per Pay action; repeating the same action after a
   * network or server error reuses it, so the server never creates a second provider payment.
   */
  private async startPayment(intent: PayIntent): Promise<void> {
    const signal = this.runAbort?.signal;
    if (this.starting || !this.api || !signal) return; // double click: one request
    const key = intentKey(intent);
    if (this.attempt?.key !== key) this.attempt = { id: newAttemptId(), key, intent };
    const request: StartPaymentRequest = { method: intent.method, attemptId: this.attempt.id };
    if (intent.method === 'bank') request.bankId = intent.bankId ?? null;
    if (intent.method === 'vipps') {
      if (intent.phoneNumber) request.phoneNumber = intent.phoneNumber;
      request.mobile = this.isMobile();
    }
    if (this.replaceOpen) request.replace = true;

    this.starting = true;
    this.startError = null;
    let redirectUrl: string | null;
    let payment: CheckoutPayment;
    try {
      const response = await this.api.startPayment(request, signal);
      payment = response.payment;
      redirectUrl = safeHttpUrl(response.redirectUrl);
      if (!redirectUrl) throw new ApiError('invalid_response', 'The redirect URL is not an http(s) URL', false);
    } catch (error) {
      if (signal.aborted) return;
      const apiError = asApiError(error);
      if (apiError.code === 'payment_in_progress') {
        // Another tab or an earlier Pay left a payment open: show it rather than only an error
        // (Pay stays disabled until it is loaded).
        this.attempt = null;
        this.emitError(apiError);
        await this.showOpenPayment(apiError);
        if (!signal.aborted) this.starting = false;
        return;
      }
      this.starting = false;
      this.startError = apiError;
      // The server answered that the provider failed this attempt and recorded it as failed:
      // "Try again" is a new attempt (the same id would only replay the failure). After a network
      // error or timeout we cannot know, so the same id is reused and the server replays.
      if (this.attempt && ATTEMPT_ENDING_ERRORS.has(this.startError.code)) {
        this.attempt = { ...this.attempt, id: newAttemptId() };
      }
      this.emitError(this.startError);
      return;
    }
    if (signal.aborted) return;
    this.starting = false;
    this.attempt = null; // done: the next Pay is a new attempt
    this.replaceOpen = false; // done: the open payment was replaced
    this.payment = payment;
    this.method = payment.method;
    this.redirectUrl = redirectUrl;
    this.resultKind = null;
    this.setScreen('redirecting');
    this.announcement = this.tr.t(`redirecting.heading.${payment.method}`);
    this.navigate(redirectUrl);
  }

  /**
   * The server kept a payment of this checkout open instead of starting a new one: load it and show
   * its waiting screen ("Continue at your bank", "Choose another way"), or its result if it has
   * settled meanwhile. Leaving it needs the shopper's explicit choice again.
   */
  private async showOpenPayment(refusal: ApiError): Promise<void> {
    const signal = this.runAbort?.signal;
    if (!this.api || !signal) return;
    this.replaceOpen = false;
    const named = typeof refusal.details?.paymentId === 'string' ? refusal.details.paymentId : null;
    let session: CheckoutSession;
    let payment: CheckoutPayment | null;
    try {
      session = await this.api.getSession(signal);
      payment = session.payment;
      // Normally the open payment is the latest; if not, ask for the one the server named.
      if (named && payment?.id !== named) payment = await this.api.refreshPayment(named, signal);
    } catch {
      if (!signal.aborted) this.startError = refusal; // could not load it: at least say why nothing started
      return;
    }
    if (signal.aborted) return;
    if (!payment) {
      this.startError = refusal;
      return;
    }
    this.session = session;
    if (isSettled(payment)) {
      this.showOutcome(payment);
      return;
    }
    this.payment = payment;
    this.method = payment.method;
    this.resultKind = null;
    this.setScreen('waiting');
    this.openPaymentNote = true;
    this.announcement = this.tr.t('waiting.openPayment');
    void this.poll(payment.id);
  }

  // ---------------------------------------------------------------- helpers

  private offeredMethods(): PaymentMethod[] {
    const wanted = this.methods.split(/\s+/).filter(Boolean);
    const available = this.session?.methods ?? [];
    return wanted.length ? available.filter((m) => wanted.includes(m)) : [...available];
  }

  private get tr(): Translator {
    const locale = this.locale || this.session?.locale || document.documentElement.lang || navigator.language || 'en';
    if (!this.translator || this.translatorLocale !== locale) {
      this.translator = createTranslator(locale);
      this.translatorLocale = locale;
    }
    return this.translator;
  }

  private setScreen(screen: Screen): void {
    const previousScreen = this.screen;
    if (screen === previousScreen) return;
    this.screen = screen;
    if (screen !== 'loading') {
      // Move focus with the screen, but not on the first screen (the shopper has not interacted yet)
      // and not when the shopper is busy elsewhere on the page.
      const active = document.activeElement;
      const focusFree = !active || active === document.body || active === this || this.contains(active);
      this.moveFocus = this.shownFirstScreen && focusFree;
      this.shownFirstScreen = true;
    }
    if (screen === 'waiting') this.now = Date.now();
    this.openPaymentNote = false; // set again by showOpenPayment after it switches to waiting
    this.emit('pwb-state-change', { screen, previousScreen, paymentStatus: this.payment?.status ?? null });
  }

  private announce(payment: CheckoutPayment): void {
    if (payment.status === 'pending' || payment.status === 'authorized') {
      this.announcement = this.tr.t(`status.${payment.status}`);
    }
  }

  private emit<K extends PwbEventName>(type: K, detail: PwbEventDetailMap[K]): void {
    this.dispatchEvent(createPwbEvent(type, detail));
  }

  private emitError(error: ApiError): void {
    this.emit('pwb-error', { code: error.code, message: error.message, retryable: error.retryable });
  }

  private syncCountdown(): void {
    const needed = this.screen === 'waiting' && this.payment?.method === 'vipps' && !!this.payment.expiresAt;
    if (needed && !this.countdownTimer) {
      this.countdownTimer = setInterval(() => (this.now = Date.now()), 1000);
    } else if (!needed) {
      this.stopCountdown();
    }
  }

  private stopCountdown(): void {
    if (this.countdownTimer) clearInterval(this.countdownTimer);
    this.countdownTimer = null;
  }

  private remainingSeconds(): number | null {
    const payment = this.payment;
    if (payment?.method !== 'vipps' || !payment.expiresAt) return null;
    const expiresAt = Date.parse(payment.expiresAt);
    return Number.isFinite(expiresAt) ? Math.max(0, Math.ceil((expiresAt - this.now) / 1000)) : null;
  }

  // ---------------------------------------------------------------- rendering

  protected override render(): TemplateResult {
    const tr = this.tr;
    return html`<div class="base" part="base" data-screen=${this.screen}>
      ${this.renderScreen(tr)}
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true" data-live-region>
        ${this.announcement}
      </div>
    </div>`;
  }

  private renderScreen(tr: Translator): TemplateResult {
    const session = this.session;
    const several = this.offeredMethods().length > 1;
    const back = several ? () => this.goToMethods() : undefined;
    if (this.screen === 'error' && this.loadError) {
      return renderError({ tr, error: this.loadError, onRetry: () => void this.retryLoad() });
    }
    if (!session) return renderLoading(tr);
    switch (this.screen) {
      case 'method-choice':
        return renderMethodChoice({
          tr,
          session,
          methods: this.offeredMethods(),
          onChoose: (m) => this.chooseMethod(m),
        });
      case 'bank-list':
        return renderBankList({
          tr,
          session,
          country: this.country,
          banks: this.banks.get(this.country ?? '') ?? null,
          banksError: this.banksError,
          query: this.query,
          selected: this.selectedBank,
          failedLogos: this.failedLogos,
          selectionMissing: this.selectionMissing,
          starting: this.starting,
          startError: this.startError,
          onSearch: (query) => (this.query = query),
          onCountry: (country) => {
            this.country = country;
            if (this.selectedBank !== CHOOSE_LATER) this.selectedBank = undefined;
            void this.loadBanks();
          },
          onSelect: (value) => {
            this.selectedBank = value;
            this.selectionMissing = false;
          },
          onLogoError: (bankId) => (this.failedLogos = new Set(this.failedLogos).add(bankId)),
          onPay: () => this.payWithBank(),
          onRetryBanks: () => void this.loadBanks(),
          onRetryStart: () => this.retryStart(),
          onBack: back,
        });
      case 'vipps-phone':
        return renderVippsPhone({
          tr,
          session,
          phoneNumber: this.phoneNumber,
          phoneInvalid: this.phoneInvalid,
          mobile: this.isMobile(),
          starting: this.starting,
          startError: this.startError,
          onPhoneInput: (value) => {
            this.phoneNumber = value;
            if (this.phoneInvalid && normalizePhoneNumber(value) !== null) this.phoneInvalid = false;
          },
          onPay: () => this.payWithVipps(),
          onRetryStart: () => this.retryStart(),
          onBack: back,
        });
      case 'redirecting':
        return renderRedirecting({ tr, method: this.method, redirectUrl: this.redirectUrl });
      case 'waiting':
        return renderWaiting({
          tr,
          session,
          payment: this.payment,
          remainingSeconds: this.remainingSeconds(),
          continueUrl: safeHttpUrl(this.payment?.redirectUrl),
          openPaymentNote: this.openPaymentNote,
          onChooseAnother: () => this.chooseAnotherWay(),
        });
      case 'result':
        if (this.payment && this.resultKind) {
          return renderResult({
            tr,
            session,
            payment: this.payment,
            kind: this.resultKind,
            onTryAgain: () => this.tryAgain(),
            onChooseAnother: () => this.chooseAnotherWay(),
            onCheckAgain: () => void this.checkAgain(),
          });
        }
        return renderLoading(tr);
      default:
        return renderLoading(tr);
    }
  }
}
