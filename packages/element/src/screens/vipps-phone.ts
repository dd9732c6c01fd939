import { html, nothing, type TemplateResult } from 'lit';
import type { CheckoutSession } from '@pay-with-bank/protocol';
import type { ApiError } from '../api.js';
import type { Translator } from '../i18n/index.js';
import { backButton, errorAlert, heading, summary } from './shared.js';

/** Same rule as the protocol's PhoneNumber (Norwegian mobile: 8 digits, optional +47/0047). */
const PHONE_NUMBER = /^(\+47|0047)?[49]\d{7}$/;

/** "912 34 567" → "91234567"; empty stays empty; returns null when not a valid number. */
export function normalizePhoneNumber(input: string): string | null {
  const compact = input.replace(/[\s-]/g, '');
  if (compact === '') return '';
  return PHONE_NUMBER.test(compact) ? compact : null;
}

export interface VippsPhoneProps {
  tr: Translator;
  session: CheckoutSession;
  phoneNumber: string;
  phoneInvalid: boolean;
  /** On a phone Vipps switches to its app, so the number is not asked for. */
  mobile: boolean;
  starting: boolean;
  startError: ApiError | null;
  onPhoneInput: (value: string) => void;
  onPay: () => void;
  onRetryStart: () => void;
  onBack?: (() => void) | undefined;
}

/** Vipps: an optional phone number (pre-fills the Vipps landing page) and the Pay button. */
export function renderVippsPhone(props: VippsPhoneProps): TemplateResult {
  const { tr, session, phoneNumber, phoneInvalid, mobile, starting, startError } = props;
  const onSubmit = (event: Event) => {
    event.preventDefault();
    props.onPay();
  };
  return html`${heading(tr.t('vipps.heading'))} ${summary(tr, { amount: session.amount, payee: session.payee.name })}
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
                .value=${phoneNumber}
                aria-invalid=${phoneInvalid ? 'true' : 'false'}
                aria-describedby=${phoneInvalid ? 'vipps-phone-error vipps-phone-hint' : 'vipps-phone-hint'}
                @input=${(e: Event) => props.onPhoneInput((e.target as HTMLInputElement).value)}
              />
              <span id="vipps-phone-hint" class="hint">${tr.t('vipps.phoneHint')}</span>
              ${
                phoneInvalid
                  ? html`<span id="vipps-phone-error" class="field-error" role="alert"
                      >${tr.t('vipps.phoneInvalid')}</span
                    >`
                  : nothing
              }
            </div>`
      }
      ${errorAlert(tr, startError, props.onRetryStart)}
      <div class="actions">
        <button
          type="submit"
          class="button primary"
          part="button button-primary pay-button"
          data-action="pay"
          ?disabled=${starting}
          aria-busy=${starting ? 'true' : 'false'}
        >
          ${starting ? tr.t('pay.starting') : tr.t('pay.vipps', { amount: tr.formatAmount(session.amount) })}
        </button>
        ${backButton(tr, props.onBack)}
      </div>
    </form>`;
}
