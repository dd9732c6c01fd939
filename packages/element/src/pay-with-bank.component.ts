import { html, type TemplateResult } from 'lit/html.js';
import { CheckoutController } from './checkout-controller.js';
import { ReactiveBase, addStyles, type PropertyOptions } from './element-base.js';
import { isMobileDevice } from './device.js';
import { screenOf } from './flow/core.js';
import type { State } from './flow/state.js';
import { createTranslator, messagesLoaded, type Translator } from './i18n/index.js';
import { methodScreen } from './methods/index.js';
import { styles } from './pay-with-bank.styles.js';
import { renderError } from './screens/error.js';
import { renderLoading } from './screens/loading.js';
import { renderMethodChoice } from './screens/method-choice.js';

/**
 * @summary Checkout widget: pay by bank (open banking payment initiation) or with Vipps, through the
 * pay-with-bank companion server.
 *
 * @event pwb-ready - The session loaded. Detail: `PwbReadyDetail` (sessionId, amount, reference, methods).
 * @event pwb-state-change - The screen changed. Detail: `PwbStateChangeDetail` (screen, previousScreen, paymentStatus).
 * @event pwb-complete - The payment counts as paid (the server says `settled`: completed, or reserved where the provider reserves, as Vipps does). Detail: `PwbCompleteDetail` (paymentId, status, amount, reference, method).
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
 * @csspart bank-highlighted - A bank row the merchant highlighted (`highlighted-banks`), also `bank`.
 * @csspart bank-last-used - The row of the bank used last on this device (`remember-bank`), also `bank`.
 * @csspart bank-tag - The "Last used" tag on that row.
 * @csspart bank-choose-later - The "Choose my bank on the next page" row.
 * @csspart bank-logo - A bank's logo (or its initials).
 * @csspart bank-initials - The initials shown when a bank has no logo.
 * @csspart button - Every button.
 * @csspart button-primary - The main action (Pay, Try again).
 * @csspart button-secondary - Secondary actions (Choose another way to pay on a result, Check again).
 * @csspart button-link - Link-styled actions (Back, Choose another way while waiting).
 * @csspart pay-button - The Pay button.
 * @csspart express-button - Express mode's "buy now" button (in the provider's colours).
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
 * @cssproperty --pwb-bank-list-max-height - Height of the bank list where it scrolls within the widget: wide screens with a fine pointer (default 20rem). On phones the list is as long as it is and the page scrolls.
 */
export class PayWithBank extends ReactiveBase {
  static override styles = [styles];

  static override properties: Record<string, PropertyOptions> = {
    sessionToken: { attribute: 'session-token' },
    serverUrl: { attribute: 'server-url' },
    locale: {},
    methods: {},
    highlightedBanks: { attribute: 'highlighted-banks' },
    preselectedBank: { attribute: 'preselected-bank' },
    rememberBank: { attribute: 'remember-bank', type: Boolean },
    pollInterval: { attribute: false },
    pollLimit: { attribute: false },
    liveStatus: { attribute: false },
    requestTimeout: { attribute: false },
    mode: {},
    createSession: { attribute: false },
  };

  /** The checkout session's client token (`clientToken` from POST /v1/sessions on your backend). */
  sessionToken = '';

  /** Base URL of the companion server, e.g. `https://pay.example.com`; empty for the page's origin. */
  serverUrl = '';

  /** Language as a BCP 47 tag (`nb-NO`); defaults to the session's locale, then the page's `lang`. */
  locale = '';

  /** Space-separated subset of the session's methods to offer (`bank`, `vipps`); empty offers all. */
  methods = '';

  /** Space-separated bank ids shown first in the bank list, in this order (like Adyen's `highlightedIssuers`). */
  highlightedBanks = '';

  /** A bank id selected when the bank list opens (the shopper can change it). */
  preselectedBank = '';

  /**
   * Remember the shopper's bank on this device (localStorage `@pay-with-bank/remembered` of your
   * origin) and offer it first next time. Off unless set; the return from the bank never needs it.
   */
  rememberBank = false;

