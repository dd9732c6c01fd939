import { html, nothing, type TemplateResult } from 'lit';
import type { CheckoutPayment, CheckoutSession } from '@pay-with-bank/protocol';
import type { ApiError } from '../api.js';
import type { Translator } from '../i18n/index.js';
import { errorAlert, heading, summary } from './shared.js';

/** Which result to show; `processing` = status checks ran out while the bank was still working. */
export type ResultKind = 'completed' | 'authorized' | 'failed' | 'cancelled' | 'expired' | 'processing';

export interface ResultProps {
  tr: Translator;
  session: CheckoutSession;
  payment: CheckoutPayment;
  kind: ResultKind;
  starting: boolean;
  startError: ApiError | null;
  /** Starts a new attempt with the same method (and bank). */
  onTryAgain: () => void;
  onRetryStart: () => void;
  onChooseAnother: () => void;
  onCheckAgain: () => void;
}

/** The failure reason in the shopper's language when we know the code, else the server's words. */
export function failureReason(tr: Translator, payment: CheckoutPayment): string | null {
  const failure = payment.failure;
  if (!failure) return null;
  return tr.lookup(`failure.${failure.code}`) ?? failure.message;
}

export function renderResult(props: ResultProps): TemplateResult {
  const { tr, session, payment, kind, starting } = props;
  const success = kind === 'completed' || kind === 'authorized';
  const retryable = kind === 'failed' || kind === 'cancelled' || kind === 'expired';
  const reason = kind === 'failed' ? failureReason(tr, payment) : null;
  const icon = success ? '✓' : kind === 'processing' ? '…' : '!';
  return html`<span
      class="status-icon ${success ? 'success' : kind === 'failed' ? 'failure' : ''}"
      part="status-icon"
      aria-hidden="true"
      >${icon}</span
    >
    ${heading(tr.t(`result.${kind}.heading`))}
    <p>${tr.t(`result.${kind}.text`)}</p>
    ${reason ? html`<p class="reason" part="failure-reason" data-failure-reason>${reason}</p>` : nothing}
    ${summary(tr, { amount: payment.amount, payee: session.payee.name, reference: session.reference })}
    ${errorAlert(tr, props.startError, props.onRetryStart)}
    ${
      retryable
        ? html`<div class="actions">
            <button
              type="button"
              class="button primary"
              part="button button-primary"
              data-action="try-again"
              ?disabled=${starting}
              aria-busy=${starting ? 'true' : 'false'}
              @click=${props.onTryAgain}
            >
              ${starting ? tr.t('pay.starting') : tr.t('action.tryAgain')}
            </button>
            <button
              type="button"
              class="button link"
              part="button button-link"
              data-action="choose-another"
              @click=${props.onChooseAnother}
            >
              ${tr.t('action.chooseAnother')}
            </button>
          </div>`
        : nothing
    }
    ${
      kind === 'processing'
        ? html`<div class="actions">
            <button
              type="button"
              class="button"
              part="button button-secondary"
              data-action="check-again"
              @click=${props.onCheckAgain}
            >
              ${tr.t('action.checkAgain')}
            </button>
          </div>`
        : nothing
    }`;
}
