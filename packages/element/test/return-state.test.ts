import { expect } from '@open-wc/testing';
import { RETURN_STATE_KEY, forgetReturnState, readReturnState, saveReturnState } from '../src/return-state.js';

const TOKEN = 'pwb_ct_returntoken0123456789abcdefghijklmnopqrstuv';
const PAYMENT = 'pay_payment0123456789ab';

/** A History double: replaceState structured-clones like the real one. */
function fakeHistory(state: unknown = null) {
  const calls: Array<{ state: unknown; url: string | null | undefined }> = [];
  return {
    calls,
    state,
    replaceState(next: unknown, _unused: string, url?: string | URL | null) {
      this.state = structuredClone(next);
      calls.push({ state: this.state, url: url === undefined || url === null ? url : String(url) });
    },
  };
}

describe('return state in the history entry', () => {
  it('stores token and payment under its own key, keeping the page’s state, and sets the URL', () => {
    const history = fakeHistory({ router: { page: 3 }, scroll: 120 });
    const saved = saveReturnState(history, { token: TOKEN, paymentId: PAYMENT }, 'https://shop.test/return?order=1');
    expect(saved).to.equal(true);
    expect(history.state).to.deep.equal({
      router: { page: 3 },
      scroll: 120,
      [RETURN_STATE_KEY]: { token: TOKEN, paymentId: PAYMENT },
    });
    expect(history.calls.map((c) => c.url)).to.deep.equal(['https://shop.test/return?order=1']);
    expect(readReturnState(history)).to.deep.equal({ token: TOKEN, paymentId: PAYMENT });
  });

  it('stores into an empty state and reads a missing payment id back as null', () => {
    const history = fakeHistory(null);
    expect(saveReturnState(history, { token: TOKEN, paymentId: null }, '/return')).to.equal(true);
    expect(history.state).to.deep.equal({ [RETURN_STATE_KEY]: { token: TOKEN, paymentId: null } });
    expect(readReturnState(history)).to.deep.equal({ token: TOKEN, paymentId: null });
  });

  it('never rewrites state it cannot extend (a string, an array): only the URL changes', () => {
    for (const state of ['page-3', [1, 2], 7]) {
      const history = fakeHistory(state);
      expect(saveReturnState(history, { token: TOKEN, paymentId: PAYMENT }, '/return')).to.equal(false);
      expect(history.state).to.deep.equal(state);
      expect(history.calls.map((c) => c.url)).to.deep.equal(['/return']);
      expect(readReturnState(history)).to.equal(null);
    }
  });

  it('reads nothing from a state without its key, or with malformed values', () => {
    expect(readReturnState(fakeHistory(null))).to.equal(null);
    expect(readReturnState(fakeHistory({ other: 1 }))).to.equal(null);
    expect(readReturnState(fakeHistory({ [RETURN_STATE_KEY]: 'x' }))).to.equal(null);
    expect(readReturnState(fakeHistory({ [RETURN_STATE_KEY]: { token: 'has spaces in it' } }))).to.equal(null);
    expect(readReturnState(fakeHistory({ [RETURN_STATE_KEY]: { token: TOKEN, paymentId: '../x' } }))).to.deep.equal({
      token: TOKEN,
      paymentId: null,
    });
  });

  it('forgets the token (and only its own key) when the page switches to another session', () => {
    const history = fakeHistory({ router: 1, [RETURN_STATE_KEY]: { token: TOKEN, paymentId: PAYMENT } });
    forgetReturnState(history, 'pwb_ct_someothertoken0123456789');
    expect(history.calls).to.have.length(0); // another token: not ours to remove
    forgetReturnState(history, TOKEN);
    expect(history.state).to.deep.equal({ router: 1 });
    expect(history.calls.map((c) => c.url)).to.deep.equal([undefined]); // URL untouched
    expect(readReturnState(history)).to.equal(null);
  });

  it('works with the real window.history (structured clone, same entry)', () => {
    const original = location.href;
    try {
      history.replaceState({ mine: true }, '');
      saveReturnState(window.history, { token: TOKEN, paymentId: PAYMENT }, location.href);
      expect(history.state).to.deep.equal({ mine: true, [RETURN_STATE_KEY]: { token: TOKEN, paymentId: PAYMENT } });
      expect(readReturnState(window.history)).to.deep.equal({ token: TOKEN, paymentId: PAYMENT });
    } finally {
      history.replaceState(null, '', original);
    }
  });
});
