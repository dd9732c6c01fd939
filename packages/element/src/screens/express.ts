import { html, nothing, type TemplateResult } from 'lit/html.js';
import type { State } from '../flow/state.js';
import { expressMethod } from '../methods/index.js';
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
  const method = expressMethod();
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
