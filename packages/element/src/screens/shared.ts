import { html, nothing, type TemplateResult } from 'lit/html.js';
import type { CheckoutSession } from '@pay-with-bank/protocol';
import type { Problem, Send, State } from '../flow/state.js';
import type { Translator } from '../i18n/index.js';

/** What a screen renders from: its state, the texts, and where its events go. */
export interface View<S extends State = State> {
  state: S;
  tr: Translator;
  send: Send;
}

/** Each screen's heading: focus moves here when the screen changes (tabindex=-1, not in tab order). */
export function heading(text: string): TemplateResult {
  return html`<h2 part="heading" tabindex="-1" data-screen-heading>${text}</h2>`;
}

/**
 * Amount and payee, as a description list. The result screen adds its rows (the payment chunk's):
 * `shipping` after the amount, `more` (the reference) at the end.
 */
export function summary(
  tr: Translator,
  session: CheckoutSession,
  shipping?: TemplateResult | typeof nothing,
  more?: TemplateResult,
): TemplateResult {
  return html`<dl class="summary" part="summary" aria-label=${tr.t('summary.label')}>
    <dt>${tr.t('summary.amount')}</dt>
    <dd part="amount" data-amount>${tr.formatAmount(session.amount)}</dd>
    ${shipping}
    <dt>${tr.t('summary.payee')}</dt>
    <dd data-payee>${session.payee.name}</dd>
    ${more}
  </dl>`;
}

/** The shopper-facing wording for an error: by code from the catalogue, else a generic line. */
export function errorMessage(tr: Translator, error: Pick<Problem, 'code'>): string {
  return tr.lookup(`error.${error.code}`) ?? tr.t('error.generic');
}

/** A primary or secondary action button (`wide`: the width of the widget). */
export function button(
  label: string,
  action: string,
  onClick: () => void,
  kind: 'primary' | 'secondary' = 'primary',
  wide = true,
): TemplateResult {
  return html`<button
    type="button"
    class="button ${wide ? kind : ''}"
    part="button button-${kind}"
    data-action=${action}
    @click=${onClick}
  >
    ${label}
  </button>`;
}

/** An announced error (role=alert) with "Try again" when the failed request may simply be repeated. */
export function errorAlert(
  tr: Translator,
  error: Problem | null,
  onRetry?: () => void,
): TemplateResult | typeof nothing {
  if (!error) return nothing;
  return html`<div class="error" part="error" role="alert" data-error-code=${error.code}>
    <p>${errorMessage(tr, error)}</p>
    ${error.retryable && onRetry ? button(tr.t('action.tryAgain'), 'retry', onRetry, 'secondary', false) : nothing}
  </div>`;
}

/** "Back" to the method choice, when there is more than one method to go back to. */
export function backButton(tr: Translator, onBack: (() => void) | null): TemplateResult | typeof nothing {
  if (!onBack) return nothing;
  return html`<button type="button" class="button link" part="button button-link" data-action="back" @click=${onBack}>
    ${tr.t('action.back')}
  </button>`;
}

/** The Pay button: disabled (and saying so) while the start request runs. */
export function payButton(label: string, busy: boolean, tr: Translator, onPay?: () => void): TemplateResult {
  return html`<button
    type=${onPay ? 'button' : 'submit'}
    class="button primary"
    part="button button-primary pay-button"
    data-action="pay"
    ?disabled=${busy}
    aria-busy=${busy ? 'true' : 'false'}
    @click=${onPay ?? nothing}
  >
    ${busy ? tr.t('pay.starting') : label}
  </button>`;
}

export function spinner(): TemplateResult {
  return html`<div class="spinner" part="spinner" aria-hidden="true"></div>`;
}
