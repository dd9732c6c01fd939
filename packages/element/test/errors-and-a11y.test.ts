import { expect, waitUntil } from '@open-wc/testing';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import {
  $,
  FakeServer,
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

describe('server errors', () => {
  let server: FakeServer;
  afterEach(() => {
    server.assertNoAmountSent();
    server.restore();
  });

  it('shows a readable, announced message when the session cannot load, with "Try again" when retryable', async () => {
    server = new FakeServer().withDefaults().install();
    let fail = true;
    server.on('GET', /^\/v1\/checkout\/session$/, () =>
      fail ? apiError('internal_error', 'database is locked') : json(makeSession()),
    );
    const events = recordEvents();
    const el = await mount();
    await waitForScreen(el, 'error');
    expect(text(el, 'h2')).to.equal('The payment could not be loaded');
    expect(text(el, '[role="alert"]')).to.equal('Something went wrong on our side. Please try again.');
    expect(events.seen['pwb-error']!.map((e) => e.detail)).to.deep.equal([
      { code: 'internal_error', message: 'database is locked', retryable: true },
    ]);
    await expect(el).to.be.accessible();
    fail = false;
    click(el, '[data-action="retry"]');
    await waitForScreen(el, 'method-choice');
    events.stop();
  });

  it('offers no retry for an expired session or a bad token', async () => {
    server = new FakeServer().withDefaults().install();
    server.on('GET', /^\/v1\/checkout\/session$/, () => ({
      status: 410,
      body: { error: { code: 'session_expired', message: 'expired', retryable: false } },
    }));
    const el = await mount();
    await waitForScreen(el, 'error');
    expect(text(el, '[role="alert"]')).to.equal(
      'This checkout has expired. Please return to the shop and start again.',
    );
    expect($(el, '[data-action="retry"]')).to.equal(null);

    const wrongToken = await mount({ token: 'pwb_ct_wrong0123456789' });
    await waitForScreen(wrongToken, 'error');
    expect(text(wrongToken, '[role="alert"]')).to.equal(
      'This checkout link is no longer valid. Please return to the shop and start again.',
    );
  });

  it('maps start-payment errors by code, with "Try again" for retryable ones', async () => {
    server = new FakeServer().withDefaults().install();
    server.on('POST', /^\/v1\/checkout\/payments$/, () => apiError('provider_timeout'));
    const el = await mount({ methods: 'vipps' });
    await waitForScreen(el, 'vipps-phone');
    click(el, '[data-action="pay"]');
    await waitForSelector(el, '[data-error-code="provider_timeout"]');
    expect(text(el, '[role="alert"] p')).to.equal('The payment service took too long to answer. Please try again.');
    expect($(el, '[role="alert"] [data-action="retry"]')).not.to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('falls back to a generic message for an unknown error code, and to the HTTP status without a body', async () => {
    server = new FakeServer().withDefaults().install();
    let reply: () => Response = () =>
      new Response(JSON.stringify({ error: { code: 'shiny_new_error', message: 'x', retryable: false } }), {
        status: 418,
      });
    server.on('POST', /^\/v1\/checkout\/payments$/, () => reply());
    const el = await mount({ methods: 'vipps' });
    await waitForScreen(el, 'vipps-phone');
    click(el, '[data-action="pay"]');
    await waitForSelector(el, '[data-error-code="shiny_new_error"]');
    expect(text(el, '[role="alert"] p')).to.equal('Something went wrong. Please try again.');

    reply = () => new Response('<html>Bad gateway</html>', { status: 502 });
    click(el, '[data-action="pay"]');
    await waitForSelector(el, '[data-error-code="internal_error"]');
    expect($(el, '[role="alert"] [data-action="retry"]')).not.to.equal(null);
  });

  it('treats a malformed success body as an error instead of crashing', async () => {
    server = new FakeServer().withDefaults().install();
    server.on('GET', /^\/v1\/checkout\/session$/, () => json({ id: 'cs_x', amount: 'lots' }));
    const el = await mount();
    await waitForScreen(el, 'error');
    expect($(el, '[data-error-code]')!.dataset.errorCode).to.equal('invalid_response');
  });
});

describe('accessibility and focus', () => {
  let server: FakeServer;
  afterEach(() => server.restore());

  it('does not steal focus on the first screen, then moves focus to each new screen’s heading', async () => {
    server = new FakeServer().withDefaults().install();
    const outside = document.createElement('button');
    outside.textContent = 'outside';
    document.body.append(outside);
    outside.focus();
    const el = await mount();
    await waitForScreen(el, 'method-choice');
    expect(document.activeElement).to.equal(outside);
    outside.remove();

    $(el, '[data-method="bank"]')!.focus();
    await sendKeys({ press: 'Enter' });
    await waitForScreen(el, 'bank-list');
    const heading = el.shadowRoot!.activeElement as HTMLElement;
    expect(heading.tagName).to.equal('H2');
    expect(heading.textContent).to.equal('Choose your bank');
    expect(heading.getAttribute('tabindex')).to.equal('-1');

    click(el, '[data-action="back"]');
    await waitForScreen(el, 'method-choice');
    expect(el.shadowRoot!.activeElement?.textContent).to.equal('How would you like to pay?');
  });

  it('leaves focus alone when the shopper is busy elsewhere on the page', async () => {
    server = new FakeServer().withDefaults(makeSession({ payment: makePayment({ status: 'pending' }) })).install();
    let status: 'pending' | 'completed' = 'pending';
    server.on('POST', /refresh$/, () => json({ payment: makePayment({ status }) }));
    const el = await mount();
    await waitForScreen(el, 'waiting');
    const input = document.createElement('input');
    input.setAttribute('aria-label', 'shipping note');
    document.body.append(input);
    input.focus();
    status = 'completed';
    await waitForScreen(el, 'result');
    expect(document.activeElement).to.equal(input);
    input.remove();
  });

  it('announces status changes politely', async () => {
    server = new FakeServer().withDefaults(makeSession({ payment: makePayment({ status: 'created' }) })).install();
    let status: 'pending' | 'authorized' = 'pending';
    server.on('POST', /refresh$/, () => json({ payment: makePayment({ status }) }));
    const el = await mount({ pollInterval: 30 });
    await waitForScreen(el, 'waiting');
    const live = $(el, '[data-live-region]')!;
    expect(live.getAttribute('aria-live')).to.equal('polite');
    await waitUntil(() => live.textContent?.trim() === 'Waiting for you to approve the payment.', 'pending announced');
    status = 'authorized';
    await waitUntil(
      () => live.textContent?.trim() === 'Payment approved, waiting for confirmation.',
      'authorized announced',
    );
  });

  it('is accessible on the loading screen and without a token', async () => {
    server = new FakeServer().withDefaults().install();
    const el = await mount({ token: '' });
    expect(text(el, 'h2')).to.equal('Loading payment…');
    expect(server.requests).to.have.length(0);
    await expect(el).to.be.accessible();
  });

  it('starts when the token arrives later and restarts when it changes', async () => {
    server = new FakeServer().withDefaults().install();
    const el = await mount({ token: '' });
    el.sessionToken = server.token;
    await waitForScreen(el, 'method-choice');
    server.token = 'pwb_ct_other0123456789';
    el.sessionToken = 'pwb_ct_other0123456789';
    await waitUntil(() => server.requests.at(-1)?.headers.get('Authorization') === 'Bearer pwb_ct_other0123456789');
    await waitForScreen(el, 'method-choice');
    expect(server.requestsTo('GET', '/v1/checkout/session')).to.have.length(2);
  });

  it('respects reduced motion for the spinner', async () => {
    server = new FakeServer().withDefaults().install();
    const el = await mount({ token: '' });
    const spinner = $(el, '.spinner')!;
    expect(getComputedStyle(spinner).animationName).to.equal('pwb-spin');
    await emulateMedia({ reducedMotion: 'reduce' });
    try {
      expect(getComputedStyle(spinner).animationName).to.equal('none');
    } finally {
      await emulateMedia({ reducedMotion: 'no-preference' });
    }
  });
});
