// The session read the script-tag entry sends before the element is defined, and the controller taking
// it over instead of sending its own.
import { expect } from '@open-wc/testing';
import { getSession } from '../src/api/request.js';
import { startSessionRead, takeSessionRead, warmNumberFormat } from '../src/early-session.js';
import { FakeServer, SERVER, TOKEN, json, makeSession, mount, sleep, waitForScreen } from './helpers.js';

describe('the early session read', () => {
  let server: FakeServer;
  let tag: HTMLElement;
  beforeEach(() => {
    // The page's element as the script tag finds it (not upgraded: no class is registered here).
    tag = document.createElement('pay-with-bank');
    tag.setAttribute('session-token', TOKEN);
    tag.setAttribute('server-url', SERVER);
    document.body.append(tag);
  });
  afterEach(() => {
    tag.remove();
    server.restore();
  });

  it('warms number formatting for the locale the page names, and a tag that is not BCP 47 neither throws nor asks the server', () => {
    server = new FakeServer().withDefaults().install();
    for (const locale of ['nb-NO', 'not a tag!', '']) {
      tag.setAttribute('locale', locale);
      expect(() => warmNumberFormat()).not.to.throw();
    }
    expect(server.requests).to.have.length(0);
  });

  it('is taken over once, by a reader with the same token and server', async () => {
    server = new FakeServer().withDefaults().install();
    startSessionRead();
    expect(server.requests).to.have.length(1);
    const signal = new AbortController().signal;
    expect(takeSessionRead({ serverUrl: SERVER, token: 'pwb_ct_other' }, signal)).to.equal(undefined);
    expect(takeSessionRead({ serverUrl: 'https://elsewhere.example', token: TOKEN }, signal)).to.equal(undefined);
    const body = takeSessionRead({ serverUrl: SERVER, token: TOKEN }, signal);
    expect(body).to.be.instanceOf(Promise);
    expect((await getSession({ serverUrl: SERVER, token: TOKEN }, signal, body)).id).to.equal(makeSession().id);
    expect(takeSessionRead({ serverUrl: SERVER, token: TOKEN }, signal)).to.equal(undefined); // once
    expect(server.requests).to.have.length(1);
  });

  it('is aborted with the signal of whoever took it over', async () => {
    server = new FakeServer().withDefaults().install();
    server.on('GET', /session$/, () => new Promise(() => undefined)); // never answers
    startSessionRead();
    const controller = new AbortController();
    const body = takeSessionRead({ serverUrl: SERVER, token: TOKEN }, controller.signal)!;
    controller.abort();
    let error: unknown;
    await body.catch((e: unknown) => (error = e));
    expect((error as DOMException).name).to.equal('AbortError');
  });

  it('is not sent on a return from a provider (the token may be the return URL’s) or without a token', () => {
    server = new FakeServer().withDefaults().install();
    const url = new URL(location.href);
    history.replaceState(history.state, '', `${url.pathname}?pwb_return=${TOKEN}`);
    try {
      startSessionRead();
    } finally {
      history.replaceState(history.state, '', url.href);
    }
    tag.removeAttribute('session-token');
    startSessionRead();
    expect(server.requests).to.have.length(0);
  });

  it('spares the element its own request when it starts with that token', async () => {
    server = new FakeServer().withDefaults().install();
    let answered = false;
    server.on('GET', /session$/, async () => {
      await sleep(50);
      answered = true;
      return json(makeSession({ methods: ['bank'] }));
    });
    startSessionRead();
    const el = await mount();
    await waitForScreen(el, 'bank-list');
    expect(answered).to.equal(true);
    expect(server.requestsTo('GET', '/v1/checkout/session')).to.have.length(1);
  });
});
