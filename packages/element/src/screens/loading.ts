import { html, type TemplateResult } from 'lit/html.js';
import type { Translator } from '../i18n/index.js';
import { heading, spinner } from './shared.js';

/** Shown while the session loads (and while no session token is set yet). */
export function renderLoading(tr: Translator): TemplateResult {
  return html`${spinner()} ${heading(tr.t('loading'))}`;
}
