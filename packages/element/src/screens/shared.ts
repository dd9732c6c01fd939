import { html, nothing, type TemplateResult } from 'lit';
import type { Money } from '@pay-with-bank/protocol';
import type { ApiError } from '../api.js';
import type { Translator } from '../i18n/index.js';

/** Each screen's heading: focus moves here when the screen changes (tabindex=-1, not in tab order). */
export function heading(text: string): TemplateResult {
  return html`<h2 part="heading" tabindex="-1" data-screen-heading>${text}</h2>`;
}

export interface SummaryProps {
  amount: Money;
  payee: string;
  reference?: string | undefined;
}

/** Amount, payee and (on results) the reference, as a description list. */
export function summary(tr: Translator, { amount, payee, reference }: SummaryProps): TemplateResult {
  return html`<dl class="summary" part="summary" aria-label=${tr.t('summary.label')}>
    <dt>${tr.t('summary.amount')}</dt>
    <dd part="amount" data-amount>${tr.formatAmount(amount)}</dd>
    <dt>${tr.t('summary.payee')}</dt>
    <dd data-payee>${payee}</dd>
    ${
      reference === undefined
        ? nothing
        : html`<dt>${tr.t('summary.reference')}</dt>
            <dd part="reference" data-reference>${reference}</dd>`
    }
  </dl>`;
}

/** The shopper-facing wording for an API error: by code from the catalogue, else a generic line. */
export function errorMessage(tr: Translator, error: Pick<ApiError, 'code'>): string {
  return tr.lookup(`error.${error.code}`) ?? tr.t('error.generic');
}

/** An announced error (role=alert) with "Try again" when the failed request may simply be repeated. */
export function errorAlert(
  tr: Translator,
  error: ApiError | null,
  onRetry?: () => void,
): TemplateResult | typeof nothing {
  if (!error) return nothing;
  return html`<div class="error" part="error" role="alert" data-error-code=${error.code}>
    <p>${errorMessage(tr, error)}</p>
    ${
      error.retryable && onRetry
        ? html`<button
            type="button"
            class="button"
            part="button button-secondary"
            data-action="retry"
            @click=${onRetry}
          >
            ${tr.t('action.tryAgain')}
          </button>`
        : nothing
    }
  </div>`;
}

export function backButton(tr: Translator, onBack: (() => void) | undefined): TemplateResult | typeof nothing {
  if (!onBack) return nothing;
  return html`<button type="button" class="button link" part="button button-link" data-action="back" @click=${onBack}>
    ${tr.t('action.back')}
  </button>`;
}
