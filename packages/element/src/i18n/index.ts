import type { Money } from '@pay-with-bank/protocol';
import type { Catalogue } from './catalogue.js';
import { enEntry } from './en-entry.js';
import type { MessageKey, Messages } from './en.js';
import { retryingImport } from '../util.js';

export { en } from './en.js';
export type { Catalogue, MessageKey, Messages };

/**
 * Languages that ship with the element. English is built in (the entry's part of it; the chunks that
 * show the rest add theirs with {@link addEnglish}); the others are separate modules that
 * {@link loadMessages} imports on demand, so they stay out of the entry bundle.
 */
export const SHIPPED_LANGUAGES = ['en', 'nb', 'da', 'sv', 'fi'] as const;
export type ShippedLanguage = (typeof SHIPPED_LANGUAGES)[number];

/** Resolves to a catalogue (any subset of the English keys; missing ones fall back). */
export type MessageLoader = () => Promise<Messages>;

// All keys are lower-case locale tags.
/** A shipped catalogue's chunk, retried after a failure (see {@link retryingImport}). */
const shipped = <K extends string>(load: () => Promise<Record<K, Messages>>, name: K): MessageLoader => {
  const chunk = retryingImport(load);
  return () => chunk().then((module) => module[name]);
};

/** How to fetch a catalogue that is not registered yet. Literal `import()`s so bundlers can split them. */
const loaders = new Map<string, MessageLoader>([
  ['nb', shipped(() => import('./nb.js'), 'nb')],
  ['da', shipped(() => import('./da.js'), 'da')],
  ['sv', shipped(() => import('./sv.js'), 'sv')],
  ['fi', shipped(() => import('./fi.js'), 'fi')],
]);
/** Catalogues that loaders delivered (and the built-in English one). */
const loaded = new Map<string, Messages>([['en', { ...enEntry }]]);
/** Merchants' `registerMessages`: these win over a loaded catalogue of the same tag, whenever it arrives. */
const overrides = new Map<string, Messages>();
/** One promise per tag, in flight or fulfilled; a rejected one is dropped so the next call retries. */
const loads = new Map<string, Promise<void>>();

/**
 * Languages whose shoppers read a shipped catalogue best: Norwegian (`no`) and Nynorsk (`nn`) readers get
 * Bokmål rather than English. A merchant can still register `nn` (or `nn-NO`) wording; it comes first.
 */
const ALIASES: Readonly<Record<string, string>> = { no: 'nb', nn: 'nb' };

/**
 * Adds the English of a chunk that has just loaded (the payment part, a method's screen) to the
 * built-in English. The merchant's {@link registerMessages} still win over it.
 */
export function addEnglish(messages: Messages): void {
  Object.assign(loaded.get('en') ?? {}, messages);
}

/**
 * Adds (or extends) a message catalogue of the merchant's own: any subset of the English keys, for a
 * base language (`nb`) or, where wording differs, a regional variant (`nb-NO`). Lookups fall back per
 * message regional → base → English; registered messages win over the shipped catalogue of the same tag,
 * also when that catalogue loads later. Takes effect synchronously for every translator.
 */
export function registerMessages(locale: string, messages: Messages): void {
  const key = normalizeTag(locale);
  overrides.set(key, { ...overrides.get(key), ...messages });
}

/**
 * Lets {@link loadMessages} fetch a catalogue for `locale`: a language the element does not ship (`de`),
 * or another source for a shipped one. The loader runs once (again only after a failure); a catalogue
 * already loaded for that tag stays in use until the next `loadMessages` has replaced it.
 */
export function registerMessageLoader(locale: string, loader: MessageLoader): void {
  const key = normalizeTag(locale);
  loaders.set(key, loader);
  loads.delete(key);
}

/**
 * Loads the shipped (or {@link registerMessageLoader}-registered) catalogues of `locale`'s chain, e.g.
 * `nb` for `nb-NO`, `no` or `nn`; English is built in, so `en`, `de` or an unknown tag resolve at once.
 *
 * - Resolves (with nothing) once every catalogue of the chain is registered; from then on
 *   `createTranslator(locale)` uses it, and so does a translator created earlier, on its next lookup: start
 *   the load as soon as the locale is known and re-render when it settles (see {@link messagesLoaded}).
 * - Idempotent and concurrent-safe: each catalogue is fetched once, and calls while it is in flight share
 *   that fetch (`nb-NO`, `no` and `nn` all wait on the one `nb` load).
 * - Rejects with the loader's error (a chunk that failed to download, say) and registers nothing from
 *   that catalogue: translators keep what they had (English, plus the merchant's own messages). A later
 *   call tries again.
 * - Never touches the DOM; safe to call during server-side rendering.
 */
