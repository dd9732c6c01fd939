// What comes in chunks next to the entry (a method's screen, the payment part): shown once it is here,
// with its English and styles, and what happens when it cannot load. Each test file has a page (and
// module registry) of its own, so nothing is loaded here before these tests ask for it.
import { expect, waitUntil } from '@open-wc/testing';
import { createTranslator } from '../src/i18n/index.js';
import { loadScreen, methodModule, methodScreen } from '../src/methods/index.js';
import {
  $,
  FakeServer,
  click,
  makePayment,
  makeSession,
  mount,
  recordEvents,
  screenOf,
  text,
  waitForScreen,
} from './helpers.js';

describe('chunks loaded on demand', () => {
  let server: FakeServer;
  const idle = window.requestIdleCallback;
  afterEach(() => {
    server?.restore();
    window.requestIdleCallback = idle;
  });

  it('goes back to the method choice, and says so, when a method’s screen cannot load', async () => {
    window.requestIdleCallback = () => 0;
    const vipps = methodModule('vipps');
    const original = vipps.loadScreen;
    (vipps as { loadScreen?: () => Promise<never> }).loadScreen = () => Promise.reject(new TypeError('offline'));
    try {
      server = new FakeServer().withDefaults(makeSession({ methods: ['bank', 'vipps'] })).install();
      const events = recordEvents();
      const el = await mount();
      await waitForScreen(el, 'method-choice');
      click(el, '[data-method="vipps"]');
      await waitUntil(() => events.seen['pwb-error']!.length > 0, 'pwb-error');
      await waitForScreen(el, 'method-choice');
      expect(events.seen['pwb-error']![0]!.detail).to.include({ code: 'network_error', retryable: true });
      events.stop();
    } finally {
      (vipps as { loadScreen?: typeof original }).loadScreen = original;
    }
  });

  // After the test above, whose failed load is forgotten (the next one tries again).
  it('shows a method’s screen once its chunk is here, its English with it, and moves focus to it', async () => {
    // Nothing prefetched while idle: the shopper is quicker than the prefetch.
    window.requestIdleCallback = () => 0;
    expect(methodScreen('vipps')).to.equal(undefined);
    expect(createTranslator('en').t('vipps.heading')).to.equal('vipps.heading');
    server = new FakeServer().withDefaults(makeSession({ methods: ['bank', 'vipps'], banks: [] })).install();
    const el = await mount();
    await waitForScreen(el, 'method-choice');
    $(el, '[data-method="vipps"]')!.focus();
    click(el, '[data-method="vipps"]');
    await el.updateComplete;
    expect(screenOf(el)).to.equal('loading'); // the loading screen stands in for it meanwhile
    await waitForScreen(el, 'vipps-phone');
    expect(text(el, 'h2')).to.equal('Pay with Vipps');
    expect(el.shadowRoot!.activeElement).to.equal($(el, 'h2'));
    expect(methodScreen('vipps')).to.be.a('function');
  });

  it('a screen that ships in the entry needs no chunk', async () => {
    expect(methodScreen('bank')).to.be.a('function');
    await loadScreen('bank');
  });

  it('adopts the payment part’s styles and English when it loads', async () => {
    expect(createTranslator('en').t('result.completed.heading')).to.equal('result.completed.heading');
    server = new FakeServer().withDefaults(makeSession({ payment: makePayment({ status: 'completed' }) })).install();
    const el = await mount();
    await waitForScreen(el, 'result');
    expect(text(el, 'h2')).to.equal('Payment complete');
    const icon = $(el, '[part="status-icon"]')!;
    expect(getComputedStyle(icon).borderTopLeftRadius).to.equal('50%'); // a rule of the part's stylesheet
    expect(getComputedStyle(icon).backgroundColor).to.equal('rgb(26, 127, 55)'); // --pwb-color-success
  });
});
