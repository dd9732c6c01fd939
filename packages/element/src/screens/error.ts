import { html, nothing, type TemplateResult } from 'lit/html.js';
import type { State } from '../flow/state.js';
import { button, errorMessage, heading, type View } from './shared.js';

/** The session (or the payment after a return) could not be loaded, or there is no session token. */
export function renderError({ state, tr, send }: View<Extract<State, { kind: 'failed' }>>): TemplateResult {
  const { error, retry } = state;
  return html`${heading(tr.t('error.heading'))}
    <div class="error" part="error" role="alert" data-error-code=${error.code}>
      <p>${errorMessage(tr, error)}</p>
    </div>
    ${
      error.retryable && retry
        ? html`<div class="actions">${button(tr.t('action.tryAgain'), 'retry', () => send({ type: 'retry' }))}</div>`
        : nothing
    }`;
}
