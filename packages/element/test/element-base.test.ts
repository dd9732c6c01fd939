// The element's base class: what it promises to do the way LitElement does (attributes and properties,
// batched renders, the ReactiveController lifecycle, adopted styles).
import { expect } from '@open-wc/testing';
import type { ReactiveController } from 'lit';
import { html } from 'lit/html.js';
import { ReactiveBase, addStyles, css } from '../src/element-base.js';

class TestBase extends ReactiveBase {
  static override properties = {
    label: {},
    dataValue: { attribute: 'data-value' },
    on: { type: Boolean },
    count: { attribute: false as const },
  };
  static override styles = [
    css`
      :host {
        display: block;
        border-top: 3px solid rgb(1, 2, 3);
      }
    `,
  ];
  declare label: string | null;
  declare dataValue: string | null;
  declare on: boolean;
  declare count: number;
  renders = 0;
  constructor() {
    super();
    this.label = 'default';
    this.dataValue = null;
    this.on = false;
    this.count = 0;
  }
  protected override render() {
    this.renders += 1;
    return html`<p>${this.label} ${this.count} ${this.on ? 'on' : 'off'}</p>`;
  }
}
customElements.define('test-base', TestBase);

const text = (el: TestBase) => el.shadowRoot!.querySelector('p')!.textContent;

describe('element base', () => {
  afterEach(() => document.querySelectorAll('test-base, test-base-late').forEach((el) => el.remove()));

  it('observes the attributes of its properties and reads them as strings or booleans', () => {
    expect(TestBase.observedAttributes).to.deep.equal(['label', 'data-value', 'on']);
    const el = document.createElement('test-base') as TestBase;
    el.setAttribute('label', 'Hello');
    el.setAttribute('data-value', '42');
    el.setAttribute('on', '');
    expect([el.label, el.dataValue, el.on]).to.deep.equal(['Hello', '42', true]);
    el.removeAttribute('on');
    el.removeAttribute('label');
    expect([el.label, el.on]).to.deep.equal([null, false]); // as Lit's String and Boolean converters
  });

  it('renders once per batch of changes, after connecting, and says when with updateComplete', async () => {
    const el = document.createElement('test-base') as TestBase;
    el.label = 'a';
    await Promise.resolve();
    expect(el.renders).to.equal(0); // nothing before it is connected
    document.body.append(el);
    await el.updateComplete;
    expect([el.renders, text(el)]).to.deep.equal([1, 'a 0 off']);
    el.label = 'b';
    el.count = 2;
    el.on = true;
    expect(await el.updateComplete).to.equal(true);
    expect([el.renders, text(el)]).to.deep.equal([2, 'b 2 on']);
    el.count = 2; // unchanged: no render
    await el.updateComplete;
    expect(el.renders).to.equal(2);
  });

  it('keeps a property set on the element before its class was defined', async () => {
    const early = document.createElement('test-base-late') as TestBase;
    (early as unknown as { label: string }).label = 'set before the upgrade';
    document.body.append(early);
    customElements.define('test-base-late', class extends TestBase {});
    await early.updateComplete;
    expect(early.label).to.equal('set before the upgrade');
    expect(text(early)).to.equal('set before the upgrade 0 off');
  });

  it('runs its controllers around each render and with the connection', async () => {
    const calls: string[] = [];
    const el = document.createElement('test-base') as TestBase;
    const controller: ReactiveController = {
      hostConnected: () => calls.push('connected'),
      hostUpdate: () => calls.push(`update (rendered ${el.renders})`),
      hostUpdated: () => calls.push(`updated (rendered ${el.renders})`),
      hostDisconnected: () => calls.push('disconnected'),
    };
    el.addController(controller);
    document.body.append(el);
    await el.updateComplete;
    el.remove();
    expect(calls).to.deep.equal(['connected', 'update (rendered 0)', 'updated (rendered 1)', 'disconnected']);
    calls.length = 0;
    document.body.append(el);
    el.addController({ hostConnected: () => calls.push('added while connected') });
    expect(calls).to.deep.equal(['connected', 'added while connected']);
    el.removeController(controller);
    el.remove();
    expect(calls).to.deep.equal(['connected', 'added while connected']);
  });

  it('adopts its styles as constructable stylesheets, and adds more later', async () => {
    const el = document.createElement('test-base') as TestBase;
    document.body.append(el);
    await el.updateComplete;
    expect(getComputedStyle(el).borderTopWidth).to.equal('3px');
    expect(el.shadowRoot!.querySelector('style')).to.equal(null);
    addStyles(el.shadowRoot!, [
      css`
        p {
          margin-left: 7px;
        }
      `,
    ]);
    expect(getComputedStyle(el.shadowRoot!.querySelector('p')!).marginLeft).to.equal('7px');
    expect(el.shadowRoot!.adoptedStyleSheets).to.have.length(2);
  });
});
