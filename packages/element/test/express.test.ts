/**
 * Express mode (`mode="express"`): the provider's "buy now" button on a product page. Pressing it
 * asks the page's `createSession` for a checkout session (created on the merchant's backend), then
 * reads the session and starts the payment at once; the result shows shipping and the total.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import {
  $,
  FakeServer,
  SERVER,
  TOKEN,
  json,
  makePayment,
  makeSession,
  root,
  screenOf,
  text,
  waitForScreen,
  type TestPayWithBank,
} from './helpers.js';

async function mountExpress(createSession: (() => Promise<string>) | null, locale = 'en') {
  return fixture<TestPayWithBank>(
    html`<test-pay-with-bank
      mode="express"
      server-url=${SERVER}
      locale=${locale}
      .createSession=${createSession}
      .requestTimeout=${2000}
    ></test-pay-with-bank>`,
  );
}

const expressSession = makeSession({
  methods: ['vipps'],
  express: true,
  amount: { value: 22_900, currency: 'NOK' },
});

describe('express mode', () => {
  let server: FakeServer;
  afterEach(() => {
    server?.assertNoAmountSent();
    server?.restore();
  });

  it('shows the Vipps "buy now" button and reads nothing before it is pressed', async () => {
    server = new FakeServer().withDefaults(expressSession).install();
    let calls = 0;
    const el = await mountExpress(async () => {
      calls++;
      return TOKEN;
    });
    await waitForScreen(el, 'express');
    const button = $<HTMLButtonElement>(el, '[data-action="buy"]')!;
    expect(button.textContent!.trim()).to.equal('Buy now with Vipps');
    expect(button.getAttribute('part')).to.contain('express-button');
    expect(calls).to.equal(0);
    expect(server.requests).to.deep.equal([]);
    await expect(el).to.be.accessible();
  });

  it('one press: createSession once, the session read, one start for Vipps, then to Vipps', async () => {
    server = new FakeServer().withDefaults(expressSession).install();
    let calls = 0;
    let release!: (token: string) => void;
    const el = await mountExpress(() => {
      calls++;
      return new Promise<string>((resolve) => (release = resolve));
    });
    await waitForScreen(el, 'express');
    const button = $<HTMLButtonElement>(el, '[data-action="buy"]')!;
    button.click();
    await waitUntil(
      () => $<HTMLButtonElement>(el, '[data-action="buy"]')?.disabled,
      'busy while the session is created',
    );
    $<HTMLButtonElement>(el, '[data-action="buy"]')!.click(); // a double click
    expect(calls).to.equal(1);
    release(TOKEN);
    await waitUntil(() => el.navigations.length === 1, 'navigates to Vipps');
    expect(server.requestsTo('GET', '/v1/checkout/session')).to.have.length(1);
    const starts = server.requestsTo('POST', '/v1/checkout/payments');
    expect(starts).to.have.length(1);
    expect(starts[0]!.body).to.include({ method: 'vipps', mobile: false });
    expect(el.navigations[0]).to.match(/\/vipps\/authorize\//);
  });

  it('createSession failing or giving no token: the button again with an error, and it can be pressed again', async () => {
    server = new FakeServer().withDefaults(expressSession).install();
    const answers: Array<() => Promise<string>> = [
      () => Promise.reject(new Error('shop is down')),
      () => Promise.resolve('not a token'),
      () => Promise.resolve(TOKEN),
    ];
    const errors: string[] = [];
    const el = await mountExpress(() => answers.shift()!());
    el.addEventListener('pwb-error', (e) => errors.push((e as CustomEvent<{ code: string }>).detail.code));
    await waitForScreen(el, 'express');
    for (let i = 0; i < 2; i++) {
      $<HTMLButtonElement>(el, '[data-action="buy"]')!.click();
      await el.updateComplete; // busy (the last error is gone)
      await waitUntil(
        () => $(el, '[role="alert"]') && !$<HTMLButtonElement>(el, '[data-action="buy"]')!.disabled,
        'the error is announced and the button can be pressed again',
      );
      expect(text(el, '[role="alert"]'), root(el).innerHTML).to.contain('The shop could not start the payment');
      expect(screenOf(el)).to.equal('express');
    }
    expect(errors).to.deep.equal(['session_not_created', 'session_not_created']);
    expect(server.requests).to.deep.equal([]);
    await expect(el).to.be.accessible();
    $<HTMLButtonElement>(el, '[data-action="buy"]')!.click();
    await waitUntil(() => el.navigations.length === 1, 'the third press pays');
  });

  it('speaks the shopper’s language: Norwegian wording of Vipps’ button', async () => {
    server = new FakeServer().withDefaults(expressSession).install();
    const el = await mountExpress(async () => TOKEN, 'nb');
    await waitUntil(() => $(el, '[data-action="buy"]')?.textContent?.trim() === 'Kjøp nå med Vipps', 'Norwegian');
  });

  it('the result shows the shipping method, its price and the total paid', async () => {
    const paid = makePayment({
      method: 'vipps',
      status: 'authorized',
      amount: { value: 30_800, currency: 'NOK' },
      shipping: { name: 'Posten Servicepakke', amount: { value: 7_900, currency: 'NOK' } },
    });
    server = new FakeServer().withDefaults({ ...expressSession, payment: paid }).install();
    server.on('POST', /^\/v1\/checkout\/payments\/[^/]+\/refresh$/, () => json({ payment: paid }));
    const el = await fixture<TestPayWithBank>(
      html`<test-pay-with-bank session-token=${TOKEN} server-url=${SERVER} locale="en"></test-pay-with-bank>`,
    );
    await waitForScreen(el, 'result');
    expect(text(el, '[data-amount]')).to.equal('NOK 229.00');
    expect(text(el, '[data-shipping]')).to.equal('Posten Servicepakke, NOK 79.00');
    expect(text(el, '[data-total]')).to.equal('NOK 308.00');
    await expect(el).to.be.accessible();
  });
});
