import { html, nothing, type TemplateResult } from 'lit';
import type { ApiError } from '../api.js';
import type { Translator } from '../i18n/index.js';
import { errorMessage, heading } from './shared.js';

export interface ErrorProps {
  tr: Translator;
  error: ApiError;
  /** Loads again; offered only when the error is retryable. */
  onRetry: () => void;
}

/** The session (or the returning payment) could not be loaded. */
export function renderError({ tr, error, onRetry }: ErrorProps): TemplateResult {
  return html`${heading(tr.t('error.heading'))}
    <div class="error" part="error" role="alert" data-error-code=${error.code}>
      <p>${errorMessage(tr, error)}</p>
    </div>
    ${
      error.retryable
        ? html`<div class="actions">
            <button
              type="button"
              class="button primary"
              part="button button-primary"
              data-action="retry"
              @click=${onRetry}
            >
              ${tr.t('action.tryAgain')}
            </button>
          </div>`
        : nothing
    }`;
}
