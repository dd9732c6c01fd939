import { html, type TemplateResult } from 'lit';
import type { CheckoutSession, PaymentMethod } from '@pay-with-bank/protocol';
import type { Translator } from '../i18n/index.js';
import { heading, summary } from './shared.js';

export interface MethodChoiceProps {
  tr: Translator;
  session: CheckoutSession;
  /** Offered methods; empty means none is available. */
  methods: PaymentMethod[];
  onChoose: (method: PaymentMethod) => void;
}

/** "How would you like to pay?": one button per method. Skipped when only one method is offered. */
export function renderMethodChoice({ tr, session, methods, onChoose }: MethodChoiceProps): TemplateResult {
  return html`${heading(tr.t('methodChoice.heading'))}
  ${summary(tr, { amount: session.amount, payee: session.payee.name })}
  ${
    methods.length === 0
      ? html`<p class="error" part="error" role="alert">${tr.t('method.none')}</p>`
      : html`<ul class="methods" part="methods">
          ${methods.map(
            (method) =>
              html`<li>
                <button
                  type="button"
                  class="method"
                  part="method"
                  data-method=${method}
                  @click=${() => onChoose(method)}
                >
                  <strong>${tr.t(`method.${method}`)}</strong>
                  <span>${tr.t(`method.${method}.description`)}</span>
                </button>
              </li>`,
          )}
        </ul>`
  }`;
}
