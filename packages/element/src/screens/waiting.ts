import { html, nothing, type TemplateResult } from 'lit/html.js';
import type { State } from '../flow/state.js';
import { methodModule } from '../methods/index.js';
import { safeHttpUrl } from '../navigation.js';
import { heading, spinner, summary, type View } from './shared.js';

/** 125 → "2:05" */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Whether the screen shows the provider's countdown (so it re-renders every second). */
export const counting = (state: State): boolean =>
  state.kind === 'waiting' && state.payment?.next.type === 'wait' && !!state.payment.next.until;

/** Seconds until the provider gives up on the shopper (`next.until`), or null when it does not say. */
export function remainingSeconds(state: Extract<State, { kind: 'waiting' }>, now: number): number | null {
  const next = state.payment?.next;
  const until = next?.type === 'wait' && next.until ? Date.parse(next.until) : NaN;
  return Number.isFinite(until) ? Math.max(0, Math.ceil((until - now) / 1000)) : null;
}

/** The payment is under way: status checks run in the background, with the provider's countdown if it has one. */
export function renderWaiting({ state, tr, send }: View<Extract<State, { kind: 'waiting' }>>): TemplateResult {
  const { payment } = state;
  const texts = payment ? methodModule(payment.method).texts : null;
  const remaining = remainingSeconds(state, Date.now());
  const continueUrl = safeHttpUrl(payment?.redirectUrl);
  return html`${spinner()} ${heading(tr.t(texts?.waitingHeading ?? 'waiting.checking'))}
    ${summary(tr, state.ctx.session)}
    ${state.note ? html`<p data-open-payment-note>${tr.t('waiting.openPayment')}</p>` : nothing}
    ${texts ? html`<p>${tr.t(texts.waitingText)}</p>` : nothing}
    ${
      remaining === null
        ? nothing
        : remaining > 0
          ? html`<p class="countdown" part="countdown" role="timer" aria-atomic="true">
              ${tr.t('waiting.countdown', { time: formatCountdown(remaining) })}
            </p>`
          : html`<p class="countdown" part="countdown">${tr.t('waiting.countdownOver')}</p>`
    }
    <div class="actions">
      ${
        continueUrl && texts
          ? html`<a
              class="button"
              part="button button-secondary"
              href=${continueUrl}
              target="_top"
              data-action="continue"
              >${tr.t(texts.continue)}</a
            >`
          : nothing
      }
      <button
        type="button"
        class="button link"
        part="button button-link"
        data-action="choose-another"
        @click=${() => send({ type: 'choose-another' })}
      >
        ${tr.t('action.chooseAnother')}
      </button>
    </div>`;
}
