// On-demand catalogues: which language a locale reads, that a catalogue is fetched only when asked for
// (and once), and what a failed load leaves behind. Imports no catalogue statically: that is the point.
import { expect } from '@open-wc/testing';
import {
  createTranslator,
  en,
  formatAmount,
  loadMessages,
  localeChain,
  messagesLoaded,
  registerMessageLoader,
  registerMessages,
  type Messages,
} from '../src/i18n/index.js';

// Module requests show up as resource timings; the default buffer (250) can fill up with the test harness.
performance.setResourceTimingBufferSize(100_000);
const fetchesOf = (language: string) =>
  performance
    .getEntriesByType('resource')
    .filter((entry) => new RegExp(`/src/i18n/${language}\\.(js|ts)(\\?|$)`).test(new URL(entry.name).pathname + '?'))
    .length;

/** `method.bank` in each shipped language: how each one names paying from the bank account. */
const PAY_WITH_BANK = {
  en: 'Pay with your bank',
  nb: 'Betal med banken din',
  da: 'Betal med din bank',
  sv: 'Betala med din bank',
  fi: 'Maksa verkkopankissa',
} as const;

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('i18n loading: before anything is loaded', () => {
  it('ships only English: no other catalogue is fetched or registered until loadMessages', () => {
    for (const language of ['nb', 'da', 'sv', 'fi']) {
      expect(fetchesOf(language), language).to.equal(0);
      expect(messagesLoaded(language), language).to.equal(false);
      expect(createTranslator(language).t('method.bank')).to.equal(en['method.bank']);
      expect(createTranslator(language).language).to.equal('en');
    }
    expect(messagesLoaded('en')).to.equal(true);
    expect(messagesLoaded('de-CH')).to.equal(true);
  });

  it('loadMessages fetches the Norwegian catalogue once for concurrent nb-NO, no, nn and nb callers', async () => {
    const early = createTranslator('nb-NO'); // created before the load: sees it on its next lookup
    const calls = [loadMessages('nb-NO'), loadMessages('no'), loadMessages('NN_no'), loadMessages('nb')];
    expect(messagesLoaded('nb-NO')).to.equal(false);
    const results = await Promise.all(calls);
    expect(results).to.deep.equal([undefined, undefined, undefined, undefined]);
    expect(messagesLoaded('nb-NO')).to.equal(true);
    expect(messagesLoaded('nn')).to.equal(true);
    expect(early.t('method.bank')).to.equal(PAY_WITH_BANK.nb);
    expect(early.language).to.equal('nb');
    expect(fetchesOf('nb')).to.equal(1);
    expect(fetchesOf('da') + fetchesOf('sv') + fetchesOf('fi')).to.equal(0);

    await loadMessages('nb-NO'); // idempotent: resolves from what is registered
    expect(fetchesOf('nb')).to.equal(1);
  });

  it("keeps the merchant's registerMessages over a catalogue that loads later", async () => {
    registerMessages('sv', { 'action.back': 'Tillbaka till butiken' });
    registerMessages('sv-AX', { 'summary.payee': 'Betalningsmottagare' });
    const tr = createTranslator('sv-AX'); // Åland
    expect(tr.t('action.back')).to.equal('Tillbaka till butiken');
    expect(tr.t('action.tryAgain')).to.equal('Try again'); // Swedish not loaded yet
    await loadMessages('sv-AX');
    expect(tr.t('action.back')).to.equal('Tillbaka till butiken');
    expect(tr.t('summary.payee')).to.equal('Betalningsmottagare');
    expect(tr.t('action.tryAgain')).to.equal('Försök igen');
    expect(tr.t('pay.bank', { amount: '10,00 kr', payee: 'Nordic Mugs ApS' })).to.equal(
      'Betala 10,00 kr till Nordic Mugs ApS',
    );
  });
});

