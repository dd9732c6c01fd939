// The shipped catalogues (nb, da, sv, fi) against the English one: same keys, every message translated,
// placeholders kept, each language's own typography. Each check is also run on a broken catalogue, so a
// check that silently stops checking fails here too.
import { expect } from '@open-wc/testing';
import { en, type Catalogue } from '../src/i18n/index.js';
import { da } from '../src/i18n/da.js';
import { fi } from '../src/i18n/fi.js';
import { nb } from '../src/i18n/nb.js';
import { sv } from '../src/i18n/sv.js';

type Language = 'nb' | 'da' | 'sv' | 'fi';
type Strings = Readonly<Record<string, string>>;

const catalogues: Record<Language, Catalogue> = { nb, da, sv, fi };
const english: Strings = en;

/** Messages that are rightly the same as the English one: brand names, and words the languages share. */
const SAME_AS_ENGLISH: Record<Language | '*', readonly string[]> = {
  '*': ['method.vipps'], // "Vipps"
  nb: [],
  da: ['summary.reference'], // "Reference" is Danish too
  sv: [],
  fi: [],
};

/** Quotation marks each language uses in UI copy (around a search query, say). */
const QUOTES: Record<Language, string> = { nb: '«»', da: '»«', sv: '”', fi: '”' };
const ANY_QUOTE = /["“”„‟«»‹›‘’‚]/gu;

function missingKeys(catalogue: Strings): string[] {
  return Object.keys(english).filter((key) => !Object.hasOwn(catalogue, key));
}

function extraKeys(catalogue: Strings): string[] {
  return Object.keys(catalogue).filter((key) => !Object.hasOwn(english, key));
}

function sameAsEnglish(language: Language, catalogue: Strings): string[] {
  const allowed = new Set([...SAME_AS_ENGLISH['*'], ...SAME_AS_ENGLISH[language]]);
  return Object.keys(english).filter((key) => catalogue[key] === english[key] && !allowed.has(key));
}

const placeholders = (message: string) => [...message.matchAll(/\{(\w*)\}/g)].map((match) => match[1]).sort();

/** Keys whose `{placeholders}` differ from the English message's (dropped, renamed or added). */
function placeholderMismatches(catalogue: Strings): string[] {
  return Object.keys(english).filter(
    (key) =>
      catalogue[key] !== undefined &&
      JSON.stringify(placeholders(catalogue[key])) !== JSON.stringify(placeholders(english[key]!)),
  );
}

/** "..." for "…", quotation marks of another language, empty messages or stray spaces. */
function typographyProblems(language: Language, catalogue: Strings): string[] {
  const problems: string[] = [];
  for (const [key, message] of Object.entries(catalogue)) {
    if (message.trim() === '') problems.push(`${key}: empty`);
    if (message !== message.trim() || /\s{2}/.test(message)) problems.push(`${key}: stray whitespace`);
    if (message.includes('...')) problems.push(`${key}: "..." instead of "…"`);
    for (const [quote] of message.matchAll(ANY_QUOTE)) {
      if (!QUOTES[language].includes(quote)) problems.push(`${key}: ${quote} is not a ${language} quotation mark`);
    }
  }
  return problems;
}

describe('i18n catalogues', () => {
  for (const [language, catalogue] of Object.entries(catalogues) as [Language, Catalogue][]) {
    describe(language, () => {
      it('has every English key', () => {
        expect(missingKeys(catalogue)).to.deep.equal([]);
      });

      it('has no key the English catalogue lacks', () => {
        expect(extraKeys(catalogue)).to.deep.equal([]);
      });

      it('translates every message (only the listed ones may equal the English)', () => {
        expect(sameAsEnglish(language, catalogue)).to.deep.equal([]);
      });

      it('keeps every {placeholder} of the English message, spelled the same', () => {
        expect(placeholderMismatches(catalogue)).to.deep.equal([]);
      });

      it("uses the language's own typography (…, its quotation marks, no stray spaces)", () => {
        expect(typographyProblems(language, catalogue)).to.deep.equal([]);
      });

      it('quotes the search query as the language does', () => {
        const [open, close] = QUOTES[language].length === 1 ? [QUOTES[language], QUOTES[language]] : QUOTES[language];
        expect(catalogue['bankList.noMatches']).to.include(`${open}{query}${close}`);
      });
    });
  }

  it('the checks catch a broken catalogue', () => {
    const broken: Strings = {
      ...nb,
      'pay.bank': 'Betal {amount} til {mottaker}', // renamed placeholder
      'pay.vipps': 'Betal med Vipps', // dropped placeholder
      'action.back': 'Back', // untranslated
      'bankList.noMatches': 'Ingen treff for "{query}"...', // English typography
      'method.extra': 'Ekstra', // not an English key
    };
    delete (broken as Record<string, string>).loading;
    expect(missingKeys(broken)).to.deep.equal(['loading']);
    expect(extraKeys(broken)).to.deep.equal(['method.extra']);
    expect(sameAsEnglish('nb', broken)).to.deep.equal(['action.back']);
    expect(sameAsEnglish('da', { ...broken, 'summary.reference': 'Reference' })).to.deep.equal(['action.back']);
    expect(sameAsEnglish('nb', { ...broken, 'summary.reference': 'Reference' })).to.include('summary.reference');
    expect(placeholderMismatches(broken)).to.deep.equal(['pay.bank', 'pay.vipps']);
    expect(typographyProblems('nb', broken)).to.have.length(3); // "...", and two straight quotes
    expect(typographyProblems('sv', { 'bankList.noMatches': 'Inga banker matchar “{query}”.' })).to.deep.equal([
      'bankList.noMatches: “ is not a sv quotation mark',
    ]);
  });

  it('the Catalogue type demands exactly the English keys (checked by tsc)', () => {
    const { loading: _dropped, ...incomplete } = nb;
    // @ts-expect-error `loading` is missing
    const missing: Catalogue = incomplete;
    // @ts-expect-error `method.extra` is not an English key
    const extra: Catalogue = { ...nb, 'method.extra': 'Ekstra' };
    expect(missingKeys(missing)).to.deep.equal(['loading']);
    expect(extraKeys(extra)).to.deep.equal(['method.extra']);
  });
});
