import { html, type TemplateResult } from 'lit/html.js';
import type { State } from '../flow/state.js';
import { methodModule } from '../methods/index.js';
import { heading, summary, type View } from './shared.js';

/** "How would you like to pay?": one button per method. Skipped when only one method is offered. */
export function renderMethodChoice({ state, tr, send }: View<Extract<State, { kind: 'methods' }>>): TemplateResult {
  const methods = state.ctx.methods;
  return html`${heading(tr.t('methodChoice.heading'))} ${summary(tr, state.ctx.session)}
  ${
    methods.length === 0
      ? html`<p class="error" part="error" role="alert">${tr.t('method.none')}</p>`
      : html`<ul class="methods" part="methods">
          ${methods.map((method) => {
            const { texts } = methodModule(method);
            return html`<li>
              <button
                type="button"
                class="method"
                part="method"
                data-method=${method}
                @click=${() => send({ type: 'choose', method })}
              >
                <strong>${tr.t(texts.name)}</strong>
                <span>${tr.t(texts.description)}</span>
              </button>
            </li>`;
          })}
        </ul>`
  }`;
}
