/**
 * The sandbox phone's Vipps Hurtigkasse (express checkout) screens, server-rendered without script:
 * consent → (getting shipping options) → explicit flow: delivery (address + shipping) → payment
 * request with the total → result (page-templates.ts). Radios sit in fieldsets with legends, errors
 * are alerts, and every name here is part of the contract with Playwright tests (see the README).
 */
import { html } from 'hono/html';
import type { UserView } from './context.js';
import { EXPRESS_TEST_ADDRESSES, formatAddress } from './express-data.js';
import { shippingFailureMessage } from './express-flow.js';
import { formatAmount, formatTimeLeft, layout } from './page-templates.js';
import type { ExpressAddress, ExpressUser, ShippingFailure, ShippingOption } from './state.js';

type Markup = ReturnType<typeof html>;

const nok = (value: number) => formatAmount({ currency: 'NOK', value });

function shippingCostText(option: ShippingOption): string {
  return option.costOre === 0 ? 'free' : nok(option.costOre);
}

/** "Posten Servicepakke, NOK 99.00" (+ ", total NOK 598.00" where the page has no separate total). */
function shippingLabel(option: ShippingOption, itemsAmount: number, withTotal: boolean): string {
  const label = `${option.shippingMethod}, ${shippingCostText(option)}`;
  return withTotal ? `${label}, total ${nok(itemsAmount + option.costOre)}` : label;
}

interface ExpressPageBase {
  basePath: string;
  token: string;
  view: UserView;
  timeLeftMs: number;
}

const phoneAction = (init: ExpressPageBase, action: string) =>
  `${init.basePath}/sandbox-phone/${encodeURIComponent(init.token)}/${action}`;

function header(view: UserView, amount: number, note: string | null | undefined): Markup {
  return html`<p class="merchant">${view.merchantName}</p>
    <p class="amount">${nok(amount)}</p>
    <p class="description">${view.description}</p>
    ${note ? html`<p class="hint">${note}</p>` : ''}`;
}

function timeLeft(ms: number): Markup {
  return html`<p class="hint">Time left: <span class="countdown">${formatTimeLeft(ms)}</span></p>`;
}

function rejectButton(init: ExpressPageBase, label: string): Markup {
  return html`<form class="inline" method="post" action="${phoneAction(init, 'reject')}">
    <button type="submit" class="secondary">${label}</button>
  </form>`;
}

// ---------------------------------------------------------------- consent

export interface ConsentPageInit extends ExpressPageBase {
  itemsAmount: number;
  user: ExpressUser;
  phoneDisplay: string;
  address: ExpressAddress;
}

/** Before anything else: may Vipps share name, email, phone number and address with the store? */
export function expressConsentPage(init: ConsentPageInit): Markup {
  const { view, user } = init;
  return layout({
    title: 'Share your information',
    basePath: init.basePath,
    phone: true,
    body: html`<h1>Share your information?</h1>
      ${header(view, init.itemsAmount, view.note)}
      <p id="consent-text">
        ${view.merchantName} needs to know who you are and where to send your order. If you continue, Vipps shares:
      </p>
      <ul class="shared" aria-labelledby="consent-text">
        <li>Name: ${user.firstName} ${user.lastName}</li>
        <li>Email address: ${user.email}</li>
        <li>Phone number: ${init.phoneDisplay}</li>
        <li>Address: ${formatAddress(init.address)}</li>
      </ul>
      <p class="hint">You can withdraw the consent later in Vipps.</p>
      <div class="actions">
        <form class="inline" method="post" action="${phoneAction(init, 'consent/accept')}">
          <button type="submit" class="primary">Share and continue</button>
        </form>
        <form class="inline" method="post" action="${phoneAction(init, 'consent/refuse')}">
          <button type="submit" class="secondary">Do not share</button>
        </form>
      </div>
      ${timeLeft(init.timeLeftMs)}`,
  });
}

// ---------------------------------------------------------------- while the merchant is asked

