/**
 * Server-rendered HTML of the Vipps landing page and the sandbox phone (hono/html escapes every
 * value). No inline script or style: one external stylesheet, and where a page waits one external
 * script that polls the payment's status (page-script.ts) instead of reloading the page.
 * Button and link names are part of the sandbox's contract with Playwright tests (see the README).
 */
import { html } from 'hono/html';
import type { UserView } from './context.js';
import type { EpaymentAmount } from './state.js';

type Markup = ReturnType<typeof html>;

/** "NOK 1,234.50": deterministic whatever the runtime's ICU data. */
export function formatAmount(amount: EpaymentAmount): string {
  const major = Math.floor(amount.value / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${amount.currency} ${major}.${String(amount.value % 100).padStart(2, '0')}`;
}

/** "4:05" */
export function formatTimeLeft(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** What a waiting page waits for; page-script.ts reads it from `<main>`. */
export interface WaitInit {
  statusUrl: string;
  /** Where to go once the wait is over. */
  nextUrl: string;
  /** `decision`: the user answered (or the payment ended); `push`: the request reached the phone. */
  waitFor: 'decision' | 'push';
  intervalMs: number;
}

interface LayoutInit {
  title: string;
  basePath: string;
  body: Markup;
  wait?: WaitInit;
  phone?: boolean;
}

export function layout(init: LayoutInit): Markup {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${init.title}</title>
<link rel="stylesheet" href="${init.basePath}/assets/sandbox.css">
<link rel="icon" href="${init.basePath}/assets/favicon.svg" type="image/svg+xml">
${init.wait ? html`<script src="${init.basePath}/assets/waiting.js" defer></script>` : ''}
</head>
<body>
<header>${init.phone ? 'Vipps · sandbox phone' : 'Vipps · sandbox'}</header>
<main${init.phone ? html` class="phone"` : ''}${init.wait ? waitAttributes(init.wait) : ''}>
${init.body}
</main>
<footer>Vipps MobilePay sandbox: no real money moves.</footer>
</body>
</html>`;
}

function waitAttributes(wait: WaitInit): Markup {
  return html` data-wait-status-url="${wait.statusUrl}" data-wait-next-url="${wait.nextUrl}"
  data-wait-for="${wait.waitFor}" data-wait-interval-ms="${wait.intervalMs}"`;
}

/** Says that the page moves on by itself, and offers the same check by hand (also without script). */
function waitHint(wait: WaitInit): Markup {
  return html`<p class="hint">This page moves on by itself. <a href="${wait.nextUrl}">Check now</a></p>`;
}

function summary(view: UserView): Markup {
  return html`<p class="merchant">${view.merchantName}</p>
    <p class="amount">${formatAmount(view.amount)}</p>
    <p class="description">${view.description}</p>
    ${view.note ? html`<p class="hint">${view.note}</p>` : ''}`;
}

function cancelForm(basePath: string, token: string): Markup {
  return html`<form class="inline" method="post" action="${basePath}/landing/cancel">
    <input type="hidden" name="token" value="${token}" />
    <button type="submit" class="secondary">Cancel</button>
  </form>`;
}

export interface LandingFormInit {
  basePath: string;
  token: string;
  view: UserView;
  phoneNumber: string;
  error: string | null;
  timeLeftMs: number;
}

/** Desktop landing page, first step: the phone number. */
export function landingFormPage(init: LandingFormInit): Markup {
  const invalid = init.error !== null;
  return layout({
    title: 'Pay with Vipps',
    basePath: init.basePath,
    body: html`<h1>Pay with Vipps</h1>
      ${summary(init.view)}
      <form method="post" action="${init.basePath}/landing/next" novalidate>
        <input type="hidden" name="token" value="${init.token}" />
        <label for="phoneNumber">Mobile number</label>
        <input
          id="phoneNumber"
          name="phoneNumber"
          type="tel"
          inputmode="tel"
          autocomplete="tel"
          value="${init.phoneNumber}"
          ${invalid ? html` aria-invalid="true" aria-describedby="phoneNumber-error"` : ''}
        />
        ${invalid ? html`<p id="phoneNumber-error" class="error" role="alert">${init.error}</p>` : ''}
        <div class="actions">
          <button type="submit" class="primary">Next</button>
        </div>
      </form>
      <div class="actions">${cancelForm(init.basePath, init.token)}</div>
      <p class="hint">Time left: <span class="countdown">${formatTimeLeft(init.timeLeftMs)}</span></p>`,
  });
}

export interface LandingWaitingInit {
  basePath: string;
  token: string;
  view: UserView;
  phoneDisplay: string;
  timeLeftMs: number;
  wait: WaitInit;
}

/** Desktop landing page after "Next": waiting for the phone, with a countdown; moves on by itself. */
export function landingWaitingPage(init: LandingWaitingInit): Markup {
  return layout({
    title: 'Confirm in Vipps',
    basePath: init.basePath,
    wait: init.wait,
    body: html`<h1>Confirm the payment in Vipps</h1>
      ${summary(init.view)}
      <p class="status" role="status">
        We sent a payment request to ${init.phoneDisplay}. Open Vipps on your phone to confirm it.<span
          data-wait-problem
        ></span>
      </p>
      <p>Time left: <span class="countdown">${formatTimeLeft(init.timeLeftMs)}</span></p>
      <p>
        <a href="${init.basePath}/sandbox-phone/${init.token}" target="_blank" rel="noopener">Open the sandbox phone</a>
      </p>
      ${waitHint(init.wait)}
      <div class="actions">${cancelForm(init.basePath, init.token)}</div>`,
  });
}

const RESULT_TEXT: Record<Exclude<UserView['status'], 'waiting'>, { heading: string; tone: 'ok' | 'bad' }> = {
  authorized: { heading: 'Payment confirmed', tone: 'ok' },
  aborted: { heading: 'Payment rejected', tone: 'bad' },
  expired: { heading: 'Payment request expired', tone: 'bad' },
  cancelled: { heading: 'Payment cancelled by the merchant', tone: 'bad' },
};

export interface ResultInit {
  basePath: string;
  view: UserView;
  phone: boolean;
  /** Where "Back to the store" goes, when the page should offer it. */
  returnUrl: string | null;
}

/** The outcome, on the phone or on a landing page with nowhere to return to. */
export function resultPage(init: ResultInit): Markup {
  const result = init.view.status === 'waiting' ? RESULT_TEXT.expired : RESULT_TEXT[init.view.status];
  return layout({
    title: result.heading,
    basePath: init.basePath,
    phone: init.phone,
    body: html`<h1>${result.heading}</h1>
      ${summary(init.view)}
      <p class="status ${result.tone}" role="status">
        ${init.phone && init.returnUrl === null ? 'You can go back to the browser now.' : result.heading + '.'}
      </p>
      ${init.returnUrl !== null ? html`<p><a href="${init.returnUrl}">Back to the store</a></p>` : ''}`,
  });
}

export interface PhoneInboxInit {
  basePath: string;
  wait: WaitInit;
}

/** The sandbox phone before the push arrived: waits, and shows the request once it arrives. */
export function phoneInboxPage(init: PhoneInboxInit): Markup {
  return layout({
    title: 'Vipps',
    basePath: init.basePath,
    phone: true,
    wait: init.wait,
    body: html`<h1>No payment requests</h1>
      <p class="status" role="status">
        Waiting for a payment request. Enter your number on the landing page and press Next.<span
          data-wait-problem
        ></span>
      </p>
      ${waitHint(init.wait)}`,
  });
}

export interface PhonePaymentInit {
  basePath: string;
  token: string;
  view: UserView;
  timeLeftMs: number;
}

/** The payment request in "the app": Confirm or Reject. */
export function phonePaymentPage(init: PhonePaymentInit): Markup {
  return layout({
    title: 'Confirm payment',
    basePath: init.basePath,
    phone: true,
    body: html`<h1>Payment request</h1>
      ${summary(init.view)}
      <p>Time left: <span class="countdown">${formatTimeLeft(init.timeLeftMs)}</span></p>
      <div class="actions">
        <form class="inline" method="post" action="${init.basePath}/sandbox-phone/${init.token}/confirm">
          <button type="submit" class="primary">Confirm</button>
        </form>
        <form class="inline" method="post" action="${init.basePath}/sandbox-phone/${init.token}/reject">
          <button type="submit" class="secondary">Reject</button>
        </form>
      </div>`,
  });
}

export function notFoundPage(basePath: string): Markup {
  return layout({
    title: 'Payment not found',
    basePath,
    body: html`<h1>Payment not found</h1>
      <p class="status bad" role="status">This payment link is not valid. Go back to the store and try again.</p>`,
  });
}
