import { expect } from '@open-wc/testing';
import { ERROR_STATUS } from '@pay-with-bank/protocol';
import {
  createTranslator,
  en,
  formatAmount,
  localeChain,
  registerMessageLoader,
  registerMessages,
} from '../src/i18n/index.js';
import { $, FakeServer, makeSession, mount, text, waitForScreen } from './helpers.js';

describe('i18n', () => {
  it('falls back regional → base → English', () => {
    expect(localeChain('nb-NO')).to.deep.equal(['nb-no', 'nb', 'en']);
    expect(localeChain('zh-Hant-TW')).to.deep.equal(['zh-hant-tw', 'zh-hant', 'zh', 'en']);
    expect(localeChain('fr_CH')).to.deep.equal(['fr-ch', 'fr', 'en']);
    expect(localeChain('en-GB')).to.deep.equal(['en-gb', 'en']);

    registerMessages('nb', { 'methodChoice.heading': 'Hvordan vil du betale?', 'summary.amount': 'Beløp' });
    registerMessages('nb-NO', { 'summary.amount': 'Sum' });
    const tr = createTranslator('nb-NO');
    expect(tr.t('summary.amount')).to.equal('Sum'); // regional
    expect(tr.t('methodChoice.heading')).to.equal('Hvordan vil du betale?'); // base
    expect(tr.t('summary.payee')).to.equal('To'); // English
    expect(createTranslator('nb').t('summary.amount')).to.equal('Beløp');
    expect(createTranslator('fr-CH').t('summary.amount')).to.equal('Amount');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    const tr = createTranslator('en');
    expect(tr.t('bankList.noMatches', { query: 'xyz' })).to.equal('No banks match “xyz”.');
    expect(tr.t('pay.bank', { amount: '10' })).to.equal('Pay 10 to {payee}');
    expect(tr.lookup('error.no_such_code')).to.equal(undefined);
  });

  it('formats minor units as currency in the locale', () => {
    const spaced = (s: string) => s.replace(/\s/g, ' ');
    expect(spaced(formatAmount({ value: 125_000, currency: 'NOK' }, 'en'))).to.equal('NOK 1,250.00');
    expect(formatAmount({ value: 125_000, currency: 'NOK' }, 'nb-NO')).to.match(/^1\s250,00\skr$/);
    expect(formatAmount({ value: 1, currency: 'EUR' }, 'de-DE')).to.match(/^0,01\s€$/);
    expect(formatAmount({ value: 99_95, currency: 'SEK' }, 'sv-SE')).to.match(/^99,95\skr$/);
    expect(spaced(formatAmount({ value: 5, currency: 'DKK' }, 'not a locale!'))).to.equal('DKK 0.05');
  });

  it('has a message for every server error code', () => {
    for (const code of Object.keys(ERROR_STATUS)) expect(en, code).to.have.property(`error.${code}`);
  });

  it('renders in the locale attribute, falling back per message and formatting amounts in that locale', async () => {
    // A language that does not ship: the merchant's strings, English for the rest, Swiss amounts.
    registerMessages('de', { 'methodChoice.heading': 'Wie möchten Sie bezahlen?' });
    const server = new FakeServer()
      .withDefaults(makeSession({ amount: { value: 125_000, currency: 'NOK' } }))
      .install();
    try {
      const el = await mount({ locale: 'de-CH' });
      await waitForScreen(el, 'method-choice');
      expect(text(el, 'h2')).to.equal('Wie möchten Sie bezahlen?');
      expect(text(el, '[data-method="bank"] strong')).to.equal('Pay with your bank');
      const swiss = new Intl.NumberFormat('de-CH', { style: 'currency', currency: 'NOK' }).format(1250);
      const spaces = (value: string) => value.replace(/\s/g, ' ');
      expect(spaces(text(el, '[data-amount]'))).to.equal(spaces(swiss));
      el.locale = 'en';
      await el.updateComplete;
      expect(text(el, 'h2')).to.equal('How would you like to pay?');
      expect(text(el, '[data-amount]')).to.equal('NOK 1,250.00');
    } finally {
      server.restore();
    }
  });

  it('a merchant string wins over the shipped Norwegian catalogue, message by message', async () => {
    registerMessages('nb', { 'methodChoice.heading': 'Hvordan vil du betale i dag?' });
    const server = new FakeServer()
      .withDefaults(makeSession({ amount: { value: 125_000, currency: 'NOK' } }))
      .install();
    try {
      const el = await mount({ locale: 'nb-NO' });
      await waitForScreen(el, 'method-choice');
      expect(text(el, 'h2')).to.equal('Hvordan vil du betale i dag?');
      expect(text(el, '[data-method="bank"] strong')).to.not.equal('Pay with your bank');
      expect(text(el, '[data-amount]')).to.match(/^1\s250,00\skr$/);
    } finally {
      server.restore();
    }
  });

  it('shows no word in English while the page’s language is still coming: the loading screen waits for it', async () => {
    let deliver!: (messages: { loading: string }) => void;
    registerMessageLoader('yx', () => new Promise((resolve) => (deliver = resolve)));
    const server = new FakeServer().withDefaults().install();
    server.on('GET', /session$/, () => new Promise(() => undefined)); // the session is slower still
    try {
      const el = await mount({ locale: 'yx' });
      await el.updateComplete;
      expect($(el, '[part="spinner"]')).to.not.equal(null);
      expect(text(el, '.base')).to.equal(''); // no "Loading payment…"
      deliver({ loading: 'Yx loading' });
      await new Promise((resolve) => setTimeout(resolve));
      await el.updateComplete;
      expect(text(el, 'h2')).to.equal('Yx loading');
    } finally {
      server.restore();
    }
  });

  it('uses the session locale when no locale attribute is set', async () => {
    registerMessages('da', { 'methodChoice.heading': 'Hvordan vil du betale? (da)' });
    const server = new FakeServer().withDefaults(makeSession({ locale: 'da-DK' })).install();
    try {
      const el = await mount({ locale: '' });
      await waitForScreen(el, 'method-choice');
      expect(text(el, 'h2')).to.equal('Hvordan vil du betale? (da)');
      expect(text(el, '[data-amount]')).to.match(/^1\.250,00\skr\.$/);
    } finally {
      server.restore();
    }
  });
});