  /** Milliseconds between payment status checks (never sooner than the server asks); they back off after a few. */
  pollInterval = 2000;

  /** Status checks before showing "still processing" (continues while the provider's countdown runs). */
  pollLimit = 30;

  /**
   * While waiting for the provider, follow the server's live status stream (one long request that
   * the server pushes each change down); `false` checks by polling only. Polling also takes over
   * whenever the stream cannot be opened or breaks.
   */
  liveStatus = true;

  /** Time limit per request to the server, in milliseconds. */
  requestTimeout = 20_000;

  /**
   * `express`: for product and cart pages, the provider's "buy now" button (Vipps Hurtigkasse). The
   * session is created only when the shopper presses it, by `createSession`.
   */
  mode = '';

  /**
   * Express mode: creates the checkout session on your backend (an express session, with its amount
   * and shipping options) and resolves to its `clientToken`.
   */
  createSession: (() => Promise<string>) | null = null;

  /**
   * With no token at all (no `session-token`, none in the return URL or this tab's history entry),
   * how long to wait for a script to set one before saying the payment link is incomplete.
   */
  protected missingTokenDelay = 3000;

  private readonly checkout = new CheckoutController(this, {
    config: () => this,
    missingTokenDelay: () => this.missingTokenDelay,
    navigate: (url) => this.navigate(url),
    isMobile: () => this.isMobile(),
    addStyles: (css) => addStyles(this.renderRoot, [css]),
  });

  private translator: { locale: string; tr: Translator } | null = null;

  /**
   * Leaves the page for the provider: a top-level navigation, also from inside a frame (provider
   * pages are never framed). Protected so tests and integrations can intercept it.
   */
  protected navigate(url: string): void {
    this.checkout.part?.leave(url); // the payment part's: it is here whenever there is a provider to go to
  }

  /** Whether providers with an app should switch to it (phone) rather than show their desktop page. */
  protected isMobile(): boolean {
    return isMobileDevice();
  }

  private tr(): Translator {
    const locale = this.checkout.localeOf();
    if (this.translator?.locale !== locale) this.translator = { locale, tr: createTranslator(locale) };
    return this.translator.tr;
  }

  protected override render(): TemplateResult {
    const tr = this.tr();
    const { state, announcement } = this.checkout;
    const screen = this.screen(state, tr);
    return html`<div class="base" part="base" data-screen=${screen ? screenOf(state) : 'loading'} lang=${tr.language}>
      ${screen ?? renderLoading(tr, messagesLoaded(this.checkout.localeOf()))}
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true" data-live-region>
        ${announcement ? tr.t(announcement) : ''}
      </div>
    </div>`;
  }

  /** The state's screen; null while its code is still loading (the payment chunk, a method's screen). */
  private screen(state: State, tr: Translator): TemplateResult | null {
    const send = this.checkout.send;
    switch (state.kind) {
      case 'no-token':
      case 'loading':
        return null; // the loading screen (below)
      case 'express':
      case 'creating-session':
        // The express part's button (the controller is loading it).
        return this.checkout.express?.renderExpress({ state, tr, send }) ?? null;
      case 'failed':
        return renderError({ state, tr, send });
      case 'methods':
        return renderMethodChoice({ state, tr, send });
      case 'form':
      case 'starting':
      case 'opening': {
        const render = methodScreen(state.method);
        const form = state.ctx.forms[state.method];
        return render ? render({ state, form, tr, send, mobile: this.isMobile() }) : null;
      }
      default: {
        // Redirecting, waiting, result: the payment part's screens (the controller is loading it).
        const part = this.checkout.part;
        if (!part) return null;
        if (state.kind === 'redirecting') return part.renderRedirecting({ state, tr, send });
        return state.kind === 'waiting'
          ? part.renderWaiting({ state, tr, send })
          : part.renderResult({ state, tr, send });
      }
    }
  }
}