export function expressLoadingPage(init: ExpressPageBase & { itemsAmount: number }): Markup {
  return layout({
    title: 'Getting shipping options',
    basePath: init.basePath,
    phone: true,
    body: html`<h1>Getting shipping options</h1>
      ${header(init.view, init.itemsAmount, init.view.note)}
      <p class="status" role="status">Asking ${init.view.merchantName} for shipping options to your address.</p>
      <p><a href="${init.basePath}/sandbox-phone/${encodeURIComponent(init.token)}">Check now</a></p>
      ${timeLeft(init.timeLeftMs)}`,
  });
}

// ---------------------------------------------------------------- shared pieces

function addressForm(init: ExpressPageBase, selectedId: number): Markup {
  return html`<form method="post" action="${phoneAction(init, 'address')}">
    <fieldset>
      <legend>Delivery address</legend>
      ${EXPRESS_TEST_ADDRESSES.map(
        (address) =>
          html`<label class="choice"
            ><input
              type="radio"
              name="addressId"
              value="${address.addressId}"
              ${address.addressId === selectedId ? 'checked' : ''}
            />
            <span>${address.label}: ${formatAddress(address)}</span></label
          >`,
      )}
    </fieldset>
    <div class="actions"><button type="submit" class="secondary">Use this address</button></div>
  </form>`;
}

const BRAND_NAMES: Record<string, string> = {
  BRING: 'Bring',
  DHL: 'DHL',
  FEDEX: 'FedEx',
  GLS: 'GLS',
  HELTHJEM: 'Helthjem',
  INSTABOX: 'Instabox',
  MATKAHUOLTO: 'Matkahuolto',
  PORTERBUDDY: 'Porterbuddy',
  POSTEN: 'Posten',
  POSTI: 'Posti',
  POSTNORD: 'PostNord',
};
const TYPE_NAMES: Record<string, string> = {
  HOME_DELIVERY: 'Home delivery',
  PICKUP_POINT: 'Pickup point',
  MAILBOX: 'Mailbox',
  IN_STORE: 'In store',
};

/** ePayment options: carrier, kind, estimated delivery and the merchant's `meta` ("Posten · Home delivery · 1–3 days"). */
function shippingDetailsText(option: ShippingOption): string {
  return [
    option.group ? BRAND_NAMES[option.group.brand] : undefined,
    option.group ? TYPE_NAMES[option.group.type] : undefined,
    option.estimatedDelivery,
    option.meta,
  ]
    .filter((part): part is string => part !== undefined && part !== '')
    .join(' · ');
}

function shippingFieldset(
  options: readonly ShippingOption[],
  selectedId: string | undefined,
  itemsAmount: number,
  withTotals: boolean,
): Markup {
  // The radio's name stays "{method}, {cost}, total {total}"; the details, outside the label, describe it.
  return html`<fieldset>
    <legend>Shipping method</legend>
    ${options.map((option, index) => {
      const details = shippingDetailsText(option);
      const detailsId = `shipping-details-${index}`;
      return html`<label class="choice"
          ><input
            type="radio"
            name="shippingMethodId"
            value="${option.shippingMethodId}"
            ${option.shippingMethodId === selectedId ? 'checked' : ''}
            ${details ? html`aria-describedby="${detailsId}"` : ''}
            required
          />
          <span>${shippingLabel(option, itemsAmount, withTotals)}</span></label
        >${details ? html`<p class="hint option-details" id="${detailsId}">${details}</p>` : ''}`;
    })}
  </fieldset>`;
}

function shippingProblem(init: ExpressPageBase, failure: ShippingFailure): Markup {
  return html`<div class="problem">
    <p class="error" role="alert">${shippingFailureMessage(failure)}</p>
    <p>
      ${init.view.merchantName} did not give any shipping methods for this address, so the payment cannot be completed.
      Try again, choose another address or cancel the payment.
    </p>
    <form class="inline" method="post" action="${phoneAction(init, 'shipping/retry')}">
      <button type="submit" class="secondary">Try again</button>
    </form>
  </div>`;
}

