/**
 * HTML of the hosted authorisation pages (server-rendered, plain forms, no script). Every view is
 * a pure function of the data it is given; hosted.ts decides which one to show.
 */
import { html } from 'hono/html';
import { formatMoney } from '../shared/money.js';
import { COUNTRY_NAMES, type CountryCode, type SandboxAccount, type SandboxBank } from './catalogue.js';
import type { StoredPayment } from './payments.js';

type Html = ReturnType<typeof html>;

/** URLs a page needs, all absolute under the emulator's base URL. */
export interface PageUrls {
  stylesheet: string;
  favicon: string;
  logo(bank: SandboxBank): string;
  /** Form action for `action` on this payment. */
  action(action: 'bank' | 'login' | 'confirm' | 'reject' | 'cancel'): string;
  /** The start URL without query (the bank search form adds startToken and paymentId). */
  start: string;
  /** Start URL with its token: "continue where you left off". */
  resume: string;
  /** The account step of the current bank session. */
  accounts: string;
  /** The current bank session (account-step forms carry it). */
  bankSession: string;
  /** The integrator's redirectUrl with paymentId appended. */
  merchantReturn: string;
}

/** What the sandbox's scenario banks do, shown under their names so demo users can pick on purpose. */
const SCENARIO_HINTS: Record<SandboxBank['scenario'], string | null> = {
  normal: null,
  fail: 'Sandbox: the bank rejects the payment',
  slow: 'Sandbox: the payment stays pending for a while',
};

export interface BankOption {
  bank: SandboxBank;
  available: boolean;
  message: string | null;
}

