/**
 * The bank list's form as data, and the pure helpers its screen and its module share: which banks a
 * country has (loaded or still loading), search, and the order rows appear in.
 */
import type { Bank } from '@pay-with-bank/protocol';
import { BANK_ID_PATTERN } from '@pay-with-bank/protocol/constants';
import type { Context, Problem } from '../flow/state.js';

/** Radio value of "Choose my bank on the next page" (bankId null in the request). */
export const CHOOSE_LATER = '';

export interface BankForm {
  /** The country filter, or null when the session lists no countries (then every bank). */
  country: string | null;
  query: string;
  /** A bank id, CHOOSE_LATER, or undefined while nothing is chosen. */
  selected: string | undefined;
  /** The shopper pressed Pay without a (visible, available) choice. */
  missing: boolean;
  /** A bank to show whose country is not known yet: the banks of every country are loading. */
  locate: string | null;
  /** Banks whose logo failed to load (shown with initials). */
  failedLogos: readonly string[];
}

export type BankInput =
  | { type: 'search'; query: string }
  | { type: 'country'; country: string }
  | { type: 'select'; value: string }
  | { type: 'logo-failed'; bankId: string };

/** What the bank module remembers on the device (with `remember-bank`). */
export interface RememberedBank {
  bankId: string;
  country: string | null;
}

/** Data keys: one country's banks, or every country's (GET /v1/checkout/banks without a country). */
export const ALL_BANKS = 'banks:*';
export const banksKey = (country: string | null) => (country ? `banks:${country}` : ALL_BANKS);

/** A country's banks: loaded, failed, or null while loading. Every country's list answers for each. */
export function banksOf(ctx: Context, country: string | null): { banks: Bank[] } | { error: Problem } | null {
  const own = ctx.data[banksKey(country)];
  if (own) return own.ok ? { banks: own.value as Bank[] } : { error: own.error };
  const all = ctx.data[ALL_BANKS];
  if (all?.ok && country) return { banks: (all.value as Bank[]).filter((bank) => bank.country === country) };
  return null;
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

/** A row of the list: the bank, and whether it is the shopper's last-used one or a merchant highlight. */
export interface BankRow {
  bank: Bank;
  lastUsed: boolean;
  highlighted: boolean;
}

/**
 * The order of the rows: available banks before unavailable ones; within each, the bank used last on
 * this device, then the merchant's highlighted banks in the merchant's order, then the provider's order.
 */
export function orderBanks(banks: readonly Bank[], highlighted: readonly string[], lastUsed: string | null): BankRow[] {
  const rank = (bank: Bank) => {
    const h = highlighted.indexOf(bank.id);
    return (bank.available ? 0 : 4) + (bank.id === lastUsed ? 0 : h >= 0 ? 1 + h / (highlighted.length + 1) : 2);
  };
  return banks
    .map((bank, index) => ({ bank, index, rank: rank(bank) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ bank }) => ({ bank, lastUsed: bank.id === lastUsed, highlighted: highlighted.includes(bank.id) }));
}

/** Whether Pay may start with the form's choice: "on the next page", or an available bank in view. */
export function chosenBank(form: BankForm, ctx: Context): string | null | undefined {
  if (form.selected === CHOOSE_LATER) return null;
  const list = banksOf(ctx, form.country);
  const banks = list && 'banks' in list ? list.banks : [];
  const ok = filterBanks(banks, form.query).some((bank) => bank.id === form.selected && bank.available);
  return ok ? form.selected : undefined;
}

/** The bank used last on this device (with `remember-bank`), when it is well-formed and of one of the session's countries. */
export function rememberedBank(ctx: Context): RememberedBank | null {
  const remembered = ctx.setup.remembered.bank as Partial<RememberedBank> | undefined;
  const countries: readonly string[] = ctx.session.countries;
  const { bankId, country = null } = remembered ?? {};
  if (typeof bankId !== 'string' || !BANK_ID_PATTERN.test(bankId)) return null;
  if (country !== null && (typeof country !== 'string' || !countries.includes(country))) return null;
  return { bankId, country };
}
