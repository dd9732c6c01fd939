import { html, nothing, type TemplateResult } from 'lit';
import type { Bank, CheckoutSession } from '@pay-with-bank/protocol';
import type { ApiError } from '../api.js';
import type { Translator } from '../i18n/index.js';
import { backButton, errorAlert, heading, summary } from './shared.js';

/** Radio value of "Choose my bank on the next page" (bankId null in the request). */
export const CHOOSE_LATER = '';

export interface BankListProps {
  tr: Translator;
  session: CheckoutSession;
  /** Selected country filter, or null when the session lists no countries. */
  country: string | null;
  /** null while loading. */
  banks: Bank[] | null;
  banksError: ApiError | null;
  query: string;
  /** A bank id, CHOOSE_LATER, or undefined when nothing is chosen yet. */
  selected: string | undefined;
  /** Banks whose logo failed to load (shown with initials). */
  failedLogos: ReadonlySet<string>;
  /** The shopper pressed Pay without choosing. */
  selectionMissing: boolean;
  starting: boolean;
  startError: ApiError | null;
  onSearch: (query: string) => void;
  onCountry: (country: string) => void;
  onSelect: (value: string) => void;
  onLogoError: (bankId: string) => void;
  onPay: () => void;
  onRetryBanks: () => void;
  onRetryStart: () => void;
  onBack?: (() => void) | undefined;
}

/** Lower-case without accents, so "ostjysk" finds "Østjysk" and "sodra" finds "Södra". */
export function normalizeForSearch(text: string): string {
  return text
    .toLowerCase()
    .replace(/[øœ]/g, (c) => (c === 'ø' ? 'o' : 'oe'))
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/[đð]/g, 'd')
    .replace(/ł/g, 'l')
    .normalize('NFD')
    .replace(/\p{M}/gu, '');
}

export function filterBanks(banks: readonly Bank[], query: string): Bank[] {
  const needle = normalizeForSearch(query.trim());
  return needle ? banks.filter((bank) => normalizeForSearch(bank.name).includes(needle)) : [...banks];
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter((word) => /\p{L}|\p{N}/u.test(word))
    .slice(0, 2)
    .map((word) => Array.from(word)[0]!.toUpperCase())
    .join('');
}

/** Keeps generated element ids valid and unique-ish whatever the bank id contains. */
const domId = (bankId: string) => `bank-${bankId.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function countryName(tr: Translator, code: string): string {
  try {
    return new Intl.DisplayNames([tr.locale], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

function renderBank(props: BankListProps, bank: Bank): TemplateResult {
  const { tr, selected, failedLogos, onSelect, onLogoError } = props;
  const id = domId(bank.id);
  const showLogo = bank.logoUrl && !failedLogos.has(bank.id);
  return html`<li>
    <label class="bank ${bank.available ? '' : 'unavailable'}" part="bank" for=${id} data-bank-id=${bank.id}>
      <input
        type="radio"
        id=${id}
        name="bank"
        .value=${bank.id}
        .checked=${selected === bank.id}
        ?disabled=${!bank.available}
        aria-describedby=${bank.available ? nothing : `${id}-message`}
        @change=${() => onSelect(bank.id)}
      />
      ${
        showLogo
          ? html`<img
              class="logo"
              part="bank-logo"
              src=${bank.logoUrl!}
              alt=""
              loading="lazy"
              @error=${() => onLogoError(bank.id)}
            />`
          : html`<span class="logo initials" part="bank-logo bank-initials" aria-hidden="true"
              >${initials(bank.name)}</span
            >`
      }
      <span class="bank-text">
        <span class="bank-name">${bank.name}</span>
        ${
          bank.available
            ? nothing
            : html`<span class="bank-message" id="${id}-message"
                >${bank.unavailableMessage ?? tr.t('bankList.unavailable')}</span
              >`
        }
      </span>
    </label>
  </li>`;
}

/**
 * Choose a bank: search (accent-insensitive), country filter, native radio group (arrow keys move
 * between available banks; unavailable ones are disabled and say why), and "choose on the next page".
 */
export function renderBankList(props: BankListProps): TemplateResult {
  const { tr, session, country, banks, banksError, query, selected, selectionMissing, starting, startError } = props;
  const visible = banks ? filterBanks(banks, query) : [];
  return html`${heading(tr.t('bankList.heading'))} ${summary(tr, { amount: session.amount, payee: session.payee.name })}
    <div class="field">
      <label for="bank-search">${tr.t('bankList.search')}</label>
      <input
        id="bank-search"
        type="search"
        part="search input"
        autocomplete="off"
        spellcheck="false"
        .value=${query}
        @input=${(e: Event) => props.onSearch((e.target as HTMLInputElement).value)}
      />
    </div>
    ${
      session.countries.length > 1
        ? html`<div class="field">
            <label for="bank-country">${tr.t('bankList.country')}</label>
            <select
              id="bank-country"
              part="country"
              @change=${(e: Event) => props.onCountry((e.target as HTMLSelectElement).value)}
            >
              ${session.countries.map((code) => html`<option value=${code} ?selected=${code === country}>${countryName(tr, code)}</option>`)}
            </select>
          </div>`
        : nothing
    }
    <fieldset aria-describedby=${selectionMissing ? 'bank-missing' : nothing}>
      <legend>${tr.t('bankList.legend')}</legend>
      ${
        banksError
          ? errorAlert(tr, banksError, props.onRetryBanks)
          : banks === null
            ? html`<p class="muted" role="status">${tr.t('bankList.loading')}</p>`
            : visible.length === 0
              ? html`<p class="muted" role="status">${tr.t('bankList.noMatches', { query: query.trim() })}</p>`
              : html`<ul class="banks" part="bank-list">
                  ${visible.map((bank) => renderBank(props, bank))}
                </ul>`
      }
      <label class="bank choose-later" part="bank bank-choose-later" for="bank-later">
        <input
          type="radio"
          id="bank-later"
          name="bank"
          .value=${CHOOSE_LATER}
          .checked=${selected === CHOOSE_LATER}
          @change=${() => props.onSelect(CHOOSE_LATER)}
        />
        <span class="bank-text">
          <span class="bank-name">${tr.t('bankList.chooseLater')}</span>
          <span class="bank-message">${tr.t('bankList.chooseLater.description')}</span>
        </span>
      </label>
    </fieldset>
    ${selectionMissing ? html`<p id="bank-missing" class="field-error" role="alert">${tr.t('bankList.selectBank')}</p>` : nothing}
    ${errorAlert(tr, startError, props.onRetryStart)}
    <div class="actions">
      <button
        type="button"
        class="button primary"
        part="button button-primary pay-button"
        data-action="pay"
        ?disabled=${starting}
        aria-busy=${starting ? 'true' : 'false'}
        @click=${props.onPay}
      >
        ${starting ? tr.t('pay.starting') : tr.t('pay.bank', { amount: tr.formatAmount(session.amount), payee: session.payee.name })}
      </button>
      ${backButton(tr, props.onBack)}
    </div>`;
}