export function layout(title: string, assets: { stylesheet: string; favicon: string }, body: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title} – Open Finance (sandbox)</title>
        <link rel="stylesheet" href="${assets.stylesheet}" />
        <link rel="icon" href="${assets.favicon}" type="image/svg+xml" />
      </head>
      <body>
        <header class="of-header">
          <span class="of-brand"><span class="of-mark" aria-hidden="true"></span>Open Finance</span>
          <span class="of-badge">Sandbox</span>
        </header>
        <main class="of-main">
          <div class="of-card">${body}</div>
        </main>
        <footer class="of-footer">
          <p>
            Sandbox emulator of Mastercard Open Finance payment initiation. No real bank is contacted and no money
            moves.
          </p>
        </footer>
      </body>
    </html>`;
}

/** `DK5000400440116243` → `DK50 •••• 6243`; BBAN `1234`/`0123456789` → `1234 ••••6789`. */
export function maskDestination(payment: StoredPayment): string {
  const { iban, bban } = payment.request.destination;
  if (iban) return `${iban.ibanNumber.slice(0, 4)} •••• ${iban.ibanNumber.slice(-4)}`;
  if (bban) return `${bban.bankCode} ••••${bban.accountNumber.slice(-4)}`;
  return '';
}

export function maskAccount(account: SandboxAccount, bank: SandboxBank): string {
  return `${bank.bankCode} ••••${account.number.slice(-4)}`;
}

function summary(payment: StoredPayment): Html {
  const note = payment.request.message ?? payment.request.reference ?? null;
  return html`<section class="of-summary" aria-label="Payment details">
    <dl>
      <div>
        <dt>Amount</dt>
        <dd class="of-amount" data-testid="payment-amount">${formatMoney(payment.amountMinor, payment.currency)}</dd>
      </div>
      <div>
        <dt>To</dt>
        <dd data-testid="payment-payee">${payment.request.destination.name}</dd>
      </div>
      <div>
        <dt>Account</dt>
        <dd data-testid="payment-destination">${maskDestination(payment)}</dd>
      </div>
      ${
        note
          ? html`<div>
              <dt>Message</dt>
              <dd data-testid="payment-message">${note}</dd>
            </div>`
          : ''
      }
    </dl>
  </section>`;
}

function token(payment: StoredPayment): Html {
  return html`<input type="hidden" name="token" value="${payment.startToken}" />`;
}

function bankSessionField(urls: PageUrls): Html {
  return html`<input type="hidden" name="bankSession" value="${urls.bankSession}" />`;
}

function cancelForm(payment: StoredPayment, urls: PageUrls): Html {
  return html`<form class="of-cancel" method="post" action="${urls.action('cancel')}">
    ${token(payment)}
    <button type="submit" class="of-link-button" data-testid="cancel-payment">Cancel</button>
  </form>`;
}

function errorMessage(id: string, message: string | null): Html | '' {
  return message ? html`<p class="of-error" id="${id}" role="alert" data-testid="form-error">${message}</p>` : '';
}

function bankHeader(bank: SandboxBank, urls: PageUrls, eyebrow: string, heading: string): Html {
  return html`<div class="of-bank-header">
    <img src="${urls.logo(bank)}" alt="" width="48" height="48" />
    <div>
      <p class="of-eyebrow">${eyebrow}</p>
      <h1>${heading}</h1>
    </div>
  </div>`;
}

export function bankChoicePage(input: {
  payment: StoredPayment;
  urls: PageUrls;
  options: BankOption[];
  query: string;
  error: string | null;
}): Html {
  const { payment, urls, options, query, error } = input;
  const byCountry = new Map<CountryCode, BankOption[]>();
  for (const option of options) {
    byCountry.set(option.bank.countryCode, [...(byCountry.get(option.bank.countryCode) ?? []), option]);
  }
  const firstAvailable = options.find((o) => o.available)?.bank.id;
  const body = html`<h1>Choose your bank</h1>
    ${summary(payment)}
    <form class="of-search" method="get" action="${urls.start}" role="search">
      <input type="hidden" name="startToken" value="${payment.startToken}" />
      <input type="hidden" name="paymentId" value="${payment.paymentId}" />
      <label for="bank-search">Search for your bank</label>
      <div class="of-search-row">
        <input type="search" id="bank-search" name="q" value="${query}" autocomplete="off" data-testid="bank-search" />
        <button type="submit" class="of-button of-button-secondary">Search</button>
      </div>
    </form>
    <form method="post" action="${urls.action('bank')}" data-testid="bank-choice">
      ${token(payment)} ${errorMessage('bank-error', error)}
      ${
        options.length === 0
          ? html`<p data-testid="no-banks">No banks match “${query}”.</p>`
          : [...byCountry].map(
              ([country, banks]) =>
                html`<fieldset>
                  <legend>${COUNTRY_NAMES[country]}</legend>
                  <ul class="of-options">
                    ${banks.map(({ bank, available, message }) => {
                      const detailId = `bank-${bank.id}-detail`;
                      const detail = available ? SCENARIO_HINTS[bank.scenario] : (message ?? 'Unavailable');
                      return html`<li class="of-option">
                        <input
                          type="radio"
                          name="providerId"
                          id="bank-${bank.id}"
                          value="${bank.id}"
                          required
                          data-testid="bank-option-${bank.id}"
                          ${detail ? html` aria-describedby="${detailId}"` : ''}${available ? '' : html` disabled`}${
                            bank.id === firstAvailable && !error ? html` checked` : ''
                          }
                        />
                        <img src="${urls.logo(bank)}" alt="" width="32" height="32" />
                        <label for="bank-${bank.id}">${bank.name}</label>
                        ${detail ? html`<span class="of-option-detail" id="${detailId}">${detail}</span>` : ''}
                      </li>`;
                    })}
                  </ul>
                </fieldset>`,
            )
      }
      <button type="submit" class="of-button" data-testid="continue">Continue</button>
    </form>
    ${cancelForm(payment, urls)}`;
  return layout('Choose your bank', urls, body);
}

export function loginPage(input: {
  payment: StoredPayment;
  bank: SandboxBank;
  urls: PageUrls;
  errors: { userId?: string; otp?: string };
  values: { userId: string };
}): Html {
  const { payment, bank, urls, errors, values } = input;
  const field = (
    id: string,
    name: string,
    label: string,
    hint: string,
    error: string | undefined,
    value: string,
    extra: Html,
  ) =>
    html`<div class="of-field">
      <label for="${id}">${label}</label>
      <input
        type="text"
        id="${id}"
        name="${name}"
        value="${value}"
        required
        data-testid="login-${id}"
        aria-describedby="${id}-hint${error ? ` ${id}-error` : ''}"
        ${error ? html` aria-invalid="true"` : ''}
        ${extra}
      />
      <p class="of-hint" id="${id}-hint">${hint}</p>
      ${error ? html`<p class="of-error" id="${id}-error">${error}</p>` : ''}
    </div>`;
  const body = html`${bankHeader(bank, urls, 'Log in to your bank', bank.name)}
    <p class="of-note" data-testid="test-bank-note">
      <strong>Test bank.</strong> This stands in for your bank's strong customer authentication: any user ID and
      one-time code are accepted.
    </p>
    ${summary(payment)}
    <form method="post" action="${urls.action('login')}" data-testid="login-form">
      ${token(payment)}
      ${field('user-id', 'userId', 'User ID', 'Any value, e.g. test-user.', errors.userId, values.userId, html`autocomplete="username"`)}
      ${field('otp', 'otp', 'One-time code', 'Any value, e.g. 123456.', errors.otp, '', html`inputmode="numeric" autocomplete="one-time-code"`)}
      <button type="submit" class="of-button" data-testid="log-in">Log in</button>
    </form>
    ${cancelForm(payment, urls)}`;
  return layout(`Log in to ${bank.name}`, urls, body);
}

export function accountPage(input: {
  payment: StoredPayment;
  bank: SandboxBank;
  urls: PageUrls;
  accounts: SandboxAccount[];
  selected: string | null;
  error: string | null;
}): Html {
  const { payment, bank, urls, accounts, selected, error } = input;
  const body = html`${bankHeader(bank, urls, bank.name, 'Confirm payment')} ${summary(payment)}
    <form method="post" action="${urls.action('confirm')}" data-testid="confirm-form">
      ${token(payment)} ${bankSessionField(urls)} ${errorMessage('account-error', error)}
      <fieldset>
        <legend>Pay from</legend>
        <ul class="of-options">
          ${accounts.map((account) => {
            const detailId = `account-${account.id}-details`;
            return html`<li class="of-option of-account">
              <input
                type="radio"
                name="accountId"
                id="account-${account.id}"
                value="${account.id}"
                required
                aria-describedby="${detailId}"
                data-testid="account-option-${account.id}"
                ${account.id === selected ? html` checked` : ''}
              />
              <label for="account-${account.id}">${account.name}</label>
              <span class="of-option-detail" id="${detailId}"
                >${maskAccount(account, bank)} · Available ${formatMoney(account.balanceMinor, payment.currency)}</span
              >
            </li>`;
          })}
        </ul>
      </fieldset>
      <p class="of-hint">
        By confirming, you ask ${bank.name} to pay ${formatMoney(payment.amountMinor, payment.currency)} to
        ${payment.request.destination.name}.
      </p>
      <div class="of-actions">
        <button type="submit" class="of-button" data-testid="confirm-payment">Confirm payment</button>
      </div>
    </form>
    <div class="of-actions">
      <form method="post" action="${urls.action('reject')}">
        ${token(payment)} ${bankSessionField(urls)}
        <button type="submit" class="of-button of-button-secondary" data-testid="reject-payment">Reject</button>
      </form>
    </div>
    ${cancelForm(payment, urls)}`;
  return layout('Confirm payment', urls, body);
}

const RESULT_TEXT: Record<string, { heading: string; text: string }> = {
  Succeeded: { heading: 'Payment completed', text: 'Your bank has completed the payment.' },
  Pending: { heading: 'Payment being processed', text: 'Your bank has accepted the payment and is processing it.' },
  Failed: { heading: 'Payment failed', text: 'Your bank could not complete the payment.' },
  Cancelled: { heading: 'Payment cancelled', text: 'The payment was cancelled. No money has been moved.' },
};

/** Shown when the shopper comes back to a payment that is already decided. */
export function resultPage(input: { payment: StoredPayment; urls: PageUrls }): Html {
  const { payment, urls } = input;
  const text = RESULT_TEXT[payment.code] ?? { heading: 'Payment', text: '' };
  const reason = payment.details?.reason;
  const body = html`<h1 data-testid="result-heading">${text.heading}</h1>
    <p>${text.text}${reason ? html` <span data-testid="result-reason">${reason}.</span>` : ''}</p>
    ${summary(payment)}
    <a class="of-button" href="${urls.merchantReturn}" data-testid="return-to-merchant">Return to merchant</a>`;
  return layout(text.heading, urls, body);
}

/** Error pages: bad links, forms of another payment, steps already done. */
export function messagePage(input: {
  assets: { stylesheet: string; favicon: string };
  heading: string;
  text: string;
  link?: { href: string; label: string; testId: string };
}): Html {
  const { assets, heading, text, link } = input;
  const body = html`<h1 data-testid="message-heading">${heading}</h1>
    <p data-testid="message-text">${text}</p>
    ${link ? html`<a class="of-button" href="${link.href}" data-testid="${link.testId}">${link.label}</a>` : ''}`;
  return layout(heading, assets, body);
}
