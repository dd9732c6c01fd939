/**
 * Pay by bank (open banking payment initiation): a searchable bank list per country, or "choose my
 * bank on the next page". The session read carries the default country's banks; other countries are
 * loaded when the shopper picks them.
 */
import type { Bank } from '@pay-with-bank/protocol';
import { listBanks } from '../api/request.js';
import type { Context } from '../flow/state.js';
import { renderBankList } from '../screens/bank-list.js';
import {
  ALL_BANKS,
  CHOOSE_LATER,
  banksKey,
  banksOf,
  chosenBank,
  rememberedBank,
  type BankForm,
  type BankInput,
  type RememberedBank,
} from './bank-form.js';
import type { MethodModule } from './method.js';

/** Selects `bankId` and shows its country: known from a loaded list, or found by loading every country's banks. */
function place(form: BankForm, ctx: Context, bankId: string, country: string | null): BankForm {
  const countries: readonly string[] = ctx.session.countries;
  const placed: BankForm = { ...form, selected: bankId, query: '', missing: false, locate: null };
  if (countries.length < 2) return placed;
  if (country && countries.includes(country)) return { ...placed, country };
  const known = Object.values(ctx.data)
    .flatMap((entry) => (entry.ok ? (entry.value as Bank[]) : []))
    .find((bank) => bank.id === bankId);
  if (known) return countries.includes(known.country) ? { ...placed, country: known.country } : placed;
  return { ...placed, locate: bankId };
}

export const bank: MethodModule<BankForm, BankInput> = {
  id: 'bank',
  screen: 'bank-list',
  texts: {
    name: 'method.bank',
    description: 'method.bank.description',
    redirecting: 'redirecting.heading.bank',
    waitingHeading: 'waiting.heading.bank',
    waitingText: 'waiting.text.bank',
    continue: 'waiting.continue.bank',
  },

  form(ctx, previous, retry) {
    const form: BankForm = previous ?? {
      country: ctx.session.countries[0] ?? null,
      query: '',
      selected: undefined,
      missing: false,
      locate: null,
      failedLogos: [],
    };
    if (retry) {
      return retry.bankId === null
        ? { ...form, selected: CHOOSE_LATER, query: '', missing: false, locate: null }
        : place(form, ctx, retry.bankId, null);
    }
    if (previous) return { ...form, missing: false };
    // First visit: the shopper's own last-used bank, else the merchant's preselection.
    const remembered = rememberedBank(ctx);
    if (remembered) return place(form, ctx, remembered.bankId, remembered.country);
    const preselected = ctx.setup.preselectedBank;
    return preselected ? place(form, ctx, preselected, null) : form;
  },

  input(form, input) {
    switch (input.type) {
      case 'search':
        return { ...form, query: input.query };
      case 'country':
        // "On the next page" is not a bank of the country: it stays chosen.
        return {
          ...form,
          country: input.country,
          selected: form.selected === CHOOSE_LATER ? CHOOSE_LATER : undefined,
          locate: null,
        };
      case 'select':
        return { ...form, selected: input.value, missing: false, locate: null };
      case 'logo-failed':
        return { ...form, failedLogos: [...form.failedLogos, input.bankId] };
    }
  },

  submit(form, ctx) {
    const bankId = chosenBank(form, ctx);
    return bankId === undefined ? { form: { ...form, missing: true } } : { request: { bankId } };
  },

  needs(form, ctx) {
    const keys: string[] = [];
    if (banksOf(ctx, form.country) === null) keys.push(banksKey(form.country));
    if (form.locate && !ctx.data[ALL_BANKS] && !keys.includes(ALL_BANKS)) keys.push(ALL_BANKS);
    return keys;
  },

  load(key, api, signal) {
    return listBanks(api, key === ALL_BANKS ? undefined : key.slice('banks:'.length), signal);
  },

  sync(form, ctx) {
    if (!form.locate || !ctx.data[ALL_BANKS]) return form;
    const entry = ctx.data[ALL_BANKS];
    const found = entry.ok ? (entry.value as Bank[]).find((b) => b.id === form.locate) : undefined;
    const countries: readonly string[] = ctx.session.countries;
    const country = found && countries.includes(found.country) ? found.country : form.country;
    return { ...form, country, locate: null };
  },

  seed(session) {
    return session.banks ? { [banksKey(session.countries[0] ?? null)]: session.banks } : {};
  },

  memo(ctx, payment) {
    if (!payment.bankId) return null;
    const form = ctx.forms.bank as BankForm | undefined;
    const remembered: RememberedBank = { bankId: payment.bankId, country: form?.country ?? null };
    return remembered;
  },

  render: renderBankList,
};
