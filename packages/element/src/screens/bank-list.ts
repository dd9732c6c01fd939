import { html, nothing, type TemplateResult } from 'lit/html.js';
import type { Translator } from '../i18n/index.js';
import {
  CHOOSE_LATER,
  banksKey,
  banksOf,
  filterBanks,
  orderBanks,
  rememberedBank,
  type BankForm,
  type BankInput,
  type BankRow,
} from '../methods/bank-form.js';
import type { MethodView } from '../methods/method.js';
import { backButton, errorAlert, heading, payButton, summary } from './shared.js';

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter((word) => /\p{L}|\p{N}/u.test(word))
    .slice(0, 2)
    .map((word) => Array.from(word)[0]!.toUpperCase())
    .join('');
}

/** Keeps generated element ids valid whatever the bank id contains. */
const domId = (bankId: string) => `bank-${bankId.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function countryName(tr: Translator, code: string): string {
  try {
    return new Intl.DisplayNames([tr.locale], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

function renderRow(view: MethodView<BankForm>, input: (i: BankInput) => void, row: BankRow): TemplateResult {
  const { tr, form } = view;
  const { bank } = row;
  const id = domId(bank.id);
  const logo = bank.logoUrl && !form.failedLogos.includes(bank.id) ? bank.logoUrl : null;
  const parts = `bank${row.highlighted ? ' bank-highlighted' : ''}${row.lastUsed ? ' bank-last-used' : ''}`;
  return html`<li class=${row.highlighted || row.lastUsed ? 'featured' : ''}>
    <label class="bank ${bank.available ? '' : 'unavailable'}" part=${parts} for=${id} data-bank-id=${bank.id}>
      <input
        type="radio"
        id=${id}
        name="bank"
        .value=${bank.id}
        .checked=${bank.available && form.selected === bank.id}
        ?disabled=${!bank.available}
        aria-describedby=${bank.available ? nothing : `${id}-message`}
        @change=${() => input({ type: 'select', value: bank.id })}
      />
      ${
        logo
          ? html`<img
              class="logo"
              part="bank-logo"
              src=${logo}
              alt=""
              loading="lazy"
              @error=${() => input({ type: 'logo-failed', bankId: bank.id })}
            />`
          : html`<span class="logo initials" part="bank-logo bank-initials" aria-hidden="true"
              >${initials(bank.name)}</span
            >`
      }
      <span class="bank-text">
        <span class="bank-name">${bank.name}</span>
        ${row.lastUsed ? html`<span class="tag" part="bank-tag">${tr.t('bankList.lastUsed')}</span>` : nothing}
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
 * between available banks; unavailable ones are disabled, say why and come last), the bank used last
 * on this device and the merchant's highlighted banks first, and "choose on the next page".
 */
export function renderBankList(view: MethodView<BankForm>): TemplateResult {
  const { state, form, tr, send } = view;
  const { ctx } = state;
  const { session, setup } = ctx;
  const input = (i: BankInput) => send({ type: 'input', method: 'bank', input: i });
  const list = banksOf(ctx, form.country);
  const lastUsed = rememberedBank(ctx)?.bankId ?? null;
  const rows =
    list && 'banks' in list ? orderBanks(filterBanks(list.banks, form.query), setup.highlightedBanks, lastUsed) : [];
  const busy = state.kind !== 'form';
  const several = ctx.methods.length > 1;
  return html`${heading(tr.t('bankList.heading'))} ${summary(tr, session)}
    <div class="field">
      <label for="bank-search">${tr.t('bankList.search')}</label>
      <input
        id="bank-search"
        type="search"
        part="search input"
        autocomplete="off"
        spellcheck="false"
        .value=${form.query}
        @input=${(e: Event) => input({ type: 'search', query: (e.target as HTMLInputElement).value })}
      />
    </div>
    ${
      session.countries.length > 1
        ? html`<div class="field">
            <label for="bank-country">${tr.t('bankList.country')}</label>
            <select
              id="bank-country"
              part="country"
              @change=${(e: Event) => input({ type: 'country', country: (e.target as HTMLSelectElement).value })}
            >
              ${session.countries.map((code) => html`<option value=${code} ?selected=${code === form.country}>${countryName(tr, code)}</option>`)}
            </select>
          </div>`
        : nothing
    }
    <fieldset aria-describedby=${form.missing ? 'bank-missing' : nothing}>
      <legend>${tr.t('bankList.legend')}</legend>
      ${
        list && 'error' in list
          ? errorAlert(tr, list.error, () => send({ type: 'retry-data', key: banksKey(form.country) }))
          : list === null
            ? html`<p class="muted" role="status">${tr.t('bankList.loading')}</p>`
            : rows.length === 0
              ? html`<p class="muted" role="status">${tr.t('bankList.noMatches', { query: form.query.trim() })}</p>`
              : html`<ul class="banks" part="bank-list">
                  ${rows.map((row) => renderRow(view, input, row))}
                </ul>`
      }
      <label class="bank choose-later" part="bank bank-choose-later" for="bank-later">
        <input
          type="radio"
          id="bank-later"
          name="bank"
          .value=${CHOOSE_LATER}
          .checked=${form.selected === CHOOSE_LATER}
          @change=${() => input({ type: 'select', value: CHOOSE_LATER })}
        />
        <span class="bank-text">
          <span class="bank-name">${tr.t('bankList.chooseLater')}</span>
          <span class="bank-message">${tr.t('bankList.chooseLater.description')}</span>
        </span>
      </label>
    </fieldset>
    ${form.missing ? html`<p id="bank-missing" class="field-error" role="alert">${tr.t('bankList.selectBank')}</p>` : nothing}
    ${errorAlert(tr, state.kind === 'form' ? state.startError : null, () => send({ type: 'retry-start' }))}
    <div class="actions">
      ${payButton(tr.t('pay.bank', { amount: tr.formatAmount(session.amount), payee: session.payee.name }), busy, tr, () => send({ type: 'pay' }))}
      ${backButton(tr, several ? () => send({ type: 'back' }) : null)}
    </div>`;
}
