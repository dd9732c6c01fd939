import { html, nothing, type TemplateResult } from 'lit';
import type { CheckoutPayment, CheckoutSession } from '@pay-with-bank/protocol';
import type { Translator } from '../i18n/index.js';
import { heading, summary } from './shared.js';

export interface WaitingProps {
  tr: Translator;
  session: CheckoutSession;
  /** null until the first status check answers (return from the provider). */
  payment: CheckoutPayment | null;
  /** Seconds until the provider gives up (Vipps), or null when unknown. */
  remainingSeconds: number | null;
  /** Where the shopper can continue authorising (already checked to be http(s)). */
  continueUrl: string | null;
  /** The shopper's Pay was answered with this already-open payment: say so. */
  openPaymentNote?: boolean;
  onChooseAnother?: (() => void) | undefined;
}

/** 125 → "2:05" */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** The payment is under way: status checks run in the background, with a Vipps countdown. */
export function renderWaiting({
  tr,
  session,
  payment,
  remainingSeconds,
  continueUrl,
  openPaymentNote = false,
  onChooseAnother,
}: WaitingProps): TemplateResult {
  const method = payment?.method ?? 'bank';
  return html`<div class="spinner" part="spinner" aria-hidden="true"></div>
    ${heading(tr.t(`waiting.heading.${method}`))} ${summary(tr, { amount: session.amount, payee: session.payee.name })}
    ${openPaymentNote ? html`<p data-open-payment-note>${tr.t('waiting.openPayment')}</p>` : nothing}
    <p>${payment ? tr.t(`waiting.text.${method}`) : tr.t('waiting.checking')}</p>
    ${
      remainingSeconds === null
        ? nothing
        : remainingSeconds > 0
          ? html`<p class="countdown" part="countdown" role="timer" aria-atomic="true">
              ${tr.t('waiting.countdown', { time: formatCountdown(remainingSeconds) })}
            </p>`
          : html`<p class="countdown" part="countdown">${tr.t('waiting.countdownOver')}</p>`
    }
    <div class="actions">
      ${
        continueUrl
          ? html`<a
              class="button"
              part="button button-secondary"
              href=${continueUrl}
              target="_top"
              data-action="continue"
              >${tr.t(`waiting.continue.${method}`)}</a
            >`
          : nothing
      }
      ${
        onChooseAnother
          ? html`<button
              type="button"
              class="button link"
              part="button button-link"
              data-action="choose-another"
              @click=${onChooseAnother}
            >
              ${tr.t('action.chooseAnother')}
            </button>`
          : nothing
      }
    </div>`;
}
