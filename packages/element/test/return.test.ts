import { expect, waitUntil } from '@open-wc/testing';
import { consumeReturnParams } from '../src/return.js';
import { RETURN_STATE_KEY } from '../src/return-state.js';
import {
  $,
  FakeServer,
  PAYMENT_ID,
  TOKEN,
  apiError,
  click,
  json,
  makePayment,
  makeSession,
  mount,
  recordEvents,
  screenOf,
  text,
  waitForScreen,
} from './helpers.js';

const RETURN_TOKEN = 'pwb_ct_returntoken0123456789abcdefghijklmnopqrstuv';
let originalUrl: string;

function setReturnUrl(params: Record<string, string>, state: unknown = null) {
  const url = new URL(location.href);
  url.searchParams.set('order', '1001'); // the shop's own parameter must survive
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  history.replaceState(state, '', url.href);
}

/** Answers refresh with each status in turn, then keeps answering the last one. */
function refreshSequence(server: FakeServer, payments: ReturnType<typeof makePayment>[]) {
  let i = 0;
  server.on('POST', /^\/v1\/checkout\/payments\/([^/]+)\/refresh$/, () =>
    json({ payment: payments[Math.min(i++, payments.length - 1)] }),
  );
}

describe('return from the provider', () => {
  let server: FakeServer;
  beforeEach(() => {
    originalUrl = location.href;
  });
  afterEach(() => {
    history.replaceState(null, '', originalUrl);
    server.assertNoAmountSent();
    server.restore();
  });

  it('reads and removes pwb_return/pwb_payment, keeping other parameters', () => {
    server = new FakeServer();
    setReturnUrl({ pwb_return: RETURN_TOKEN, pwb_payment: PAYMENT_ID });
    expect(consumeReturnParams()).to.deep.equal({ token: RETURN_TOKEN, paymentId: PAYMENT_ID });
    const url = new URL(location.href);
    expect(url.searchParams.has('pwb_return')).to.equal(false);
    expect(url.searchParams.has('pwb_payment')).to.equal(false);
    expect(url.searchParams.get('order')).to.equal('1001');
    expect(url.searchParams.has('wtr-session-id')).to.equal(true);
    // The same history entry (a reload, back/forward) reads them back from its state.
    expect(consumeReturnParams()).to.deep.equal({ token: RETURN_TOKEN, paymentId: PAYMENT_ID });
  });

  it('removes malformed return parameters without using them', () => {
    server = new FakeServer();
    setReturnUrl({ pwb_return: 'bad token with spaces', pwb_payment: '../../etc' });
    expect(consumeReturnParams()).to.equal(null);
    expect(new URL(location.href).searchParams.has('pwb_return')).to.equal(false);
    setReturnUrl({ pwb_return: RETURN_TOKEN, pwb_payment: 'not-a-payment' });
    expect(consumeReturnParams()).to.deep.equal({ token: RETURN_TOKEN, paymentId: null });
  });

  it('uses the token from the URL (no cookies or storage), polls refresh to success and shows amount, payee and reference', async () => {
    setReturnUrl({ pwb_return: RETURN_TOKEN, pwb_payment: PAYMENT_ID });
    server = new FakeServer().withDefaults(makeSession({ payment: makePayment({ status: 'pending' }) })).install();
    server.token = RETURN_TOKEN;
    refreshSequence(server, [
      makePayment({ status: 'pending' }),
      makePayment({ status: 'authorized', providerStatus: 'Pending' }),
      makePayment({ status: 'completed', providerStatus: 'Succeeded' }),
    ]);
    const events = recordEvents();
    // A page rendered without any session token (e.g. the phone's default browser).
    const el = await mount({ token: '' });
    expect(new URL(location.href).searchParams.has('pwb_return')).to.equal(false);
    await waitForScreen(el, 'result');

    expect(server.requests.every((r) => r.headers.get('Authorization') === `Bearer ${RETURN_TOKEN}`)).to.equal(true);
    const refreshes = server.requestsTo('POST', `/v1/checkout/payments/${PAYMENT_ID}/refresh`);
    expect(refreshes).to.have.length(3);
    expect(refreshes.every((r) => r.body === undefined)).to.equal(true);
    expect(text(el, 'h2')).to.equal('Payment complete');
    expect(text(el, '[data-amount]')).to.equal('DKK 1,250.00');
    expect(text(el, '[data-payee]')).to.equal('Nordic Mugs ApS');
    expect(text(el, '[data-reference]')).to.equal('order-1001');
    expect(text(el, '[data-live-region]')).to.equal('Payment complete');

    expect(events.seen['pwb-complete']!.map((e) => e.detail)).to.deep.equal([
      {
        paymentId: PAYMENT_ID,
        method: 'bank',
        amount: { value: 125_000, currency: 'DKK' },
        reference: 'order-1001',
        status: 'completed',
      },
    ]);
    expect(events.seen['pwb-state-change']!.map((e) => e.detail.screen)).to.deep.equal(['waiting', 'result']);
    events.stop();
    await expect(el).to.be.accessible();
  });

  it('prefers the return token over the session-token attribute', async () => {
    setReturnUrl({ pwb_return: RETURN_TOKEN, pwb_payment: PAYMENT_ID });
    server = new FakeServer().withDefaults().install();
    server.token = RETURN_TOKEN;
    refreshSequence(server, [makePayment({ status: 'completed' })]);
    const el = await mount({ token: TOKEN });
    await waitForScreen(el, 'result');
    expect(server.requests.map((r) => r.headers.get('Authorization'))).to.deep.equal([
      `Bearer ${RETURN_TOKEN}`,
      `Bearer ${RETURN_TOKEN}`,
    ]);
  });

  it('stops at authorized for Vipps (a reservation) and reports completion', async () => {
    setReturnUrl({ pwb_return: RETURN_TOKEN, pwb_payment: PAYMENT_ID });
    server = new FakeServer().withDefaults().install();
    server.token = RETURN_TOKEN;
    refreshSequence(server, [
      makePayment({ method: 'vipps', bankId: null, status: 'authorized', providerStatus: 'RESERVE' }),
    ]);
    const events = recordEvents();
    const el = await mount({ token: '' });
    await waitForScreen(el, 'result');
    expect(server.requestsTo('POST', /refresh$/)).to.have.length(1);
    expect(text(el, 'h2')).to.equal('Payment approved');
    expect(events.seen['pwb-complete']![0]!.detail.status).to.equal('authorized');
    events.stop();
  });

  it('keeps polling a bank payment that is authorized until it completes', async () => {
    setReturnUrl({ pwb_return: RETURN_TOKEN, pwb_payment: PAYMENT_ID });
    server = new FakeServer().withDefaults().install();
    server.token = RETURN_TOKEN;
    refreshSequence(server, [
      makePayment({ status: 'authorized' }),
      makePayment({ status: 'authorized' }),
      makePayment({ status: 'completed' }),
    ]);
    const el = await mount({ token: '' });
    await waitForScreen(el, 'result');
    expect(server.requestsTo('POST', /refresh$/)).to.have.length(3);
  });

  it('shows "still processing" with a Check again button after the poll limit, and resumes', async () => {
    setReturnUrl({ pwb_return: RETURN_TOKEN, pwb_payment: PAYMENT_ID });
    server = new FakeServer().withDefaults().install();
    server.token = RETURN_TOKEN;
    let status: 'pending' | 'completed' = 'pending';
    server.on('POST', /refresh$/, () => json({ payment: makePayment({ status }) }));
    const events = recordEvents();
    const el = await mount({ token: '', pollLimit: 3 });
    await waitForScreen(el, 'result');
    expect(server.requestsTo('POST', /refresh$/)).to.have.length(3);
    expect(text(el, 'h2')).to.equal('Your payment is still being processed');
    expect(text(el, '[data-reference]')).to.equal('order-1001');
    expect(events.seen['pwb-complete']).to.have.length(0);
    await expect(el).to.be.accessible();

    status = 'completed';
    click(el, '[data-action="check-again"]');
    await waitUntil(() => text(el, 'h2') === 'Payment complete', 'completed after checking again');
    expect(events.seen['pwb-state-change']!.map((e) => e.detail.screen).slice(-2)).to.deep.equal(['waiting', 'result']);
    expect(events.seen['pwb-complete']).to.have.length(1);
    events.stop();
  });

  it('keeps checking through transient errors, and shows a non-retryable one', async () => {
    setReturnUrl({ pwb_return: RETURN_TOKEN, pwb_payment: PAYMENT_ID });
    server = new FakeServer().withDefaults().install();
    server.token = RETURN_TOKEN;
    let calls = 0;
    server.on('POST', /refresh$/, () =>
      ++calls < 3 ? apiError('provider_unavailable') : json({ payment: makePayment({ status: 'completed' }) }),
    );
    const el = await mount({ token: '' });
    await waitForScreen(el, 'result');
    expect(calls).to.equal(3);

    history.replaceState(null, '', originalUrl);
    setReturnUrl({ pwb_return: RETURN_TOKEN, pwb_payment: PAYMENT_ID });
    server.on('POST', /refresh$/, () => apiError('not_found', 'no such payment'));
    const events = recordEvents();
    const other = await mount({ token: '' });
    await waitForScreen(other, 'error');
    events.stop();
    expect(events.seen['pwb-error']!.map((e) => e.detail)).to.deep.equal([
      { code: 'not_found', message: 'no such payment', retryable: false },
    ]);
    expect(text(other, '[role="alert"]')).to.equal(
      'We could not find this payment. Please return to the shop and start again.',
    );
    expect($(other, '[data-action="retry"]')).to.equal(null);
    await expect(other).to.be.accessible();
  });

  it('resumes from the session when the return URL has a token but no payment id', async () => {
    setReturnUrl({ pwb_return: RETURN_TOKEN });
    server = new FakeServer().withDefaults(makeSession({ payment: makePayment({ status: 'completed' }) })).install();
    server.token = RETURN_TOKEN;
    const el = await mount({ token: '' });
    await waitForScreen(el, 'result');
    expect(screenOf(el)).to.equal('result');
    expect(server.requestsTo('POST', /refresh$/)).to.have.length(0);
  });

  describe('reload and back/forward (the token lives in the history entry, not the URL)', () => {
    const completed = () => makePayment({ status: 'completed', providerStatus: 'Succeeded' });

    it('shows the result again after a reload, keeping the page’s own history state, with no cookies or storage', async () => {
      setReturnUrl({ pwb_return: RETURN_TOKEN, pwb_payment: PAYMENT_ID }, { shop: { step: 'return' } });
      server = new FakeServer().withDefaults().install();
      server.token = RETURN_TOKEN;
      refreshSequence(server, [completed()]);
      const first = await mount({ token: '' });
      await waitForScreen(first, 'result');
      expect(new URL(location.href).searchParams.has('pwb_return')).to.equal(false);
      expect(history.state).to.deep.equal({
        shop: { step: 'return' },
        [RETURN_STATE_KEY]: { token: RETURN_TOKEN, paymentId: PAYMENT_ID },
      });
      first.remove();

      // A reload: same URL (without the token), same history entry, a new element.
      const requestsBefore = server.requests.length;
      const events = recordEvents();
      const reloaded = await mount({ token: '' });
      await waitForScreen(reloaded, 'result');
      events.stop();
      expect(text(reloaded, 'h2')).to.equal('Payment complete');
      expect(text(reloaded, '[data-reference]')).to.equal('order-1001');
      const again = server.requests.slice(requestsBefore);
      expect(again.map((r) => `${r.method} ${r.path}`)).to.deep.equal([
        'GET /v1/checkout/session',
        `POST /v1/checkout/payments/${PAYMENT_ID}/refresh`,
      ]);
      expect(again.every((r) => r.headers.get('Authorization') === `Bearer ${RETURN_TOKEN}`)).to.equal(true);
      expect(events.seen['pwb-complete']).to.have.length(1);
      expect(history.state.shop).to.deep.equal({ step: 'return' });
      expect([document.cookie, sessionStorage.length, localStorage.length]).to.deep.equal(['', 0, 0]);
      await expect(reloaded).to.be.accessible();
    });

    it('shows the result again when the shopper comes back to the entry (back/forward)', async () => {
      setReturnUrl({ pwb_return: RETURN_TOKEN, pwb_payment: PAYMENT_ID });
      server = new FakeServer().withDefaults().install();
      server.token = RETURN_TOKEN;
      refreshSequence(server, [completed()]);
      const first = await mount({ token: '' });
      await waitForScreen(first, 'result');
      first.remove();

      // The shopper moves on to another entry, then comes back to the return page's entry.
      const elsewhere = new URL(location.href);
      elsewhere.searchParams.set('page', 'shop');
      history.pushState({ shop: 'elsewhere' }, '', elsewhere.href);
      expect(history.state).to.deep.equal({ shop: 'elsewhere' });
      const popped = new Promise((resolve) => window.addEventListener('popstate', resolve, { once: true }));
      history.back();
      await popped;
      expect(new URL(location.href).searchParams.has('page')).to.equal(false);

      const back = await mount({ token: '' });
      await waitForScreen(back, 'result');
      expect(text(back, 'h2')).to.equal('Payment complete');
    });

    it('a token in the URL (a fresh tab) wins over an older one in the history state', async () => {
      const OTHER = 'pwb_ct_anotherreturntoken0123456789abcdefghijklmno';
      setReturnUrl(
        { pwb_return: RETURN_TOKEN, pwb_payment: PAYMENT_ID },
        {
          [RETURN_STATE_KEY]: { token: OTHER, paymentId: null },
        },
      );
      server = new FakeServer().withDefaults().install();
      server.token = RETURN_TOKEN;
      refreshSequence(server, [completed()]);
      const el = await mount({ token: '' });
      await waitForScreen(el, 'result');
      expect(server.requests.every((r) => r.headers.get('Authorization') === `Bearer ${RETURN_TOKEN}`)).to.equal(true);
      expect(history.state[RETURN_STATE_KEY]).to.deep.equal({ token: RETURN_TOKEN, paymentId: PAYMENT_ID });
    });

    it('forgets the stored token when the page switches to another session', async () => {
      setReturnUrl({ pwb_return: RETURN_TOKEN, pwb_payment: PAYMENT_ID }, { shop: 1 });
      server = new FakeServer().withDefaults().install();
      server.token = RETURN_TOKEN;
      refreshSequence(server, [completed()]);
      const el = await mount({ token: '' });
      await waitForScreen(el, 'result');
      server.token = TOKEN;
      el.sessionToken = TOKEN;
      await waitForScreen(el, 'method-choice');
      expect(history.state).to.deep.equal({ shop: 1 });
    });
  });

  describe('no token at all', () => {
    it('says the payment link is incomplete, with a typed pwb-error, instead of loading forever', async () => {
      server = new FakeServer().withDefaults().install();
      const events = recordEvents();
      const el = await mount({ token: '', missingTokenDelay: 50 });
      expect(text(el, 'h2')).to.equal('Loading payment…'); // a script may still set the token
      await waitForScreen(el, 'error');
      events.stop();
      expect(text(el, 'h2')).to.equal('The payment could not be loaded');
      const alert = $(el, '[role="alert"]')!;
      expect(alert.dataset.errorCode).to.equal('missing_token');
      expect(text(el, '[role="alert"]')).to.equal(
        'This payment link is incomplete. Please return to the shop and start the payment again.',
      );
      expect($(el, '[data-action="retry"]')).to.equal(null);
      expect(events.seen['pwb-error']!.map((e) => e.detail.code)).to.deep.equal(['missing_token']);
      expect(events.seen['pwb-error']![0]!.detail.retryable).to.equal(false);
      expect(events.seen['pwb-state-change']!.map((e) => e.detail.screen)).to.deep.equal(['error']);
      expect(server.requests).to.have.length(0);
      await expect(el).to.be.accessible();

      // A token that arrives after all still starts the checkout.
      el.sessionToken = TOKEN;
      await waitForScreen(el, 'method-choice');
    });

    it('does not show the error when the token is set in time', async () => {
      server = new FakeServer().withDefaults().install();
      const events = recordEvents();
      const el = await mount({ token: '', missingTokenDelay: 50 });
      el.sessionToken = TOKEN;
      await waitForScreen(el, 'method-choice');
      await new Promise((resolve) => setTimeout(resolve, 120));
      events.stop();
      expect(screenOf(el)).to.equal('method-choice');
      expect(events.seen['pwb-error']).to.have.length(0);
    });
  });
});
