import { css } from './element-base.js';

/**
 * Constructable stylesheet (adoptedStyleSheets): no <style> injection or inline style attributes,
 * so the element works under a strict Content-Security-Policy. Defaults meet WCAG AA contrast.
 */
export const styles = css`
  :host {
    --_primary: var(--pwb-color-primary, #1d4ed8);
    --_on-primary: var(--pwb-color-on-primary, #ffffff);
    --_text: var(--pwb-color-text, #1f2328);
    --_muted: var(--pwb-color-muted, #57606a);
    --_bg: var(--pwb-color-background, #ffffff);
    --_surface: var(--pwb-color-surface, #f6f8fa);
    --_border: var(--pwb-color-border, #8c959f);
    --_error: var(--pwb-color-error, #b42318);
    --_focus: var(--pwb-color-focus, #1d4ed8);
    --_radius: var(--pwb-radius, 8px);
    --_space: var(--pwb-spacing, 1rem);

    display: block;
    max-width: var(--pwb-max-width, 28rem);
    font-family: var(--pwb-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: var(--pwb-font-size, 1rem);
    line-height: 1.5;
    color: var(--_text);
  }

  :host([hidden]) {
    display: none;
  }

  * {
    box-sizing: border-box;
  }

  .base {
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: calc(var(--_space) * 1.25);
  }

  h2 {
    font-size: 1.25em;
    line-height: 1.3;
    margin: 0 0 var(--_space);
  }

  /* Headings take focus only so screen readers follow the screen change; they are not controls,
     so no focus ring (WCAG 2.4.7 concerns operable components). */
  h2:focus,
  h2:focus-visible {
    outline: none;
  }

  p {
    margin: 0 0 var(--_space);
  }

  .muted {
    color: var(--_muted);
  }

  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0, 0, 0, 0);
    white-space: nowrap;
    border: 0;
  }

  /* Buttons and links that look like buttons */
  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.5em;
    min-height: 2.75rem;
    padding: 0.5em 1.25em;
    border: 2px solid var(--_primary);
    border-radius: var(--_radius);
    background: var(--_bg);
    color: var(--_primary);
    font: inherit;
    font-weight: 600;
    text-decoration: none;
    cursor: pointer;
  }

  .button.primary {
    background: var(--_primary);
    color: var(--_on-primary);
    width: 100%;
  }

  .button:disabled {
    cursor: not-allowed;
    opacity: 0.65;
  }

  .button.link {
    border-color: transparent;
    background: transparent;
    padding-inline: 0.25em;
    text-decoration: underline;
  }

  :is(button, a, input, select, summary):focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }

  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.75em;
    margin-top: var(--_space);
  }

  /* Method choice */
  .methods {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.75em;
  }

  .method {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    width: 100%;
    padding: 0.875em 1em;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
    color: var(--_text);
    font: inherit;
    text-align: start;
    cursor: pointer;
  }

  .method:hover {
    border-color: var(--_primary);
  }

  .method strong {
    font-size: 1.05em;
  }

  .method span {
    color: var(--_muted);
  }

  /* Bank list */
  .field {
    display: grid;
    gap: 0.25em;
    margin-bottom: 0.75em;
  }

  label,
  legend {
    font-weight: 600;
  }

  .field input,
  select {
    width: 100%;
    min-height: 2.75rem;
    padding: 0.5em 0.75em;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
    color: var(--_text);
    font: inherit;
  }

  input[aria-invalid='true'] {
    border-color: var(--_error);
  }

  fieldset {
    border: 0;
    margin: 0;
    padding: 0;
    min-width: 0;
  }

  .banks {
    list-style: none;
    margin: 0.5em 0 0;
    padding: 0;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }

  /* A scroll box inside a scrolling page only where there is room and a mouse: on a phone the whole
     list is part of the page. */
  @media (min-width: 40em) and (pointer: fine) {
    .banks {
      max-height: var(--pwb-bank-list-max-height, 20rem);
      overflow-y: auto;
    }
  }

  .banks li + li {
    border-top: 1px solid var(--_surface);
  }

  /* The last-used and highlighted banks, set off from the rest. */
  .banks .featured + li:not(.featured) {
    border-top: 2px solid var(--_border);
  }

  .tag {
    justify-self: start;
    padding: 0 0.5em;
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: var(--_bg);
    color: var(--_text);
    font-size: 0.8em;
    font-weight: 600;
  }

  .bank {
    display: flex;
    align-items: center;
    gap: 0.75em;
    padding: 0.625em 0.75em;
    cursor: pointer;
    font-weight: 400;
  }

  .bank input {
    accent-color: var(--_primary);
    width: 1.125rem;
    height: 1.125rem;
    margin: 0;
    flex: none;
  }

  .bank:has(input:checked) {
    background: var(--_surface);
  }

  .bank.unavailable {
    cursor: not-allowed;
    color: var(--_muted);
  }

  .bank.unavailable .logo {
    filter: grayscale(1);
    opacity: 0.6;
  }

  .bank-text {
    display: grid;
  }

  .bank-message {
    font-size: 0.875em;
    color: var(--_muted);
  }

  .logo {
    flex: none;
    width: 2rem;
    height: 2rem;
    border-radius: 6px;
    object-fit: contain;
  }

  .initials {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    background: var(--_surface);
    color: var(--_text);
    font-size: 0.8em;
    font-weight: 700;
  }

  .choose-later {
    margin-top: 0.5em;
    border: 1px dashed var(--_border);
    border-radius: var(--_radius);
  }

  /* Summary of amount, payee, reference */
  .summary {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 0.25em 1em;
    margin: 0 0 var(--_space);
    padding: 0.75em 1em;
    background: var(--_surface);
    border-radius: var(--_radius);
  }

  .summary dt {
    color: var(--_muted);
  }

  .summary dd {
    margin: 0;
    font-weight: 600;
    overflow-wrap: anywhere;
  }

  /* Messages */
  .error {
    margin: 0.75em 0;
    padding: 0.75em 1em;
    border-inline-start: 4px solid var(--_error);
    background: var(--_surface);
    color: var(--_error);
    font-weight: 600;
  }

  .field-error {
    color: var(--_error);
    font-size: 0.875em;
    font-weight: 600;
  }

  .hint {
    color: var(--_muted);
    font-size: 0.875em;
  }

  .spinner {
    display: inline-block;
    width: 1.5rem;
    height: 1.5rem;
    margin-bottom: 0.5em;
    border: 3px solid var(--_surface);
    border-top-color: var(--_primary);
    border-radius: 50%;
    animation: pwb-spin 0.9s linear infinite;
  }

  @keyframes pwb-spin {
    to {
      transform: rotate(360deg);
    }
  }

  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation: none;
      border-top-color: var(--_muted);
    }
  }

  @media (forced-colors: active) {
    .button.primary {
      forced-color-adjust: auto;
      border: 2px solid ButtonText;
    }
  }
`;
