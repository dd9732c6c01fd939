import { expect } from '@open-wc/testing';
import { $$, FakeServer, click, makeSession, mount, recordEvents, screenOf, text, waitForScreen } from './helpers.js';

describe('method choice', () => {
  let server: FakeServer;
  afterEach(() => {
    server.assertNoAmountSent();
    server.restore();
  });

  it('loads the session with the bearer token and offers both methods with amount and payee', async () => {
    server = new FakeServer().withDefaults().install();
    const events = recordEvents();
    const el = await mount();
    await waitForScreen(el, 'method-choice');

    const [request] = server.requestsTo('GET', '/v1/checkout/session');
    expect(request!.headers.get('Authorization')).to.equal(`Bearer ${server.token}`);
    expect(request!.url.origin).to.equal('https://pay.example.test');
    expect($$(el, '[data-method]').map((b) => b.dataset.method)).to.deep.equal(['bank', 'vipps']);
    expect(text(el, '[data-amount]')).to.equal('DKK 1,250.00');
    expect(text(el, '[data-payee]')).to.equal('Nordic Mugs ApS');

    const ready = events.seen['pwb-ready']!;
    expect(ready).to.have.length(1);
    expect(ready[0]!.detail).to.deep.equal({
      sessionId: 'cs_session0123456789ab',
      amount: { value: 125_000, currency: 'DKK' },
      reference: 'order-1001',
      methods: ['bank', 'vipps'],
    });
    expect(ready[0]!.bubbles && ready[0]!.composed).to.equal(true);
    expect(events.seen['pwb-state-change']!.map((e) => e.detail.screen)).to.deep.equal(['method-choice']);
    events.stop();
    await expect(el).to.be.accessible();
  });

  it('goes to the bank list or the Vipps screen, and back', async () => {
    server = new FakeServer().withDefaults().install();
    const el = await mount();
    await waitForScreen(el, 'method-choice');
    click(el, '[data-method="vipps"]');
    await waitForScreen(el, 'vipps-phone');
    click(el, '[data-action="back"]');
    await waitForScreen(el, 'method-choice');
    click(el, '[data-method="bank"]');
    await waitForScreen(el, 'bank-list');
  });

  it('offers only methods in both the session and the methods attribute, skipping the choice for one', async () => {
    server = new FakeServer().withDefaults().install();
    const el = await mount({ methods: 'vipps' });
    await waitForScreen(el, 'vipps-phone');
    expect($$(el, '[data-action="back"]')).to.have.length(0);
  });

  it('skips the choice when the session has one method', async () => {
    server = new FakeServer().withDefaults(makeSession({ methods: ['bank'] })).install();
    const el = await mount();
    await waitForScreen(el, 'bank-list');
    expect(screenOf(el)).to.equal('bank-list');
  });

  it('says so when no method is left after filtering', async () => {
    server = new FakeServer().withDefaults(makeSession({ methods: ['bank'] })).install();
    const el = await mount({ methods: 'vipps' });
    await waitForScreen(el, 'method-choice');
    expect(text(el, '[role="alert"]')).to.contain('No payment method is available');
  });
});
