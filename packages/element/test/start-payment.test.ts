import { expect, waitUntil } from '@open-wc/testing';
import { AttemptId, StartPaymentRequest, errorBody } from '@pay-with-bank/protocol';
import {
  $,
  FakeServer,
  PAYMENT_ID,
  apiError,
  click,
  json,
  makePayment,
  makeSession,
  mount,
  recordEvents,
  text,
  waitForScreen,
  waitForSelector,
} from './helpers.js';

async function chooseBank(el: HTMLElement & { updateComplete: Promise<boolean> }, bankId: string) {
  $<HTMLInputElement>(el, bankId === '' ? '#bank-later' : `[data-bank-id="${bankId}"] input`)!.click();
  await el.updateComplete;
}

describe('starting a payment', () => {
  let server: FakeServer;
  afterEach(() => {
    server.assertNoAmountSent();
    server.restore();
  });

  it('posts method, bank and a fresh attempt id, then navigates the top window to the redirect URL', async () => {
    server = new FakeServer().withDefaults().install();
    const events = recordEvents();
    const el = await mount();
    await waitForScreen(el, 'method-choice');
    click(el, '[data-method="bank"]');
    await waitForSelector(el, '[data-bank-id]');
    await chooseBank(el, 'dk-nordea');
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'redirecting');

    const [request] = server.requestsTo('POST', '/v1/checkout/payments');
    const body = request!.body as StartPaymentRequest;
    expect(StartPaymentRequest.parse(body)).to.deep.equal(body);
    expect(Object.keys(body).sort()).to.deep.equal(['attemptId', 'bankId', 'method']);
    expect(body.method).to.equal('bank');
    expect(body.bankId).to.equal('dk-nordea');
    expect(AttemptId.safeParse(body.attemptId).success).to.equal(true);
    expect(request!.headers.get('Authorization')).to.equal(`Bearer ${server.token}`);
    expect(request!.headers.get('Content-Type')).to.equal('application/json');

    const redirectUrl = `https://sandbox.example.test/bank/authorize/${body.attemptId}`;
    expect(el.navigations).to.deep.equal([redirectUrl]);
    expect(text(el, 'h2')).to.equal('Taking you to your bank…');
    const link = $<HTMLAnchorElement>(el, '[data-action="continue"]')!;
    expect(link.href).to.equal(redirectUrl);
    expect(link.target).to.equal('_top');
    expect(server.invalidBodies).to.deep.equal([]);
    expect(events.seen['pwb-state-change']!.map((e) => e.detail.screen)).to.deep.equal([
      'method-choice',
      'bank-list',
      'redirecting',
    ]);
    events.stop();
    await expect(el).to.be.accessible();
  });

  it('sends bankId null for "Choose my bank on the next page"', async () => {
    server = new FakeServer().withDefaults().install();
    const el = await mount({ methods: 'bank' });
    await waitForSelector(el, '[data-bank-id]');
    await chooseBank(el, '');
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'redirecting');
    const body = server.requestsTo('POST', '/v1/checkout/payments')[0]!.body as StartPaymentRequest;
    expect(body.bankId).to.equal(null);
    expect(el.navigations).to.have.length(1);
  });

  it('sends one request for a double click, with the button disabled while in flight', async () => {
    server = new FakeServer().withDefaults().install();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    server.on('POST', /^\/v1\/checkout\/payments$/, async () => {
      await gate;
      return json({ payment: makePayment({ status: 'created' }), redirectUrl: 'https://sandbox.example.test/go' }, 201);
    });
    const el = await mount({ methods: 'bank' });
    await waitForSelector(el, '[data-bank-id]');
    await chooseBank(el, 'dk-danske');
    const pay = $<HTMLButtonElement>(el, '[data-action="pay"]')!;
    pay.click();
    pay.click(); // same tick, before any re-render
    await el.updateComplete;
    expect(pay.disabled).to.equal(true);
    expect(pay.getAttribute('aria-busy')).to.equal('true');
    pay.click();
    release();
    await waitForScreen(el, 'redirecting');
    expect(server.requestsTo('POST', '/v1/checkout/payments')).to.have.length(1);
    expect(el.navigations).to.deep.equal(['https://sandbox.example.test/go']);
  });

  it('reuses the attempt id when the shopper retries after a network error', async () => {
    server = new FakeServer().withDefaults().install();
    let calls = 0;
    server.on('POST', /^\/v1\/checkout\/payments$/, (req) => {
      calls += 1;
      if (calls === 1) throw new TypeError('Failed to fetch'); // the network dropped the request
      const body = req.body as StartPaymentRequest;
      return json(
        {
          payment: makePayment({ status: 'created' }),
          redirectUrl: `https://sandbox.example.test/go/${body.attemptId}`,
        },
        201,
      );
    });
    const events = recordEvents();
    const el = await mount({ methods: 'bank' });
    await waitForSelector(el, '[data-bank-id]');
    await chooseBank(el, 'dk-danske');
    click(el, '[data-action="pay"]');
    await waitForSelector(el, '[data-error-code="network_error"]');
    expect(text(el, '[role="alert"] p')).to.equal(
      'We could not reach the payment service. Check your connection and try again.',
    );
    expect(events.seen['pwb-error']!.map((e) => e.detail)).to.deep.equal([
      { code: 'network_error', message: 'The server could not be reached', retryable: true },
    ]);
    events.stop();
    await expect(el).to.be.accessible();

    click(el, '[role="alert"] [data-action="retry"]');
    await waitForScreen(el, 'redirecting');
    const [first, second] = server
      .requestsTo('POST', '/v1/checkout/payments')
      .map((r) => (r.body as StartPaymentRequest).attemptId);
    expect(second).to.equal(first);
    expect(el.navigations).to.deep.equal([`https://sandbox.example.test/go/${first}`]);
  });

  for (const [code, message] of [
    ['provider_unavailable', 'The payment service is not available right now. Please try again in a moment.'],
    ['provider_timeout', 'The payment service took too long to answer. Please try again.'],
  ] as const) {
    it(`after ${code} (the server failed the attempt), "Try again" is a new attempt`, async () => {
      server = new FakeServer().withDefaults().install();
      let calls = 0;
      server.on('POST', /^\/v1\/checkout\/payments$/, (req) => {
        calls += 1;
        if (calls === 1) return apiError(code, 'The payment provider could not be reached.');
        const body = req.body as StartPaymentRequest;
        return json(
          {
            payment: makePayment({ status: 'created' }),
            redirectUrl: `https://sandbox.example.test/go/${body.attemptId}`,
          },
          201,
        );
      });
      const el = await mount({ methods: 'bank' });
      await waitForSelector(el, '[data-bank-id]');
      await chooseBank(el, 'dk-danske');
      click(el, '[data-action="pay"]');
      await waitForSelector(el, `[data-error-code="${code}"]`);
      expect(text(el, '[role="alert"] p')).to.equal(message);
      expect($(el, '[role="alert"] [data-action="retry"]')!.textContent!.trim()).to.equal('Try again');
      await expect(el).to.be.accessible();

      click(el, '[role="alert"] [data-action="retry"]');
      await waitForScreen(el, 'redirecting');
      const [first, second] = server
        .requestsTo('POST', '/v1/checkout/payments')
        .map((r) => r.body as StartPaymentRequest);
      expect(second!.attemptId).not.to.equal(first!.attemptId);
      expect(second!.bankId).to.equal('dk-danske'); // same intent
      expect(el.navigations).to.deep.equal([`https://sandbox.example.test/go/${second!.attemptId}`]);
    });
  }

  it('uses a new attempt id when the shopper picks another bank after an error', async () => {
    server = new FakeServer().withDefaults().install();
    server.on('POST', /^\/v1\/checkout\/payments$/, () => apiError('bank_not_available', 'Bank is down'));
    const el = await mount({ methods: 'bank' });
    await waitForSelector(el, '[data-bank-id]');
    await chooseBank(el, 'dk-danske');
    click(el, '[data-action="pay"]');
    await waitForSelector(el, '[data-error-code="bank_not_available"]');
    expect(text(el, '[role="alert"] p')).to.equal(
      'This bank cannot take payments right now. Please choose another bank.',
    );
    expect($(el, '[role="alert"] [data-action="retry"]')).to.equal(null); // not retryable as is
    await chooseBank(el, 'dk-nordea');
    click(el, '[data-action="pay"]');
    await waitUntil(() => server.requestsTo('POST', '/v1/checkout/payments').length === 2);
    const [a, b] = server
      .requestsTo('POST', '/v1/checkout/payments')
      .map((r) => (r.body as StartPaymentRequest).attemptId);
    expect(a).not.to.equal(b);
  });

  it('payment_in_progress: shows the open payment’s waiting screen, announced; leaving it sends replace', async () => {
    const open = makePayment({
      status: 'pending',
      bankId: 'dk-danske',
      redirectUrl: 'https://sandbox.example.test/open',
    });
    let sessionPayment: typeof open | null = null; // another tab starts its payment after this page loaded
    server = new FakeServer().withDefaults().install();
    server.on('GET', /^\/v1\/checkout\/session$/, () => json(makeSession({ payment: sessionPayment })));
    server.on('POST', /refresh$/, () => json({ payment: open }));
    let starts = 0;
    server.on('POST', /^\/v1\/checkout\/payments$/, (req) => {
      starts += 1;
      if (starts === 1) {
        sessionPayment = open;
        return {
          status: 409,
          body: errorBody('payment_in_progress', 'Another payment for this checkout is still open.', {
            paymentId: PAYMENT_ID,
          }),
        };
      }
      const body = req.body as StartPaymentRequest;
      return json(
        {
          payment: makePayment({ id: 'pay_replacement0123456789', status: 'created', bankId: body.bankId ?? null }),
          redirectUrl: `https://sandbox.example.test/go/${body.attemptId}`,
        },
        201,
      );
    });
    const events = recordEvents();
    const el = await mount({ methods: 'bank', pollInterval: 1000 });
    await waitForSelector(el, '[data-bank-id]');
    await chooseBank(el, 'dk-nordea');
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'waiting');

    const first = server.requestsTo('POST', '/v1/checkout/payments')[0]!.body as StartPaymentRequest;
    expect(first).not.to.have.property('replace'); // a plain first Pay never replaces
    expect(el.navigations).to.deep.equal([]);
    expect(text(el, 'h2')).to.equal('Waiting for your bank');
    expect(text(el, '[data-open-payment-note]')).to.equal(
      'A payment for this order is already open. Continue it, or choose another way to pay.',
    );
    const live = $(el, '[data-live-region]')!;
    expect(live.getAttribute('aria-live')).to.equal('polite');
    expect(live.textContent!.trim()).to.equal(
      'A payment for this order is already open. Continue it, or choose another way to pay.',
    );
    expect($<HTMLAnchorElement>(el, 'a[data-action="continue"]')!.href).to.equal('https://sandbox.example.test/open');
    expect($(el, '[role="alert"]')).to.equal(null);
    expect(events.seen['pwb-error']!.map((e) => e.detail.code)).to.deep.equal(['payment_in_progress']);
    events.stop();
    await expect(el).to.be.accessible();

    // Leaving the open payment is the shopper's explicit choice: the next start says so.
    click(el, '[data-action="choose-another"]');
    await waitForSelector(el, '[data-bank-id]');
    expect($(el, '[data-open-payment-note]')).to.equal(null);
    await chooseBank(el, 'dk-nordea');
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'redirecting');
    const second = server.requestsTo('POST', '/v1/checkout/payments')[1]!.body as StartPaymentRequest;
    expect(second).to.include({ method: 'bank', bankId: 'dk-nordea', replace: true });
    expect(second.attemptId).not.to.equal(first.attemptId);
    expect(el.navigations).to.deep.equal([`https://sandbox.example.test/go/${second.attemptId}`]);
  });

  it('payment_in_progress naming a payment that is not the latest: that payment is fetched and shown', async () => {
    const otherId = 'pay_otheropen0123456789';
    const openVipps = makePayment({ id: otherId, method: 'vipps', bankId: null, status: 'pending' });
    server = new FakeServer()
      .withDefaults(makeSession({ payment: makePayment({ status: 'failed', failure: null }) }))
      .install();
    server.on('POST', /^\/v1\/checkout\/payments$/, () => ({
      status: 409,
      body: errorBody('payment_in_progress', 'Another payment is open.', { paymentId: otherId }),
    }));
    server.on('POST', /refresh$/, (req) =>
      req.path.includes(otherId) ? json({ payment: openVipps }) : apiError('not_found'),
    );
    const el = await mount({ pollInterval: 1000 });
    await waitForScreen(el, 'result');
    click(el, '[data-action="try-again"]');
    await waitForSelector(el, '[data-bank-id]');
    click(el, '[data-action="pay"]'); // the failed payment's bank, still selected
    await waitForScreen(el, 'waiting');
    expect(text(el, 'h2')).to.equal('Waiting for Vipps');
    expect(server.requestsTo('POST', `/v1/checkout/payments/${otherId}/refresh`).length).to.be.greaterThan(0);
    // "Try again" after a failure does not replace anything: the failed payment is final.
    expect(server.requestsTo('POST', '/v1/checkout/payments')[0]!.body).not.to.have.property('replace');
  });

  it('payment_in_progress when the open payment cannot be loaded: the refusal is shown', async () => {
    server = new FakeServer().withDefaults().install();
    server.on('POST', /^\/v1\/checkout\/payments$/, () => {
      server.on('GET', /^\/v1\/checkout\/session$/, () => apiError('internal_error'));
      return {
        status: 409,
        body: errorBody('payment_in_progress', 'Another payment is open.', { paymentId: PAYMENT_ID }),
      };
    });
    const el = await mount({ methods: 'bank' });
    await waitForSelector(el, '[data-bank-id]');
    await chooseBank(el, 'dk-danske');
    click(el, '[data-action="pay"]');
    await waitForSelector(el, '[data-error-code="payment_in_progress"]');
    expect(text(el, '[role="alert"] p')).to.equal('A payment is already in progress for this order.');
    expect(el.navigations).to.deep.equal([]);
  });

  it('refuses a redirect URL that is not http(s)', async () => {
    server = new FakeServer().withDefaults().install();
    server.on('POST', /^\/v1\/checkout\/payments$/, () =>
      json({ payment: makePayment({ status: 'created' }), redirectUrl: 'javascript:alert(1)' }, 201),
    );
    const el = await mount({ methods: 'bank' });
    await waitForSelector(el, '[data-bank-id]');
    await chooseBank(el, 'dk-danske');
    click(el, '[data-action="pay"]');
    await waitForSelector(el, '[data-error-code="invalid_response"]');
    expect(el.navigations).to.deep.equal([]);
  });

  it('times out a hanging request with a retryable error', async () => {
    server = new FakeServer().withDefaults().install();
    let hang = true;
    server.on('GET', /^\/v1\/checkout\/session$/, () => (hang ? new Promise(() => {}) : json(makeSession())));
    const el = await mount({ requestTimeout: 100 });
    await waitForScreen(el, 'error');
    expect($(el, '[data-error-code]')!.dataset.errorCode).to.equal('timeout');
    hang = false;
    click(el, '[data-action="retry"]');
    await waitForScreen(el, 'method-choice');
  });

  it('never sends amount, currency or reference, whatever the session says', async () => {
    server = new FakeServer().withDefaults(makeSession({ amount: { value: 99, currency: 'EUR' } })).install();
    const el = await mount({ methods: 'vipps' });
    await waitForScreen(el, 'vipps-phone');
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'redirecting');
    server.assertNoAmountSent();
    expect(server.requests.length).to.be.greaterThan(1);
  });
});
