import { html, nothing, type TemplateResult } from 'lit/html.js';
import type { CheckoutPayment, CheckoutSession } from '@pay-with-bank/protocol';
import type { State } from '../flow/state.js';
import type { Translator } from '../i18n/index.js';
import { button, heading, summary, type View } from './shared.js';

/** The failure reason in the shopper's language when we know the code, else the server's words. */
export function failureReason(tr: Translator, payment: CheckoutPayment): string | null {
  const failure = payment.failure;
  if (!failure) return null;
  return tr.lookup(`failure.${failure.code}`) ?? failure.message;
}

/**
 * The summary with the reference and, for a payment with a shipping method (express checkout), the
 * items' amount, the shipping and the total the shopper paid.
 */
function resultSummary(tr: Translator, session: CheckoutSession, payment: CheckoutPayment): TemplateResult {
  const shipping = payment.shipping;
  return summary(
    tr,
    session,
    shipping
      ? html`<dt>${tr.t('summary.shipping')}</dt>
          <dd data-shipping>${shipping.name}, ${tr.formatAmount(shipping.amount)}</dd>
          <dt>${tr.t('summary.total')}</dt>
          <dd part="total" data-total>${tr.formatAmount(payment.amount)}</dd>`
      : nothing,
    html`<dt>${tr.t('summary.reference')}</dt>
      <dd part="reference" data-reference>${session.reference}</dd>`,
  );
}

/** Paid (or reserved), failed with the reason, cancelled, expired, or still processing. */
export function renderResult({ state, tr, send }: View<Extract<State, { kind: 'result' }>>): TemplateResult {
  const { payment, outcome } = state;
  const success = outcome === 'completed' || outcome === 'authorized';
  const reason = outcome === 'failed' ? failureReason(tr, payment) : null;
  return html`<span
      class="status-icon ${success ? 'success' : outcome === 'failed' ? 'failure' : ''}"
      part="status-icon"
      aria-hidden="true"
      >${success ? '✓' : outcome === 'processing' ? '…' : '!'}</span
    >
    ${heading(tr.t(`result.${outcome}.heading`))}
    <p>${tr.t(`result.${outcome}.text`)}</p>
    ${reason ? html`<p class="reason" part="failure-reason" data-failure-reason>${reason}</p>` : nothing}
    ${resultSummary(tr, state.ctx.session, payment)}
    ${
      outcome === 'failed' || outcome === 'cancelled' || outcome === 'expired'
        ? html`<div class="actions">
            ${button(tr.t('action.tryAgain'), 'try-again', () => send({ type: 'try-again' }))}
            ${button(tr.t('action.chooseAnother'), 'choose-another', () => send({ type: 'choose-another' }), 'secondary')}
          </div>`
        : nothing
    }
    ${
      outcome === 'processing'
        ? html`<div class="actions">
            ${button(tr.t('action.checkAgain'), 'check-again', () => send({ type: 'check-again' }), 'secondary', false)}
          </div>`
        : nothing
    }`;
}