export interface ShippingState {
  addressId: number;
  options: readonly ShippingOption[];
  selected: ShippingOption | undefined;
  failure: ShippingFailure | null;
}

// ---------------------------------------------------------------- explicit flow: delivery

export interface DeliveryPageInit extends ExpressPageBase {
  itemsAmount: number;
  shipping: ShippingState;
}

/** `useExplicitCheckoutFlow: true`: the user confirms address and shipping method on their own step. */
export function expressDeliveryPage(init: DeliveryPageInit): Markup {
  const { shipping } = init;
  const ready = shipping.failure === null && shipping.options.length > 0;
  return layout({
    title: 'Delivery',
    basePath: init.basePath,
    phone: true,
    body: html`<h1>Choose delivery</h1>
      ${header(init.view, init.itemsAmount, init.view.note)} ${addressForm(init, shipping.addressId)}
      ${
        ready
          ? html`<form method="post" action="${phoneAction(init, 'delivery')}">
              ${shippingFieldset(shipping.options, shipping.selected?.shippingMethodId, init.itemsAmount, true)}
              <div class="actions"><button type="submit" class="primary">Confirm address and shipping</button></div>
            </form>`
          : shippingProblem(init, shipping.failure ?? 'empty')
      }
      <div class="actions">${rejectButton(init, 'Cancel payment')}</div>
      ${timeLeft(init.timeLeftMs)}`,
  });
}

// ---------------------------------------------------------------- the payment request

export interface ExpressPaymentPageInit extends ExpressPageBase {
  itemsAmount: number;
  explicit: boolean;
  address: ExpressAddress;
  shipping: ShippingState;
}

/**
 * The payment request. Old flow: address and shipping method (default preselected) are chosen right
 * here, each option shows its total. Explicit flow: what was confirmed, with the total.
 */
export function expressPaymentPage(init: ExpressPaymentPageInit): Markup {
  const { shipping } = init;
  const ready = shipping.failure === null && shipping.options.length > 0;
  const confirmAction = phoneAction(init, 'confirm');
  const explicitSummary = () => {
    const option = shipping.selected!;
    return html`${header(init.view, init.itemsAmount + option.costOre, null)}
      <dl class="totals">
        <dt>Delivery address</dt>
        <dd>${formatAddress(init.address)}</dd>
        <dt>Shipping method</dt>
        <dd>${option.shippingMethod}</dd>
        <dt>Items</dt>
        <dd>${nok(init.itemsAmount)}</dd>
        <dt>Shipping</dt>
        <dd>${shippingCostText(option)}</dd>
        <dt>Total</dt>
        <dd class="total">${nok(init.itemsAmount + option.costOre)}</dd>
      </dl>
      <div class="actions">
        <form class="inline" method="post" action="${confirmAction}">
          <button type="submit" class="primary">Confirm</button>
        </form>
        <form class="inline" method="post" action="${phoneAction(init, 'delivery/change')}">
          <button type="submit" class="secondary">Change delivery</button>
        </form>
        ${rejectButton(init, 'Reject')}
      </div>`;
  };
  const oldFlow = () =>
    html`${header(init.view, init.itemsAmount, init.view.note)} ${addressForm(init, shipping.addressId)}
      ${
        ready
          ? html`<form id="confirm-payment" method="post" action="${confirmAction}">
              ${shippingFieldset(shipping.options, shipping.selected?.shippingMethodId, init.itemsAmount, true)}
            </form>`
          : shippingProblem(init, shipping.failure ?? 'empty')
      }
      <div class="actions">
        ${ready ? html`<button type="submit" class="primary" form="confirm-payment">Confirm</button>` : ''}
        ${rejectButton(init, 'Reject')}
      </div>`;
  return layout({
    title: 'Confirm payment',
    basePath: init.basePath,
    phone: true,
    body: html`<h1>Payment request</h1>
      ${init.explicit && ready && shipping.selected ? explicitSummary() : oldFlow()} ${timeLeft(init.timeLeftMs)}`,
  });
}
