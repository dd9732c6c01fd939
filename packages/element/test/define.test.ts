import { expect, fixture, html } from '@open-wc/testing';
import * as entry from '../src/index.js';

describe('entry points', () => {
  it('index registers nothing; define registers <pay-with-bank> once, safely', async () => {
    expect(entry.PayWithBank).to.be.a('function');
    expect(customElements.get('pay-with-bank')).to.equal(undefined);
    const define = await import('../src/define.js');
    expect(customElements.get('pay-with-bank')).to.equal(entry.PayWithBank);
    expect(define.TAG_NAME).to.equal('pay-with-bank');
    // A second copy of the script (e.g. two bundles on one page) must not throw.
    const again = (await import('../src/define.js?again' as string)) as typeof define;
    expect(again.TAG_NAME).to.equal('pay-with-bank');
    expect(customElements.get('pay-with-bank')).to.equal(entry.PayWithBank);

    const el = await fixture(html`<pay-with-bank></pay-with-bank>`);
    const typed: HTMLElementTagNameMap['pay-with-bank'] = el as entry.PayWithBank;
    expect(typed).to.be.instanceOf(entry.PayWithBank);
    expect(typed.shadowRoot).not.to.equal(null);
    // Styles are adopted constructable stylesheets, not <style> elements (strict CSP).
    expect(typed.shadowRoot!.adoptedStyleSheets.length).to.be.greaterThan(0);
    expect(typed.shadowRoot!.querySelector('style')).to.equal(null);
  });

  it('reflects attributes to properties', async () => {
    await import('../src/define.js');
    const el = await fixture<entry.PayWithBank>(
      html`<pay-with-bank
        session-token="t"
        server-url="https://s.example"
        locale="sv-SE"
        methods="bank"
      ></pay-with-bank>`,
    );
    expect([el.sessionToken, el.serverUrl, el.locale, el.methods]).to.deep.equal([
      't',
      'https://s.example',
      'sv-SE',
      'bank',
    ]);
  });
});

describe('typed events', () => {
  it('bubble out of the shadow root with typed details', async () => {
    await import('../src/define.js');
    const { createPwbEvent } = await import('../src/events.js');
    const el = await fixture<entry.PayWithBank>(html`<pay-with-bank></pay-with-bank>`);
    const received: entry.PwbCompleteDetail[] = [];
    // Typed through HTMLElementEventMap: no cast needed to read the detail.
    document.addEventListener('pwb-complete', (event) => {
      const status: 'completed' | 'authorized' = event.detail.status;
      if (status) received.push(event.detail);
    });
    const detail: entry.PwbCompleteDetail = {
      paymentId: 'pay_x',
      method: 'vipps',
      status: 'authorized',
      amount: { value: 100, currency: 'NOK' },
      reference: 'r-1',
    };
    el.shadowRoot!.querySelector('.base')!.dispatchEvent(createPwbEvent('pwb-complete', detail));
    expect(received).to.deep.equal([detail]);
  });
});
