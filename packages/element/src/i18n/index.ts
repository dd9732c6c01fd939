import type { Money } from '@pay-with-bank/protocol';
import { en, type MessageKey, type Messages } from './en.js';

export { en, type MessageKey, type Messages };

// Keys are lower-case locale tags. Only English ships in the bundle; merchants add their own.
const catalogues = new Map<string, Messages>([['en', en]]);

/**
 * Adds (or extends) a message catalogue. Register a base language (`nb`) and, where wording differs,
 * regional variants (`nb-NO`); lookups fall back regional → base → English per message.
 */
export function registerMessages(locale: string, messages: Messages): void {
  const key = locale.toLowerCase();
  catalogues.set(key, { ...catalogues.get(key), ...messages });
}

/** `nb-NO` → [`nb-no`, `nb`, `en`]; `zh-Hant-TW` → [`zh-hant-tw`, `zh-hant`, `zh`, `en`]. */
export function localeChain(locale: string): string[] {
  const chain: string[] = [];
  const parts = locale.trim().toLowerCase().replace(/_/g, '-').split('-').filter(Boolean);
  for (let n = parts.length; n > 0; n--) chain.push(parts.slice(0, n).join('-'));
  if (!chain.includes('en')) chain.push('en');
  return chain;
}

export interface Translator {
  /** The locale asked for (used for number and date formatting). */
  readonly locale: string;
  t(key: MessageKey, params?: Record<string, string | number>): string;
  /** For keys built at runtime (error and failure codes): undefined when no catalogue has it. */
  lookup(key: string, params?: Record<string, string | number>): string | undefined;
  formatAmount(money: Money): string;
}

export function createTranslator(locale: string): Translator {
  const chain = localeChain(locale);
  const numberLocale = supportedLocale(locale);
  const lookup = (key: string, params?: Record<string, string | number>): string | undefined => {
    for (const tag of chain) {
      const message = (catalogues.get(tag) as Record<string, string> | undefined)?.[key];
      if (message !== undefined) return params ? fill(message, params) : message;
    }
    return undefined;
  };
  return {
    locale: numberLocale,
    lookup,
    t: (key, params) => lookup(key, params) ?? key,
    formatAmount: (money) => formatAmount(money, numberLocale),
  };
}

function fill(message: string, params: Record<string, string | number>): string {
  return message.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}

function supportedLocale(locale: string): string {
  try {
    return Intl.NumberFormat.supportedLocalesOf(locale)[0] ?? 'en';
  } catch {
    return 'en'; // not a valid BCP 47 tag
  }
}

/** Formats integer minor units as currency: { value: 125000, currency: 'NOK' } → "NOK 1,250.00" (en). */
export function formatAmount(money: Money, locale: string): string {
  const format = new Intl.NumberFormat(supportedLocale(locale), { style: 'currency', currency: money.currency });
  // Intl knows each currency's minor-unit digits (ISO 4217); the protocol's currencies all have 2.
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(money.value / 10 ** digits);
}
