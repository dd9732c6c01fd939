/**
 * Stylesheet of the hosted authorisation pages, served from its own route so the pages work under a
 * CSP without 'unsafe-inline'. Colours meet WCAG AA contrast; focus is always visible.
 */
export const HOSTED_CSS = `
:root {
  --of-ink: #141413;
  --of-muted: #4b5563;
  --of-line: #d1d5db;
  --of-surface: #ffffff;
  --of-page: #f4f3f0;
  --of-accent: #cf4500;
  --of-accent-ink: #ffffff;
  --of-focus: #1d4ed8;
  --of-error: #b91c1c;
  --of-note: #fff7e6;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: var(--of-ink);
  background: var(--of-page);
  line-height: 1.5;
}
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; }
:focus-visible { outline: 3px solid var(--of-focus); outline-offset: 2px; }

.of-header { display: flex; align-items: center; justify-content: space-between; padding: 0.75rem 1.25rem;
  background: var(--of-surface); border-bottom: 1px solid var(--of-line); }
.of-brand { display: inline-flex; align-items: center; gap: 0.5rem; font-weight: 700; }
.of-mark { display: inline-block; width: 2rem; height: 1.25rem; position: relative; }
.of-mark::before, .of-mark::after { content: ""; position: absolute; top: 0; width: 1.25rem; height: 1.25rem; border-radius: 50%; }
.of-mark::before { left: 0; background: #eb001b; }
.of-mark::after { right: 0; background: #f79e1b; mix-blend-mode: multiply; }
.of-badge { font-size: 0.75rem; font-weight: 700; letter-spacing: 0.04em; text-transform: uppercase;
  border: 1px solid var(--of-ink); border-radius: 999px; padding: 0.1rem 0.6rem; }

.of-main { flex: 1; display: flex; justify-content: center; align-items: flex-start; padding: 2rem 1rem; }
.of-card { width: 100%; max-width: 30rem; background: var(--of-surface); border: 1px solid var(--of-line);
  border-radius: 1rem; padding: 1.5rem; box-shadow: 0 1px 3px rgb(0 0 0 / 0.08); }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 1rem; }
.of-eyebrow { margin: 0; color: var(--of-muted); font-size: 0.875rem; }

.of-summary { border: 1px solid var(--of-line); border-radius: 0.75rem; padding: 0.75rem 1rem; margin: 0 0 1.25rem; }
.of-summary dl { margin: 0; display: grid; gap: 0.35rem; }
.of-summary dl > div { display: flex; justify-content: space-between; gap: 1rem; }
.of-summary dt { color: var(--of-muted); }
.of-summary dd { margin: 0; font-weight: 600; text-align: right; overflow-wrap: anywhere; }
.of-amount { font-size: 1.25rem; }

.of-bank-header { display: flex; align-items: center; gap: 0.75rem; margin-bottom: 1rem; }
.of-bank-header h1 { margin: 0; }
.of-note { background: var(--of-note); border: 1px solid #f5c26b; border-radius: 0.5rem; padding: 0.5rem 0.75rem;
  font-size: 0.875rem; margin: 0 0 1rem; }

fieldset { border: 0; margin: 0 0 1rem; padding: 0; min-width: 0; }
legend { font-weight: 700; margin-bottom: 0.5rem; padding: 0; }
.of-options { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.5rem; }
.of-option { display: grid; grid-template-columns: auto auto 1fr; align-items: center; gap: 0.25rem 0.75rem;
  border: 1px solid var(--of-line); border-radius: 0.75rem; padding: 0.6rem 0.75rem; }
.of-option:has(input:checked) { border-color: var(--of-ink); box-shadow: inset 0 0 0 1px var(--of-ink); }
.of-option:has(input:disabled) { background: #f3f4f6; color: var(--of-muted); }
.of-option input { width: 1.15rem; height: 1.15rem; margin: 0; accent-color: var(--of-ink); }
.of-option img { border-radius: 0.4rem; }
.of-option label { font-weight: 600; cursor: pointer; }
.of-option input:disabled + img + label, .of-option input:disabled + label { cursor: not-allowed; }
.of-option-detail { grid-column: 2 / -1; font-size: 0.875rem; color: var(--of-muted); }
.of-account .of-option-detail { grid-column: 2 / -1; }
.of-account { grid-template-columns: auto 1fr; }

.of-field { display: grid; gap: 0.25rem; margin-bottom: 1rem; }
.of-field label { font-weight: 600; }
input[type="text"], input[type="search"] { font: inherit; padding: 0.6rem 0.75rem; border: 1px solid #6b7280;
  border-radius: 0.5rem; width: 100%; }
input[aria-invalid="true"] { border-color: var(--of-error); box-shadow: inset 0 0 0 1px var(--of-error); }
.of-hint { margin: 0; font-size: 0.875rem; color: var(--of-muted); }
.of-error { margin: 0 0 1rem; color: var(--of-error); font-weight: 600; }
.of-field .of-error { margin: 0; }
.of-search { margin-bottom: 1rem; }
.of-search label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
.of-search-row { display: flex; gap: 0.5rem; }

.of-button { display: inline-flex; justify-content: center; align-items: center; width: 100%; font: inherit;
  font-weight: 700; padding: 0.75rem 1rem; border-radius: 999px; border: 2px solid var(--of-accent);
  background: var(--of-accent); color: var(--of-accent-ink); cursor: pointer; text-decoration: none; }
.of-button:hover { filter: brightness(0.92); }
.of-button-secondary { background: var(--of-surface); color: var(--of-ink); border-color: var(--of-ink); }
.of-search .of-button { width: auto; }
.of-actions { display: grid; gap: 0.75rem; margin-top: 0.75rem; }
.of-actions form { margin: 0; }
.of-cancel { margin: 1.25rem 0 0; text-align: center; }
.of-link-button { font: inherit; background: none; border: 0; padding: 0.25rem; color: var(--of-ink);
  text-decoration: underline; cursor: pointer; }

.of-footer { padding: 1rem; text-align: center; font-size: 0.8125rem; color: var(--of-muted); }
.visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
`;

/** The tab icon: the two-circle mark, so browsers stop asking for /favicon.ico. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 20"><circle cx="10" cy="10" r="10" fill="#eb001b"/>' +
  '<circle cx="22" cy="10" r="10" fill="#f79e1b" fill-opacity="0.9"/></svg>';
