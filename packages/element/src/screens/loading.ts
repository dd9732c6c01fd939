import { html, type TemplateResult } from 'lit/html.js';
import type { Translator } from '../i18n/index.js';
import { heading, spinner } from './shared.js';

/**
 * Shown while the session loads (and while no session token is set yet). Until the shopper's language
 * has loaded (`ready`), only the spinner: no word in another language first.
 */
export function renderLoading(tr: Translator, ready = true): TemplateResult {
  return ready ? html`${spinner()} ${heading(tr.t('loading'))}` : spinner();
}
