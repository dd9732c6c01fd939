/**
 * The one stylesheet of the sandbox's Vipps pages, served from a route so the pages work under a strict CSP.
 * WCAG 2.2 AA: white on Vipps orange (#ff5b24) is only 3.1:1, so the orange bar carries dark ink
 * (5.4:1) and buttons with white text use a darker orange (5.2:1). Control boundaries (inputs,
 * buttons) are at least 3:1 against the white card; focus rings are always visible.
 */
export const VIPPS_PAGE_CSS = `
:root { color-scheme: light; --vipps-orange: #ff5b24; --vipps-orange-dark: #c2410c; --ink: #1d1d1f; --muted: #5b5b61;
  --line: #dedee3; --control-line: #76767e; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f4f4f6; }
header { background: var(--vipps-orange); color: var(--ink); padding: 0.75rem 1.25rem; font-weight: 700; letter-spacing: 0.02em; }
main { max-width: 28rem; margin: 2rem auto; padding: 1.5rem; background: #fff; border-radius: 12px; box-shadow: 0 1px 3px rgba(0,0,0,0.12); }
main.phone { max-width: 22rem; border: 10px solid #222; border-radius: 28px; min-height: 32rem; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; }
.merchant { font-weight: 600; margin: 0; }
.amount { font-size: 2rem; font-weight: 700; margin: 0.25rem 0 0.5rem; }
.description, .hint { color: var(--muted); margin: 0 0 1rem; }
.countdown { font-variant-numeric: tabular-nums; }
label { display: block; font-weight: 600; margin: 1rem 0 0.25rem; }
input { width: 100%; font-size: 1.2rem; padding: 0.6rem 0.75rem; border: 1px solid var(--control-line); border-radius: 8px; }
input[aria-invalid="true"] { border-color: #c4001a; }
.error { color: #c4001a; font-weight: 600; margin: 0.5rem 0 0; }
.actions { display: flex; gap: 0.75rem; margin-top: 1.25rem; flex-wrap: wrap; }
form.inline { display: inline; margin: 0; }
button { font: inherit; font-weight: 600; padding: 0.7rem 1.4rem; border-radius: 999px; border: 2px solid var(--vipps-orange-dark); cursor: pointer; }
button.primary { background: var(--vipps-orange-dark); color: #fff; }
button.primary:hover { background: #9a3412; border-color: #9a3412; }
button.secondary { background: #fff; color: var(--ink); border-color: var(--control-line); }
button.secondary:hover { background: #f4f4f6; }
button:focus-visible, a:focus-visible, input:focus-visible { outline: 3px solid #1a73e8; outline-offset: 2px; }
.status { padding: 0.75rem 1rem; border-radius: 8px; background: #fff4ef; }
.status.ok { background: #e8f6ec; }
.status.bad { background: #fdecee; }
fieldset { border: 1px solid var(--line); border-radius: 8px; margin: 1rem 0 0; padding: 0.5rem 0.75rem 0.75rem; }
legend { font-weight: 600; padding: 0 0.25rem; }
label.choice { display: flex; gap: 0.6rem; align-items: flex-start; font-weight: 400; margin: 0.5rem 0 0; cursor: pointer; }
label.choice input { width: auto; margin: 0.2rem 0 0; accent-color: var(--vipps-orange-dark); }
.option-details { margin: 0.1rem 0 0 1.6rem; font-size: 0.9rem; }
ul.shared { padding-left: 1.25rem; margin: 0 0 1rem; }
dl.totals { display: grid; grid-template-columns: auto 1fr; gap: 0.35rem 1rem; margin: 0 0 1rem; }
dl.totals dt { color: var(--muted); }
dl.totals dd { margin: 0; }
dl.totals dd.total { font-weight: 700; }
.problem { margin: 1rem 0 0; }
footer { text-align: center; color: var(--muted); font-size: 0.85rem; margin: 1rem 0 2rem; }
`;

/** A plain orange dot, so browsers do not log a missing favicon. */
export const VIPPS_FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#ff5b24"/></svg>';
