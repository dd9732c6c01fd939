import { html, type TemplateResult } from 'lit/html.js';
import type { State } from '../flow/state.js';
import { methodModule } from '../methods/index.js';
import { heading, spinner, type View } from './shared.js';

/**
 * Shown while the browser leaves for the provider. The link (target _top, never a frame) is the
 * fallback when a framed page may not navigate its top window by script.
 */
export function renderRedirecting({ state, tr }: View<Extract<State, { kind: 'redirecting' }>>): TemplateResult {
  return html`${spinner()} ${heading(tr.t(methodModule(state.payment.method).texts.redirecting))}
    <p>
      <a class="button link" part="link" href=${state.url} target="_top" data-action="continue"
        >${tr.t('redirecting.link')}</a
      >
    </p>`;
}
