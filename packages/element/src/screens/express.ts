import { html, nothing, type TemplateResult } from 'lit/html.js';
import { css } from '../element-base.js';
import type { State } from '../flow/state.js';
import { METHODS } from '../methods/index.js';
import { errorAlert, type View } from './shared.js';

/**
 * Express mode (product and cart pages): the provider's own "buy now" button, in its colours and
 * wording. Pressing it creates the checkout session (the page's `createSession`) and goes straight
 * to the provider, where the shopper shares their address and chooses shipping.
 */
export function renderExpress({
  state,
  tr,
  send,
}: View<Extract<State, { kind: 'express' | 'creating-session' }>>): TemplateResult {
  // The method whose button it is: the first with an express checkout.
  const method = Object.values(METHODS).find((module) => module?.texts.express);
  const busy = state.kind === 'creating-session';
  const label = method?.texts.express ? tr.t(method.texts.express) : '';
  return html`<button
      type="button"
      class="button express ${method?.id ?? ''}"
      part="button express-button"
      data-action="buy"
      ?disabled=${busy}
      aria-busy=${busy ? 'true' : 'false'}
      @click=${() => send({ type: 'buy' })}
    >
      ${busy ? tr.t('pay.starting') : label}
    </button>
    ${state.kind === 'express' ? errorAlert(tr, state.error) : nothing}`;
}

/**
 * The provider's own button (Vipps: its orange, white text). White on #ff5b24 is 3.1:1, so the label
 * is large text (bold, at least 19px), for which WCAG AA asks 3:1.
 */
export const expressStyles = css`
  .button.express {
    width: 100%;
    min-height: 3rem;
    font-size: max(1.25em, 19px);
    font-weight: 700;
  }
  .button.express.vipps {
    background: #ff5b24;
    border-color: #ff5b24;
    color: #fff;
  }
`;
