import { expect, waitUntil } from '@open-wc/testing';
import type { StartPaymentRequest } from '@pay-with-bank/protocol';
import {
  $,
  BANKS,
  FakeServer,
  PAYMENT_ID,
  click,
  json,
  makePayment,
  makeSession,
  mount,
  recordEvents,
  text,
  waitForScreen,
  waitForSelector,
  type TestPayWithBank,
} from './helpers.js';

const failed = makePayment({
  status: 'failed',
  bankId: 'dk-nordea',
  providerStatus: 'Failed',
  failure: {
    code: 'insufficient_funds',
    message: 'Insufficient funds',
    providerCode: 'AM04',
    providerMessage: 'Insufficient funds',
  },
});

const checked = (el: TestPayWithBank) =>
  [...el.shadowRoot!.querySelectorAll<HTMLInputElement>('input[name="bank"]')]
    .filter((r) => r.checked)
    .map((r) => r.id);
const focusedText = (el: TestPayWithBank) => el.shadowRoot!.activeElement?.textContent?.trim();

describe('results', () => {
  let server: FakeServer;
  afterEach(() => {
    server.assertNoAmountSent();
    server.restore();
  });

  it('shows a failure with its reason; "Try again" goes back to the bank list with that bank selected', async () => {
    server = new FakeServer().withDefaults(makeSession({ payment: failed })).install();
    const events = recordEvents();
    const el = await mount();
    await waitForScreen(el, 'result');
    expect(text(el, 'h2')).to.equal('Payment failed');
    expect(text(el, '[data-failure-reason]')).to.equal('There was not enough money in the account.');
    expect(text(el, '[data-reference]')).to.equal('order-1001');
    expect(events.seen['pwb-failed']!.map((e) => e.detail)).to.deep.equal([
      {
        paymentId: PAYMENT_ID,
        method: 'bank',
        amount: { value: 125_000, currency: 'DKK' },
        reference: 'order-1001',
        status: 'failed',
        failure: failed.failure,
      },
    ]);
    await expect(el).to.be.accessible();
    // Two clear actions: the primary one and a secondary button (not a small link).
    expect($(el, '[data-action="try-again"]')!.getAttribute('part')).to.equal('button button-primary');
    expect($(el, '[data-action="choose-another"]')!.getAttribute('part')).to.equal('button button-secondary');

    $(el, '[data-action="try-again"]')!.focus();
    click(el, '[data-action="try-again"]');
    await waitForScreen(el, 'bank-list');
    await waitForSelector(el, '[data-bank-id]');
    expect(checked(el)).to.deep.equal(['bank-dk-nordea']);
    expect(focusedText(el)).to.equal('Choose your bank'); // focus moved to the new screen's heading
    expect(server.requestsTo('POST', '/v1/checkout/payments')).to.have.length(0); // nothing started yet
    await expect(el).to.be.accessible();

    // The shopper picks another bank this time; the start is a plain new attempt.
    $(el, '[data-bank-id="dk-danske"]')!.click();
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'redirecting');
    const first = server.requestsTo('POST', '/v1/checkout/payments')[0]!.body as StartPaymentRequest;
    expect(first.method).to.equal('bank');
    expect(first.bankId).to.equal('dk-danske');
    expect(first).not.to.have.property('replace'); // the failed payment is final: nothing to replace
    expect(el.navigations).to.have.length(1);
    events.stop();
  });

  it('"Try again" with the same bank is a new attempt the server accepts without replace', async () => {
    server = new FakeServer().withDefaults(makeSession({ payment: failed })).install();
    const el = await mount({ methods: 'bank' });
    await waitForScreen(el, 'result');
    click(el, '[data-action="try-again"]');
    await waitForScreen(el, 'bank-list');
    await waitForSelector(el, '[data-bank-id]');
    expect(checked(el)).to.deep.equal(['bank-dk-nordea']);
    expect($(el, '[data-action="back"]')).to.equal(null); // one method: nowhere to go back to
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'redirecting');
    const body = server.requestsTo('POST', '/v1/checkout/payments')[0]!.body as StartPaymentRequest;
    expect(body).to.include({ method: 'bank', bankId: 'dk-nordea' });
    expect(body).not.to.have.property('replace');
    expect(server.invalidBodies).to.deep.equal([]);
  });

  it('"Try again" after the bank was chosen on the provider’s page selects "Choose my bank on the next page"', async () => {
    server = new FakeServer().withDefaults(makeSession({ payment: { ...failed, bankId: null } })).install();
    const el = await mount();
    await waitForScreen(el, 'result');
    click(el, '[data-action="try-again"]');
    await waitForScreen(el, 'bank-list');
    await waitForSelector(el, '[data-bank-id]');
    expect(checked(el)).to.deep.equal(['bank-later']);
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'redirecting');
    expect(server.requestsTo('POST', '/v1/checkout/payments')[0]!.body).to.include({ bankId: null });
  });

  it('"Try again" shows the country of a bank that is not in the first country', async () => {
    server = new FakeServer().withDefaults(makeSession({ payment: { ...failed, bankId: 'se-sodra' } })).install();
    // Without a country the server lists the banks of all the session's countries.
    server.on('GET', /^\/v1\/checkout\/banks$/, (req) => {
      const country = req.url.searchParams.get('country');
      return json({ banks: country ? BANKS[country]! : [...BANKS.DK!, ...BANKS.SE!] });
    });
    const el = await mount();
    await waitForScreen(el, 'result');
    click(el, '[data-action="try-again"]');
    await waitForScreen(el, 'bank-list');
    await waitUntil(() => checked(el).includes('bank-se-sodra'), 'Södra Sparbank selected');
    expect($<HTMLSelectElement>(el, '#bank-country')!.value).to.equal('SE');
    expect(checked(el)).to.deep.equal(['bank-se-sodra']);
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'redirecting');
    expect(server.requestsTo('POST', '/v1/checkout/payments')[0]!.body).to.include({ bankId: 'se-sodra' });
  });

  it('"Choose another way to pay" after a failure goes to the method choice', async () => {
    server = new FakeServer().withDefaults(makeSession({ payment: failed })).install();
    const el = await mount();
    await waitForScreen(el, 'result');
    click(el, '[data-action="choose-another"]');
    await waitForScreen(el, 'method-choice');
    expect(focusedText(el)).to.equal('How would you like to pay?');
    click(el, '[data-method="bank"]');
    await waitForScreen(el, 'bank-list');
    await waitForSelector(el, '[data-bank-id]');
    $(el, '[data-bank-id="dk-danske"]')!.click();
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'redirecting');
    const body = server.requestsTo('POST', '/v1/checkout/payments')[0]!.body as StartPaymentRequest;
    expect(body).to.include({ method: 'bank', bankId: 'dk-danske' });
    expect(body).not.to.have.property('replace');
  });

  it('uses a different attempt id for every "Try again"', async () => {
    server = new FakeServer().withDefaults(makeSession({ payment: failed })).install();
    server.on('POST', /^\/v1\/checkout\/payments$/, (req) =>
      json(
        {
          payment: { ...failed, id: `pay_${(req.body as StartPaymentRequest).attemptId}` },
          redirectUrl: 'https://sandbox.example.test/x',
        },
        201,
      ),
    );
    // Each new payment fails again when checked, bringing the shopper back to "Try again".
    server.on('POST', /\/refresh$/, () => json({ payment: failed }));
    const el = await mount();
    await waitForScreen(el, 'result');
    click(el, '[data-action="try-again"]');
    await waitForScreen(el, 'bank-list');
    await waitForSelector(el, '[data-bank-id]');
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'redirecting');
    // The shopper comes back to the page (bfcache): the session's latest payment failed again.
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    await waitForScreen(el, 'result');
    click(el, '[data-action="try-again"]');
    await waitForScreen(el, 'bank-list');
    await waitForSelector(el, '[data-bank-id]');
    click(el, '[data-action="pay"]');
    await waitUntil(() => server.requestsTo('POST', '/v1/checkout/payments').length === 2);
    const [a, b] = server
      .requestsTo('POST', '/v1/checkout/payments')
      .map((r) => (r.body as StartPaymentRequest).attemptId);
    expect(a).to.be.a('string');
    expect(a).not.to.equal(b);
  });

  it('shows the server’s message for an unknown failure code', async () => {
    const odd = makePayment({
      status: 'failed',
      failure: { code: 'brand_new_code', message: 'The bank said no', providerCode: null, providerMessage: null },
    });
    server = new FakeServer().withDefaults(makeSession({ payment: odd })).install();
    const el = await mount();
    await waitForScreen(el, 'result');
    expect(text(el, '[data-failure-reason]')).to.equal('The bank said no');
  });

  it('shows a cancelled payment with "Try again" and "Choose another way"', async () => {
    server = new FakeServer()
      .withDefaults(makeSession({ payment: makePayment({ status: 'cancelled', method: 'vipps', bankId: null }) }))
      .install();
    const events = recordEvents();
    const el = await mount();
    await waitForScreen(el, 'result');
    expect(text(el, 'h2')).to.equal('Payment cancelled');
    expect($(el, '[data-action="try-again"]')).not.to.equal(null);
    expect(events.seen['pwb-cancel']![0]!.detail.status).to.equal('cancelled');
    await expect(el).to.be.accessible();
    click(el, '[data-action="choose-another"]');
    await waitForScreen(el, 'method-choice');
    events.stop();
    click(el, '[data-method="vipps"]');
    await waitForScreen(el, 'vipps-phone');
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'redirecting');
    const body = server.requestsTo('POST', '/v1/checkout/payments')[0]!.body as StartPaymentRequest;
    expect(body).not.to.have.property('replace'); // the cancelled payment is final
  });

  it('shows an expired payment', async () => {
    server = new FakeServer()
      .withDefaults(makeSession({ payment: makePayment({ status: 'expired', method: 'vipps', bankId: null }) }))
      .install();
    const events = recordEvents();
    const el = await mount();
    await waitForScreen(el, 'result');
    expect(text(el, 'h2')).to.equal('The payment timed out');
    expect(text(el, '[data-amount]')).to.equal('DKK 1,250.00');
    expect(events.seen['pwb-cancel']![0]!.detail).to.include({ status: 'expired', paymentId: PAYMENT_ID });
    events.stop();
    await expect(el).to.be.accessible();

    // "Try again" goes back to the Vipps screen (the number can be changed), not straight to Vipps.
    click(el, '[data-action="try-again"]');
    await waitForScreen(el, 'vipps-phone');
    expect(focusedText(el)).to.equal('Pay with Vipps');
    expect(server.requestsTo('POST', '/v1/checkout/payments')).to.have.length(0);
    await expect(el).to.be.accessible();
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'redirecting');
    const body = server.requestsTo('POST', '/v1/checkout/payments')[0]!.body as StartPaymentRequest;
    expect(body.method).to.equal('vipps');
    expect(body.mobile).to.equal(false);
    expect(body).not.to.have.property('replace');
  });

  it('shows a completed payment from the session without polling', async () => {
    server = new FakeServer().withDefaults(makeSession({ payment: makePayment({ status: 'completed' }) })).install();
    const el = await mount();
    await waitForScreen(el, 'result');
    expect(text(el, 'h2')).to.equal('Payment complete');
    expect($(el, '[data-action="try-again"]')).to.equal(null);
    expect(server.requestsTo('POST', /refresh$/)).to.have.length(0);
  });

  it('shows an open payment as waiting, with "Continue at your bank" and "Choose another way"', async () => {
    server = new FakeServer().withDefaults(makeSession({ payment: makePayment({ status: 'pending' }) })).install();
    server.on('POST', /refresh$/, () => json({ payment: makePayment({ status: 'pending' }) }));
    const el = await mount({ pollInterval: 1000 });
    await waitForScreen(el, 'waiting');
    expect(text(el, 'h2')).to.equal('Waiting for your bank');
    const link = $<HTMLAnchorElement>(el, 'a[data-action="continue"]')!;
    expect(link.href).to.equal('https://sandbox.example.test/mastercard/authorize/abc');
    expect(link.target).to.equal('_top');
    await expect(el).to.be.accessible();

    click(el, '[data-action="choose-another"]');
    await waitForScreen(el, 'method-choice');
    const refreshesThen = server.requestsTo('POST', /refresh$/).length;
    click(el, '[data-method="vipps"]');
    await waitForScreen(el, 'vipps-phone');
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'redirecting');
    // Leaving a payment that is still open is the shopper's explicit choice: the start replaces it.
    const body = server.requestsTo('POST', '/v1/checkout/payments')[0]!.body as StartPaymentRequest;
    expect(body).to.include({ method: 'vipps', replace: true });
    await new Promise((r) => setTimeout(r, 1200));
    expect(server.requestsTo('POST', /refresh$/).length).to.equal(refreshesThen); // polling stopped
  });
});
