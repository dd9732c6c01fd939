import { html, nothing, type TemplateResult } from 'lit';
import type { PaymentMethod } from '@pay-with-bank/protocol';
import type { Translator } from '../i18n/index.js';
import { heading } from './shared.js';

export interface RedirectingProps {
  tr: Translator;
  method: PaymentMethod;
  /** Already checked to be http(s); null hides the manual link. */
  redirectUrl: string | null;
}

/**
 * Shown while the browser leaves for the provider. The link (target _top, never a frame) is the
 * fallback when a framed page may not navigate its top window by script.
 */
export function renderRedirecting({ tr, method, redirectUrl }: RedirectingProps): TemplateResult {
  return html`<div class="spinner" part="spinner" aria-hidden="true"></div>
    ${heading(tr.t(`redirecting.heading.${method}`))}
    ${
      redirectUrl
        ? html`<p>
            <a class="button link" part="link" href=${redirectUrl} target="_top" data-action="continue"
              >${tr.t('redirecting.link')}</a
            >
          </p>`
        : nothing
    }`;
}
