import { expect, waitUntil } from '@open-wc/testing';

/**
 * The element under `default-src 'none'; script-src 'self'; style-src 'self'` plus Trusted Types:
 * no inline script, no eval, no inline styles. The page is served with that header by the test
 * server's middleware and loaded in a same-origin frame.
 */
describe('strict Content-Security-Policy', () => {
  it('renders, styles and handles clicks with no violation', async () => {
    const frame = document.createElement('iframe');
    frame.src = new URL('./csp/page.html', import.meta.url).href;
    document.body.append(frame);
    try {
      await new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
      const win = frame.contentWindow as Window & { cspViolations?: string[] };
      const el = () => frame.contentDocument!.querySelector('pay-with-bank')!;
      const screen = () => el().shadowRoot?.querySelector<HTMLElement>('.base')?.dataset.screen;
      await waitUntil(() => screen() === 'method-choice', 'method choice under CSP', { timeout: 5000 });

      const base = el().shadowRoot!.querySelector('.base')!;
      expect(win.getComputedStyle(base).borderTopLeftRadius).to.equal('8px'); // the stylesheet applied
      expect(el().shadowRoot!.querySelector('[data-amount]')!.textContent).to.match(/42\.00/);

      el().shadowRoot!.querySelector<HTMLButtonElement>('[data-method="bank"]')!.click();
      await waitUntil(() => screen() === 'bank-list', 'bank list under CSP');
      expect(win.cspViolations).to.deep.equal([]);
      // The header really was strict: Trusted Types refuse script text, inline style attributes are blocked.
      const doc = frame.contentDocument!;
      expect(() => (doc.createElement('script').textContent = 'window.inlineRan = true')).to.throw(/TrustedScript/);
      const styled = doc.createElement('div');
      styled.setAttribute('style', 'color: rgb(255, 0, 0)');
      doc.body.append(styled);
      await waitUntil(() => win.cspViolations!.some((v) => v.startsWith('style-src')), 'inline style reported');
      expect(win.getComputedStyle(styled).color).not.to.equal('rgb(255, 0, 0)');
    } finally {
      frame.remove();
    }
  });
});
