// Chunks that fail to load (a dropped connection, a host that serves only pay-with-bank.js) and then
// load: the shopper's next try fetches them again, although Chromium keeps a failed module fetch for
// the page's life (src/util.ts, retryingImport). A file of its own, so this page's module registry has
// loaded none of these chunks before; web-test-runner.config.mjs answers the modules the
// `pwb-fail-chunks` cookie names with a 503.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import {
  $,
  FakeServer,
  SERVER,
  TOKEN,
  click,
  makeSession,
  mount,
  recordEvents,
  screenOf,
  text,
  waitForScreen,
  waitForSelector,
} from './helpers.js';
import type { TestPayWithBank } from './helpers.js';
import { retryingImport } from '../src/util.js';

const failChunks = (names: string) =>
  (document.cookie = `pwb-fail-chunks=${names}; path=/; max-age=${names ? 600 : 0}`);

describe('chunks that failed to load, tried again', () => {
  let server: FakeServer;
  const idle = window.requestIdleCallback;
  afterEach(() => {
    failChunks('');
    server?.restore();
    window.requestIdleCallback = idle;
  });

  it('express mode: the error screen with Try again, and Try again brings the button once its chunk loads', async () => {
    failChunks('express');
    server = new FakeServer().withDefaults(makeSession({ methods: ['vipps'], express: true })).install();
    const events = recordEvents();
    let calls = 0;
    const el = await fixture<TestPayWithBank>(
      html`<test-pay-with-bank
        mode="express"
        server-url=${SERVER}
        locale="nb"
        .createSession=${async () => (calls++, TOKEN)}
      ></test-pay-with-bank>`,
    );
    await waitForScreen(el, 'error');
    expect($(el, '[data-error-code]')!.getAttribute('data-error-code')).to.equal('network_error');
    expect(text(el, 'h2')).to.not.match(/error\.|express\./); // worded, in Norwegian, not a key
    expect($(el, '[data-action="retry"]'), 'Try again').to.not.equal(null);
    await waitUntil(() => (events.seen['pwb-error'] ?? []).length === 1, 'pwb-error');
    expect(events.seen['pwb-error']![0]!.detail).to.include({ code: 'network_error', retryable: true });
    await expect(el).to.be.accessible();

    failChunks('');
    $<HTMLButtonElement>(el, '[data-action="retry"]')!.click();
    await waitForScreen(el, 'express');
    expect(text(el, '[data-action="buy"]')).to.equal('Kjøp nå med Vipps');
    expect(calls).to.equal(0); // nothing was created on the shop's backend
    expect(server.requests).to.deep.equal([]);
    expect(screenOf(el)).to.equal('express');
    events.stop();
  });

  it('the payment part: Pay says it failed, and Pay again fetches the part and pays', async () => {
    window.requestIdleCallback = () => 0; // no prefetch: the part is first asked for by Pay
    failChunks('payment');
    server = new FakeServer().withDefaults(makeSession({ methods: ['bank'] })).install();
    const events = recordEvents();
    const el = await mount();
    await waitForSelector(el, '[data-bank-id]');
    $<HTMLInputElement>(el, '[data-bank-id="dk-nordea"] input')!.click();
    await el.updateComplete;
    click(el, '[data-action="pay"]');
    await waitUntil(() => (events.seen['pwb-error'] ?? []).length === 1, 'pwb-error');
    expect(events.seen['pwb-error']![0]!.detail).to.include({ code: 'network_error', retryable: true });
    await waitUntil(() => !$<HTMLButtonElement>(el, '[data-action="pay"]')?.disabled, 'Pay can be pressed again');
    expect(screenOf(el)).to.equal('bank-list');
    expect(server.requestsTo('POST', '/v1/checkout/payments')).to.have.length(0);

    failChunks('');
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'redirecting');
    expect(server.requestsTo('POST', '/v1/checkout/payments')).to.have.length(1);
    expect(el.navigations).to.have.length(1);
    events.stop();
  });

  it('a retry that loaded is the module from then on: later calls get that one, not another copy', async () => {
    const importModule = retryingImport(() => import('./chunks/retry-module.js'));
    const fails = () =>
      importModule().then(
        () => expect.fail('loaded while its requests fail'),
        (error: unknown) => error,
      );
    failChunks('test/chunks/retry-module');
    expect(String(await fails())).to.match(/retry-module/);
    expect(String(await fails())).to.match(/retry-module/); // the retry asks the network again
    failChunks('');
    const first = await importModule();
    expect(await importModule()).to.equal(first);
    expect((await importModule()).instance).to.equal(first.instance);
  });
});
