/**
 * axe with the WCAG 2.2 AA rules (wcag2a, wcag2aa, wcag21a, wcag21aa, wcag22aa) on every screen of the
 * element, in every language that ships with it: 0 violations. Each screen is reached the way a shopper
 * (or the server) gets there, through the fake server.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { CheckoutPayment } from '@pay-with-bank/protocol';
import { SHIPPED_LANGUAGES } from '../src/i18n/index.js';
import {
  $,
  BANKS,
  FakeServer,
  SERVER,
  apiError,
  click,
  json,
  makePayment,
  makeSession,
  mount,
  waitForScreen,
  waitForSelector,
  type TestPayWithBank,
} from './helpers.js';

const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

interface AxeResults {
  violations: { id: string; help: string; nodes: { html: string }[] }[];
}
declare global {
  interface Window {
    axe?: { run(context: Element, options: unknown): Promise<AxeResults> };
  }
}

/** The WCAG 2.2 AA violations on the element (axe comes with chai-a11y-axe; loaded by one accessible() call). */
async function violations(el: TestPayWithBank): Promise<string[]> {
  if (!window.axe) {
    const probe = document.body.appendChild(document.createElement('p'));
    await expect(probe).to.be.accessible();
    probe.remove();
  }
  const results = await window.axe!.run(el, { runOnly: { type: 'tag', values: WCAG_22_AA } });
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.html).join(' | ')})`);
}

const failed = makePayment({
  status: 'failed',
  failure: { code: 'insufficient_funds', message: 'Insufficient funds', providerCode: null, providerMessage: null },
});
const vippsPending = (): CheckoutPayment =>
  makePayment({
    method: 'vipps',
    bankId: null,
    status: 'pending',
    expiresAt: new Date(Date.now() + 120_000).toISOString(),
  });

/** Each screen (and the states of one screen that look different), and how to get there. */
const SCREENS: Record<string, (locale: string) => Promise<TestPayWithBank>> = {
  loading: (locale) => mount({ token: '', locale }),
  'error (no token)': async (locale) => {
    const el = await mount({ token: '', locale, missingTokenDelay: 10 });
    await waitForScreen(el, 'error');
    return el;
  },
  'error (retryable)': async (locale) => {
    server.on('GET', /^\/v1\/checkout\/session$/, () => apiError('internal_error'));
    const el = await mount({ locale });
    await waitForSelector(el, '[data-action="retry"]');
    return el;
  },
  'method choice': async (locale) => {
    const el = await mount({ locale });
    await waitForScreen(el, 'method-choice');
    return el;
  },
  'bank list (highlighted, nothing chosen, Pay pressed)': async (locale) => {
    const el = await mount({ locale, methods: 'bank' });
    el.setAttribute('highlighted-banks', 'dk-nordea');
    await waitForSelector(el, '[data-bank-id]');
    click(el, '[data-action="pay"]');
    await waitForSelector(el, '#bank-missing');
    return el;
  },
  'bank list (start error with retry)': async (locale) => {
    server.on('POST', /^\/v1\/checkout\/payments$/, () => apiError('provider_timeout'));
    const el = await mount({ locale });
    await waitForScreen(el, 'method-choice');
    click(el, '[data-method="bank"]');
    await waitForSelector(el, '[data-bank-id]');
    $<HTMLInputElement>(el, '[data-bank-id="dk-danske"] input')!.click();
    click(el, '[data-action="pay"]');
    await waitForSelector(el, '[data-error-code="provider_timeout"]');
    return el;
  },
  'bank list (no match)': async (locale) => {
    const el = await mount({ locale, methods: 'bank' });
    await waitForSelector(el, '[data-bank-id]');
    const search = $<HTMLInputElement>(el, 'input[type="search"]')!;
    search.value = 'zzz';
    search.dispatchEvent(new Event('input'));
    await el.updateComplete;
    return el;
  },
  'vipps (invalid number)': async (locale) => {
    const el = await mount({ locale, methods: 'vipps' });
    await waitForScreen(el, 'vipps-phone');
    const input = $<HTMLInputElement>(el, '#vipps-phone')!;
    input.value = '123';
    input.dispatchEvent(new Event('input'));
    click(el, '[data-action="pay"]');
    await waitForSelector(el, '#vipps-phone-error');
    return el;
  },
  redirecting: async (locale) => {
    const el = await mount({ locale, methods: 'vipps' });
    await waitForScreen(el, 'vipps-phone');
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'redirecting');
    return el;
  },
  'waiting (countdown, open payment)': async (locale) => {
    const open = vippsPending();
    server.on('GET', /^\/v1\/checkout\/session$/, () => json(makeSession({ payment: open })));
    server.on('POST', /refresh$/, () => json({ payment: open }));
    const el = await mount({ locale, pollInterval: 10_000 });
    await waitForSelector(el, '[role="timer"]');
    return el;
  },
  'express button (with an error)': async (locale) => {
    const el = await fixture<TestPayWithBank>(
      html`<test-pay-with-bank
        mode="express"
        server-url=${SERVER}
        locale=${locale}
        .createSession=${() => Promise.reject(new Error('shop is down'))}
      ></test-pay-with-bank>`,
    );
    await waitForScreen(el, 'express');
    click(el, '[data-action="buy"]');
    await waitForSelector(el, '[data-error-code="session_not_created"]');
    return el;
  },
  'result (express: shipping and total)': (locale) =>
    result(
      locale,
      makePayment({
        method: 'vipps',
        bankId: null,
        status: 'authorized',
        amount: { value: 30_800, currency: 'NOK' },
        shipping: { name: 'Posten Servicepakke', amount: { value: 7_900, currency: 'NOK' } },
      }),
    ),
  'result (completed)': (locale) => result(locale, makePayment({ status: 'completed' })),
  'result (reserved)': (locale) => result(locale, makePayment({ method: 'vipps', bankId: null, status: 'authorized' })),
  'result (failed)': (locale) => result(locale, failed),
  'result (cancelled)': (locale) => result(locale, makePayment({ status: 'cancelled' })),
  'result (expired)': (locale) => result(locale, makePayment({ method: 'vipps', bankId: null, status: 'expired' })),
  'result (still processing)': async (locale) => {
    server.on('GET', /^\/v1\/checkout\/session$/, () => json(makeSession({ payment: makePayment() })));
    server.on('POST', /refresh$/, () => json({ payment: makePayment() }));
    const el = await mount({ locale, pollLimit: 1 });
    await waitForSelector(el, '[data-action="check-again"]');
    return el;
  },
};

async function result(locale: string, payment: CheckoutPayment) {
  server.on('GET', /^\/v1\/checkout\/session$/, () => json(makeSession({ payment })));
  const el = await mount({ locale });
  await waitForScreen(el, 'result');
  return el;
}

let server: FakeServer;

describe('every screen in every language: axe (WCAG 2.2 AA) finds nothing', () => {
  beforeEach(() => {
    server = new FakeServer().withDefaults(makeSession({ banks: BANKS['DK']! })).install();
  });
  afterEach(() => server.restore());

  for (const language of SHIPPED_LANGUAGES) {
    describe(language, () => {
      for (const [name, reach] of Object.entries(SCREENS)) {
        it(name, async () => {
          const el = await reach(language);
          // The shipped catalogue has arrived: the text is in that language, and says so.
          await waitUntil(() => $(el, '.base')?.getAttribute('lang') === language, `lang=${language}`);
          expect(await violations(el)).to.deep.equal([]);
        });
      }
    });
  }

  it('the checks would catch a violation', async () => {
    const el = await SCREENS['method choice']!('en');
    $(el, '.base')!.setAttribute('lang', 'not a language');
    expect((await violations(el)).map((v) => v.split(':')[0])).to.deep.equal(['valid-lang']);
  });
});
