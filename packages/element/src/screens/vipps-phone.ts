import { html, nothing, type TemplateResult } from 'lit/html.js';
import { enVipps } from '../i18n/en-vipps.js';
import type { MethodScreen, MethodView } from '../methods/method.js';
import type { VippsForm } from '../methods/vipps.js';
import { backButton, errorAlert, heading, payButton, summary } from './shared.js';

/** Vipps: an optional phone number (pre-fills the Vipps landing page; not asked for on a phone) and Pay. */
export function renderVippsPhone({ state, form, tr, send, mobile }: MethodView<VippsForm>): TemplateResult {
  const { session } = state.ctx;
  const onSubmit = (event: Event) => {
    event.preventDefault();
    send({ type: 'pay' });
  };
  const onInput = (e: Event) =>
    send({ type: 'input', method: 'vipps', input: { type: 'phone', value: (e.target as HTMLInputElement).value } });
  const several = state.ctx.methods.length > 1;
  return html`${heading(tr.t('vipps.heading'))} ${summary(tr, session)}
    <form novalidate @submit=${onSubmit}>
      ${
        mobile
          ? nothing
          : html`<div class="field">
              <label for="vipps-phone">${tr.t('vipps.phone')}</label>
              <input
                id="vipps-phone"
                type="tel"
                part="input phone-input"
                inputmode="tel"
                autocomplete="tel-national"
                .value=${form.phone}
                aria-invalid=${form.invalid ? 'true' : 'false'}
                aria-describedby=${form.invalid ? 'vipps-phone-error vipps-phone-hint' : 'vipps-phone-hint'}
                @input=${onInput}
              />
              <span id="vipps-phone-hint" class="hint">${tr.t('vipps.phoneHint')}</span>
              ${
                form.invalid
                  ? html`<span id="vipps-phone-error" class="field-error" role="alert"
                      >${tr.t('vipps.phoneInvalid')}</span
                    >`
                  : nothing
              }
            </div>`
      }
      ${errorAlert(tr, state.kind === 'form' ? state.startError : null, () => send({ type: 'retry-start' }))}
      <div class="actions">
        ${payButton(tr.t('pay.vipps', { amount: tr.formatAmount(session.amount) }), state.kind !== 'form', tr)}
        ${backButton(tr, several ? () => send({ type: 'back' }) : null)}
      </div>
    </form>`;
}

/** The Vipps screen's chunk: the screen and its English. */
export const vippsScreen: MethodScreen<VippsForm> = { render: renderVippsPhone, texts: enVipps };
