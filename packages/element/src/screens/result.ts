import { html, nothing, type TemplateResult } from 'lit';
import type { CheckoutPayment, CheckoutSession } from '@pay-with-bank/protocol';
import type { Translator } from '../i18n/index.js';
import { heading, summary } from './shared.js';

/** Which result to show; `processing` = status checks ran out while the bank was still working. */
export type ResultKind = 'completed' | 'authorized' | 'failed' | 'cancelled' | 'expired' | 'processing';

export interface ResultProps {
  tr: Translator;
  session: CheckoutSession;
  payment: CheckoutPayment;
  kind: ResultKind;
  /** Back to the same method's screen (the bank list with the previous bank selected) for a new attempt. */
  onTryAgain: () => void;
  /** The method choice (or the only method's screen). */
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
  const { tr, session, payment, kind } = props;
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
    ${
      retryable
        ? html`<div class="actions">
            <button
              type="button"
              class="button primary"
              part="button button-primary"
              data-action="try-again"
              @click=${props.onTryAgain}
            >
              ${tr.t('action.tryAgain')}
            </button>
            <button
              type="button"
              class="button secondary"
              part="button button-secondary"
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