export function loadMessages(locale: string): Promise<void> {
  const tags = localeChain(locale).filter((tag) => loaders.has(tag));
  return Promise.all(tags.map(load)).then(() => undefined);
}

/** True when `locale`'s catalogues are registered, so the element can render at once (no flash of English). */
export function messagesLoaded(locale: string): boolean {
  return localeChain(locale).every((tag) => !loaders.has(tag) || loaded.has(tag));
}

function load(tag: string): Promise<void> {
  const pending = loads.get(tag);
  if (pending) return pending;
  const loader = loaders.get(tag)!;
  const promise = Promise.resolve()
    .then(loader)
    .then(
      (messages) => {
        if (loads.get(tag) === promise) loaded.set(tag, { ...messages });
      },
      (error: unknown) => {
        if (loads.get(tag) === promise) loads.delete(tag);
        throw error;
      },
    );
  loads.set(tag, promise);
  return promise;
}

function normalizeTag(locale: string): string {
  return locale.trim().toLowerCase().replace(/_/g, '-');
}

/**
 * The catalogue tags a locale reads from, most specific first, always ending in English:
 * `nb-NO` → [`nb-no`, `nb`, `en`]; `nn-NO` → [`nn-no`, `nn`, `nb-no`, `nb`, `en`] (also `no`, `no-NO`);
 * `sv-FI` → [`sv-fi`, `sv`, `en`]; `zh-Hant-TW` → [`zh-hant-tw`, `zh-hant`, `zh`, `en`]. Case-insensitive,
 * `_` works as `-`; anything that is not a plausible language tag (empty, spaces, symbols) → [`en`].
 */
export function localeChain(locale: string): string[] {
  const parts = normalizeTag(locale).split('-');
  if (!parts.every((part) => /^[a-z0-9]{1,8}$/.test(part)) || !/^[a-z]{2,8}$/.test(parts[0]!)) return ['en'];
  const chain = prefixes(parts);
  const alias = ALIASES[parts[0]!];
  if (alias) chain.push(...prefixes([alias, ...parts.slice(1)]));
  if (!chain.includes('en')) chain.push('en');
  return chain;
}

function prefixes(parts: string[]): string[] {
  const tags: string[] = [];
  for (let n = parts.length; n > 0; n--) tags.push(parts.slice(0, n).join('-'));
  return tags;
}

export interface Translator {
  /** The locale asked for (used for number and date formatting). */
  readonly locale: string;
  /**
   * The most specific catalogue tag that is registered right now (`nb` for `nn-NO` once Bokmål is loaded,
   * `en` before): the language the shopper reads, for the `lang` attribute of the rendered text.
   */
  readonly language: string;
  t(key: MessageKey, params?: Record<string, string | number>): string;
  /** For keys built at runtime (error and failure codes): undefined when no catalogue has it. */
  lookup(key: string, params?: Record<string, string | number>): string | undefined;
  formatAmount(money: Money): string;
}

/**
 * A synchronous translator over what is registered at each lookup (built-in English, catalogues that
 * {@link loadMessages} has loaded, the merchant's {@link registerMessages}). It never loads anything.
 */
export function createTranslator(locale: string): Translator {
  const chain = localeChain(locale);
  // Found on first use: the page's first Intl call costs 15–20 ms (ICU's data), and a translator is
  // made when the element connects, before anything is formatted (see warmNumberFormat).
  let numberLocale: string | undefined;
  const numbers = () => (numberLocale ??= supportedLocale(locale));
  const lookup = (key: string, params?: Record<string, string | number>): string | undefined => {
    for (const tag of chain) {
      const message =
        (overrides.get(tag) as Record<string, string> | undefined)?.[key] ??
        (loaded.get(tag) as Record<string, string> | undefined)?.[key];
      if (message !== undefined) return params ? fill(message, params) : message;
    }
    return undefined;
  };
  return {
    get locale() {
      return numbers();
    },
    get language() {
      return chain.find((tag) => overrides.has(tag) || loaded.has(tag)) ?? 'en';
    },
    lookup,
    t: (key, params) => lookup(key, params) ?? key,
    formatAmount: (money) => formatAmount(money, numbers()),
  };
}

function fill(message: string, params: Record<string, string | number>): string {
  return message.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}

function supportedLocale(locale: string): string {
  try {
    return Intl.NumberFormat.supportedLocalesOf(locale.trim().replace(/_/g, '-'))[0] ?? 'en';
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