describe('i18n loading: which language a locale reads', () => {
  const cases: [string, keyof typeof PAY_WITH_BANK][] = [
    ['nb', 'nb'],
    ['nb-NO', 'nb'],
    ['no', 'nb'],
    ['no-NO', 'nb'],
    ['nn', 'nb'],
    ['nn-NO', 'nb'],
    ['NB_no', 'nb'],
    ['sv', 'sv'],
    ['sv-SE', 'sv'],
    ['sv-FI', 'sv'],
    ['SV_fi', 'sv'],
    ['da', 'da'],
    ['da-DK', 'da'],
    ['DA_dk', 'da'],
    ['fi', 'fi'],
    ['fi-FI', 'fi'],
    ['fi_fi', 'fi'],
    ['en', 'en'],
    ['en-GB', 'en'],
    ['de', 'en'],
    ['de-DE', 'en'],
    ['fr-CH', 'en'],
    ['se-NO', 'en'],
    ['', 'en'],
    ['   ', 'en'],
    ['not a locale!', 'en'],
    ['nb-NO; DROP TABLE', 'en'],
    ['*', 'en'],
    ['42', 'en'],
  ];
  for (const [locale, language] of cases) {
    it(`${JSON.stringify(locale)} → ${language}`, async () => {
      await loadMessages(locale);
      const tr = createTranslator(locale);
      expect(tr.language).to.equal(language);
      expect(tr.t('method.bank')).to.equal(PAY_WITH_BANK[language]);
    });
  }

  it('chains regional → base → (Norwegian) Bokmål → English, case-insensitive, _ as -', () => {
    expect(localeChain('nb-NO')).to.deep.equal(['nb-no', 'nb', 'en']);
    expect(localeChain('nn-NO')).to.deep.equal(['nn-no', 'nn', 'nb-no', 'nb', 'en']);
    expect(localeChain('no')).to.deep.equal(['no', 'nb', 'en']);
    expect(localeChain('No_no')).to.deep.equal(['no-no', 'no', 'nb-no', 'nb', 'en']);
    expect(localeChain('sv-FI')).to.deep.equal(['sv-fi', 'sv', 'en']);
    expect(localeChain('FI_fi')).to.deep.equal(['fi-fi', 'fi', 'en']);
    expect(localeChain('fr_CH')).to.deep.equal(['fr-ch', 'fr', 'en']);
    expect(localeChain('zh-Hant-TW')).to.deep.equal(['zh-hant-tw', 'zh-hant', 'zh', 'en']);
    expect(localeChain('en-GB')).to.deep.equal(['en-gb', 'en']);
    expect(localeChain('not a locale!')).to.deep.equal(['en']);
    expect(localeChain('')).to.deep.equal(['en']);
  });

  it("formats amounts in the locale asked for (Intl), not in the catalogue's language", () => {
    const nok = { value: 125_000, currency: 'NOK' } as const;
    expect(formatAmount(nok, 'nb-NO')).to.match(/^1\s250,00\skr$/);
    expect(formatAmount(nok, 'nb_NO')).to.equal(formatAmount(nok, 'nb-NO'));
    expect(createTranslator('nb_NO').locale).to.equal('nb-NO');
    expect(formatAmount({ value: 125_000, currency: 'DKK' }, 'da-DK')).to.match(/^1\.250,00\skr\.$/);
    expect(formatAmount({ value: 125_000, currency: 'SEK' }, 'sv-SE')).to.match(/^1\s250,00\skr$/);
    expect(formatAmount({ value: 125_000, currency: 'EUR' }, 'sv-FI')).to.match(/^1\s250,00\s€$/);
    expect(createTranslator('fi-FI').formatAmount({ value: 125_050, currency: 'EUR' })).to.match(/^1\s250,50\s€$/);
    // Swiss French reads English messages, but its amounts stay Swiss French.
    expect(createTranslator('fr-CH').formatAmount(nok)).to.equal(formatAmount(nok, 'fr-CH'));
  });
});

describe('i18n loading: failures and concurrency', () => {
  it('rejects when a catalogue fails to download, keeps English, and tries again on the next call', async () => {
    const url = new URL('./no-such-catalogue.js', import.meta.url).href;
    registerMessageLoader('zz', () =>
      import(/* @vite-ignore */ url).then((module: { messages: Messages }) => module.messages),
    );
    const tr = createTranslator('zz-ZZ');
    let error: unknown;
    await loadMessages('zz-ZZ').catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(TypeError); // "Failed to fetch dynamically imported module"
    expect(messagesLoaded('zz')).to.equal(false);
    expect(tr.language).to.equal('en');
    expect(tr.t('method.bank')).to.equal(en['method.bank']);

    let calls = 0;
    registerMessageLoader('zz', async () => {
      calls++;
      if (calls === 1) throw new Error('offline');
      return { 'method.bank': 'Zz bank' };
    });
    const first = await loadMessages('zz').then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    expect(first).to.equal('offline');
    expect(tr.t('method.bank')).to.equal(en['method.bank']);
    await loadMessages('zz');
    expect(calls).to.equal(2);
    expect(tr.t('method.bank')).to.equal('Zz bank');
    expect(tr.t('action.back')).to.equal('Back'); // per-message fallback to English
  });

  it('shares one in-flight load between concurrent callers; a failure rejects them all', async () => {
    let calls = 0;
    const gate = deferred<Messages>();
    registerMessageLoader('yy', () => (calls++, gate.promise));
    const settled: string[] = [];
    const waiting = ['yy', 'YY-yy', 'yy_YY'].map((locale) =>
      loadMessages(locale).then(
        () => settled.push(`${locale} ok`),
        () => settled.push(`${locale} failed`),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls).to.equal(1);
    expect(settled).to.deep.equal([]);
    expect(createTranslator('yy').t('action.back')).to.equal('Back');
    gate.reject(new Error('offline'));
    await Promise.all(waiting);
    expect(settled).to.deep.equal(['yy failed', 'YY-yy failed', 'yy_YY failed']);

    const again = deferred<Messages>();
    registerMessageLoader('yy', () => (calls++, again.promise));
    const both = Promise.all([loadMessages('yy'), loadMessages('yy-YY')]);
    again.resolve({ 'action.back': 'Yy back' });
    await both;
    expect(calls).to.equal(2);
    expect(createTranslator('yy-YY').t('action.back')).to.equal('Yy back');
    await loadMessages('yy');
    expect(calls).to.equal(2);
  });

  it('loads Danish, Swedish and Finnish as their own chunks, each once', async () => {
    await Promise.all([loadMessages('da-DK'), loadMessages('sv-SE'), loadMessages('fi-FI'), loadMessages('da')]);
    expect([fetchesOf('da'), fetchesOf('sv'), fetchesOf('fi')]).to.deep.equal([1, 1, 1]);
    expect(createTranslator('da-DK').t('method.bank')).to.equal(PAY_WITH_BANK.da);
    expect(createTranslator('fi-FI').t('method.bank')).to.equal(PAY_WITH_BANK.fi);
  });
});
