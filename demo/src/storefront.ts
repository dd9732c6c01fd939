/**
 * The demo storefront and its minimal merchant backend: products, a cookie cart, a checkout page that
 * loads the script-tag build of <pay-with-bank>, the return page, an orders page for the merchant
 * (status, capture on ship, cancel, refund) and the webhook receiver for payment notifications.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { html, raw } from 'hono/html';
import { secureHeaders } from 'hono/secure-headers';
import { z } from 'zod';
import type { MerchantEvent, MerchantPayment } from '@pay-with-bank/protocol';
import {
  constructShippingRequest,
  constructWebhookEvent,
  WebhookVerificationError,
} from '@pay-with-bank/server/webhooks';
import { CURRENCIES, PRODUCTS, findProduct, formatMoney, type ShopCurrency } from './catalogue.js';
import { MerchantApiError, type MerchantClient } from './merchant-client.js';
import { fixedShippingOptions, shippingOptionsFor } from './shipping.js';

export interface StorefrontOptions {
  /** This shop's own origin, e.g. http://localhost:4030 */
  publicUrl: string;
  /** The companion server's public URL (the browser talks to it directly). */
  serverUrl: string;
  /** Origins the pages may load images from (the providers' bank logos). */
  imageOrigins: string[];
  merchant: MerchantClient;
  /** Path of the built script-tag bundle of the element. */
  elementBundlePath: string;
  webhookSecret: string;
  shopName?: string;
}

interface Order {
  id: string;
  /** A cart checkout, or an express checkout (Vipps Hurtigkasse) from a product page. */
  kind: 'cart' | 'express';
  createdAt: string;
  currency: ShopCurrency;
  lines: { productId: string; name: string; quantity: number; unit: number }[];
  total: number;
  sessionId: string;
  clientToken: string;
  /** Verified payment notifications received for this order, newest first (deduplicated by event id). */
  events: MerchantEvent[];
}

const CartCookie = z
  .string()
  .max(200)
  .transform((raw) => raw.split(',').filter(Boolean))
  .pipe(
    z.array(
      z
        .string()
        .regex(/^[a-z]+:\d{1,2}$/)
        .transform((s) => {
          const [productId, qty] = s.split(':') as [string, string];
          return { productId, quantity: Number(qty) };
        }),
    ),
  );

const AddToCartForm = z.object({ productId: z.string().max(40), quantity: z.coerce.number().int().min(1).max(9) });
const ModifyForm = z.object({
  action: z.enum(['capture', 'cancel', 'refund', 'erase-shopper']),
  amount: z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : v),
    z.coerce.number().positive().max(1e7).optional(),
  ),
});
const OrderId = z.string().regex(/^ord-\d{4,9}$/);
const ExpressRequest = z.strictObject({ productId: z.string().max(40) });
const ExpressSettingsForm = z.object({
  shipping: z.enum(['dynamic', 'static']),
  confirmAddress: z.literal('on').optional(),
});

/** How this merchant runs express checkout: set on the orders page, kept in memory. */
interface ExpressSettings {
  /** Options per address from this shop's shipping endpoint, or one fixed list sent with the session. */
  shipping: 'dynamic' | 'static';
  /** The shopper confirms address and shipping method explicitly in Vipps. */
  confirmAddress: boolean;
}

export function createStorefront(options: StorefrontOptions) {
  const shopName = options.shopName ?? 'Nordlys Goods';
  const orders = new Map<string, Order>();
  let nextOrder = 1001;
  const expressSettings: ExpressSettings = { shipping: 'dynamic', confirmAddress: true };
  const app = new Hono();

  // A strict Content-Security-Policy: no inline script or style, no eval. The element must work under it.
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', ...options.imageOrigins],
        connectSrc: ["'self'", new URL(options.serverUrl).origin],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      referrerPolicy: 'no-referrer',
    }),
  );

  const currencyOf = (c: Context): ShopCurrency => {
    const v = getCookie(c, 'currency');
    return (CURRENCIES as readonly string[]).includes(v ?? '') ? (v as ShopCurrency) : 'DKK';
  };
  const cartOf = (c: Context) => {
    const parsed = CartCookie.safeParse(getCookie(c, 'cart') ?? '');
    if (!parsed.success) return [];
    return parsed.data.flatMap(({ productId, quantity }) => {
      const product = findProduct(productId);
      return product ? [{ product, quantity }] : [];
    });
  };
  const writeCart = (c: Context, lines: { product: { id: string }; quantity: number }[]) =>
    setCookie(c, 'cart', lines.map((l) => `${l.product.id}:${l.quantity}`).join(','), {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
    });

  const page = (c: Context, title: string, body: unknown, scripts: string[] = []) => {
    const count = cartOf(c).reduce((n, l) => n + l.quantity, 0);
    return c.html(
      html`<!doctype html>
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>${title} · ${shopName}</title>
            <link rel="stylesheet" href="/assets/shop.css" />
            ${scripts.map((s) => html`<script type="module" src="${s}"></script>`)}
          </head>
          <body>
            <header class="top">
              <a class="brand" href="/">${shopName}</a>
              <nav aria-label="Shop">
                <a href="/">Products</a>
                <a href="/cart">Cart (<span data-testid="cart-count">${count}</span>)</a>
                <a href="/orders">Orders (merchant)</a>
              </nav>
            </header>
            <main id="main">${body}</main>
            <footer>Demo shop for pay-with-bank. All payments go to the offline sandbox.</footer>
          </body>
        </html>`,
    );
  };

  app.get('/assets/shop.css', async (c) => {
    c.header('content-type', 'text/css; charset=utf-8');
    return c.body(await readFile(new URL('../public/shop.css', import.meta.url), 'utf8'));
  });
  app.get('/assets/:script{(checkout|express)\\.js}', async (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    return c.body(await readFile(new URL(`../public/${c.req.param('script')}`, import.meta.url), 'utf8'));
  });
  // The element's script-tag entry and the chunks it loads on demand from its own URL (the payment
  // part, each language): the files next to the entry, under their built names.
  app.get('/assets/:file{pay-with-bank(-[A-Za-z0-9_-]+)?\\.js}', async (c) => {
    const file = c.req.param('file');
    c.header('content-type', 'text/javascript; charset=utf-8');
    // The entry changes with each build; its chunks' names carry a content hash.
    c.header('cache-control', file === 'pay-with-bank.js' ? 'no-cache' : 'public, max-age=31536000, immutable');
    try {
      return c.body(await readFile(join(dirname(options.elementBundlePath), file), 'utf8'));
    } catch {
      if (file !== 'pay-with-bank.js') return c.notFound();
      return c.text('pay-with-bank.js is not built: run `npm run demo` (it builds the element first)', 503);
    }
  });
  app.get('/healthz', (c) => c.json({ ok: true }));

  app.get('/', (c) => {
    const currency = currencyOf(c);
    return page(
      c,
      'Products',
      html`<h1>Small things for slow mornings</h1>
        <form class="currency" method="post" action="/currency">
          <label for="currency">Currency</label>
          <select id="currency" name="currency">
            ${CURRENCIES.map((cur) => html`<option value="${cur}" ${cur === currency ? raw('selected') : ''}>${cur}</option>`)}
          </select>
          <button type="submit">Change</button>
        </form>
        <ul class="products">
          ${PRODUCTS.map(
            (p) =>
              html`<li class="product" data-testid="product-${p.id}">
                <div class="picture hue-${p.hue}" aria-hidden="true">${p.name.slice(0, 1)}</div>
                <h2><a href="/products/${p.id}">${p.name}</a></h2>
                <p>${p.blurb}</p>
                <p class="price">${formatMoney(p.price[currency], currency)}</p>
                <form method="post" action="/cart">
                  <input type="hidden" name="productId" value="${p.id}" />
                  <input type="hidden" name="quantity" value="1" />
                  <button type="submit">Add ${p.name} to cart</button>
                </form>
              </li>`,
          )}
        </ul>`,
    );
  });

  // A product page: add to cart, or buy this one item at once with express checkout (Vipps
  // Hurtigkasse, in NOK). The button is the element in express mode; the session is created on
  // this shop's backend when the shopper clicks (see public/express.js and POST /express).
  app.get('/products/:productId', (c) => {
    const product = findProduct(c.req.param('productId'));
    if (!product) return c.notFound();
    const currency = currencyOf(c);
    return page(
      c,
      product.name,
      html`<article class="product-page" data-testid="product-page-${product.id}">
        <div class="picture large hue-${product.hue}" aria-hidden="true">${product.name.slice(0, 1)}</div>
        <div>
          <h1>${product.name}</h1>
          <p>${product.blurb}</p>
          <p class="price" data-testid="product-price">${formatMoney(product.price[currency], currency)}</p>
          <form method="post" action="/cart">
            <input type="hidden" name="productId" value="${product.id}" />
            <input type="hidden" name="quantity" value="1" />
            <button type="submit">Add ${product.name} to cart</button>
          </form>
          ${
            currency === 'NOK'
              ? html`<section class="express" aria-label="Express checkout">
                  <pay-with-bank
                    mode="express"
                    server-url="${options.serverUrl}"
                    locale="en"
                    data-product-id="${product.id}"
                  ></pay-with-bank>
                  <p class="hint">Shipping is chosen in Vipps; your address comes from your Vipps profile.</p>
                </section>`
              : html`<p class="hint">Express checkout with Vipps is available when you shop in NOK.</p>`
          }
        </div>
      </article>`,
      currency === 'NOK' ? ['/assets/pay-with-bank.js', '/assets/express.js'] : [],
    );
  });

  // Express checkout: the element asks for a session when the shopper clicks its button. The amount
  // is the item's price, fixed here; shipping is added by the merchant's options once the shopper
  // chooses one in Vipps.
  app.post('/express', async (c) => {
    // Same-origin JSON only (a cross-site form cannot send this content type).
    if (c.req.header('origin') !== new URL(options.publicUrl).origin) return c.json({ error: 'forbidden' }, 403);
    if (!(c.req.header('content-type') ?? '').startsWith('application/json')) {
      return c.json({ error: 'unsupported_media_type' }, 415);
    }
    const body = ExpressRequest.safeParse(await c.req.json().catch(() => null));
    const product = body.success ? findProduct(body.data.productId) : undefined;
    if (!product) return c.json({ error: 'unknown_product' }, 400);
    const currency = currencyOf(c);
    if (currency !== 'NOK') return c.json({ error: 'express_needs_nok' }, 400);
    const id = `ord-${nextOrder++}`;
    const amount = product.price[currency];
    try {
      const created = await options.merchant.createSession(
        {
          amount: { value: amount, currency },
          reference: id,
          description: `${product.name} from ${shopName}`,
          returnUrl: `${options.publicUrl}/checkout/return`,
          locale: 'en',
          express: {
            shipping:
              expressSettings.shipping === 'static'
                ? { options: fixedShippingOptions(currency) }
                : { url: `${options.publicUrl}/shipping/pay-with-bank` },
            confirmAddress: expressSettings.confirmAddress,
          },
        },
        randomUUID(),
      );
      orders.set(id, {
        id,
        kind: 'express',
        createdAt: new Date().toISOString(),
        currency,
        lines: [{ productId: product.id, name: product.name, quantity: 1, unit: amount }],
        total: amount,
        sessionId: created.session.id,
        clientToken: created.clientToken,
        events: [],
      });
      return c.json({ clientToken: created.clientToken, orderId: id });
    } catch (err) {
      const message = err instanceof MerchantApiError ? err.message : 'The payment service is not reachable.';
      return c.json({ error: 'session_failed', message }, 502);
    }
  });

  // The companion server asks for shipping options for the shopper's address (express checkout
  // with options by address). The request is signed like the webhooks; the answer is validated there.
  app.post('/shipping/pay-with-bank', async (c) => {
    const body = await c.req.text();
    let request;
    try {
      request = constructShippingRequest(body, c.req.raw.headers, options.webhookSecret);
    } catch (error) {
      if (error instanceof WebhookVerificationError) return c.json({ error: error.reason }, 400);
      throw error;
    }
    if (!orders.has(request.reference)) return c.json({ error: 'unknown_order' }, 404);
    return c.json({ options: shippingOptionsFor(request.address) });
  });

  app.post('/currency', async (c) => {
    const form = await c.req.parseBody();
    const cur = String(form['currency'] ?? '');
    if ((CURRENCIES as readonly string[]).includes(cur)) setCookie(c, 'currency', cur, { path: '/', sameSite: 'Lax' });
    return c.redirect('/', 303);
  });

  app.post('/cart', async (c) => {
    const parsed = AddToCartForm.safeParse(await c.req.parseBody());
    if (!parsed.success || !findProduct(parsed.data.productId)) return c.text('Unknown product', 400);
    const lines = cartOf(c);
    const existing = lines.find((l) => l.product.id === parsed.data.productId);
    if (existing) existing.quantity = Math.min(9, existing.quantity + parsed.data.quantity);
    else lines.push({ product: findProduct(parsed.data.productId)!, quantity: parsed.data.quantity });
    writeCart(c, lines);
    return c.redirect('/cart', 303);
  });

  // After a paid checkout: the cart's order empties the cart; an express order (one item bought from
  // its product page) leaves the cart as it was.
  app.post('/cart/clear', (c) => {
    const id = OrderId.safeParse(c.req.query('order'));
    const order = id.success ? orders.get(id.data) : undefined;
    if (order?.kind !== 'express') writeCart(c, []);
    return c.body(null, 204);
  });

  app.get('/cart', (c) => {
    const currency = currencyOf(c);
    const lines = cartOf(c);
    const total = lines.reduce((sum, l) => sum + l.product.price[currency] * l.quantity, 0);
    return page(
      c,
      'Cart',
      html`<h1>Your cart</h1>
        ${
          lines.length === 0
            ? html`<p>Your cart is empty. <a href="/">Browse products</a>.</p>`
            : html`<table class="cart">
                  <thead>
                    <tr>
                      <th scope="col">Product</th>
                      <th scope="col">Qty</th>
                      <th scope="col">Price</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${lines.map(
                      (l) =>
                        html`<tr>
                          <td>${l.product.name}</td>
                          <td>${l.quantity}</td>
                          <td>${formatMoney(l.product.price[currency] * l.quantity, currency)}</td>
                        </tr>`,
                    )}
                  </tbody>
                  <tfoot>
                    <tr>
                      <th scope="row" colspan="2">Total</th>
                      <td data-testid="cart-total">${formatMoney(total, currency)}</td>
                    </tr>
                  </tfoot>
                </table>
                <form method="post" action="/checkout">
                  <button type="submit" class="primary">Go to checkout</button>
                </form>`
        }`,
    );
  });

  app.post('/checkout', async (c) => {
    const currency = currencyOf(c);
    const lines = cartOf(c);
    if (lines.length === 0) return c.redirect('/cart', 303);
    const id = `ord-${nextOrder++}`;
    const total = lines.reduce((sum, l) => sum + l.product.price[currency] * l.quantity, 0);
    try {
      // The amount is fixed here, on the merchant's server: the browser never states it.
      const created = await options.merchant.createSession(
        {
          amount: { value: total, currency },
          reference: id,
          description: `Order ${id} at ${shopName}`,
          returnUrl: `${options.publicUrl}/checkout/return`,
          locale: 'en',
        },
        randomUUID(),
      );
      orders.set(id, {
        id,
        kind: 'cart',
        createdAt: new Date().toISOString(),
        currency,
        lines: lines.map((l) => ({
          productId: l.product.id,
          name: l.product.name,
          quantity: l.quantity,
          unit: l.product.price[currency],
        })),
        total,
        sessionId: created.session.id,
        clientToken: created.clientToken,
        events: [],
      });
    } catch (err) {
      const message = err instanceof MerchantApiError ? err.message : 'The payment service is not reachable.';
      return page(
        c,
        'Checkout',
        html`<h1>Checkout unavailable</h1>
          <p role="alert">${message}</p>`,
      );
    }
    return c.redirect(`/checkout/${id}`, 303);
  });

  const element = (token?: string) =>
    html`<pay-with-bank
      server-url="${options.serverUrl}"
      ${token ? html`session-token="${token}"` : ''}
      locale="en"
    ></pay-with-bank>`;

  app.get('/checkout/return', (c) =>
    page(
      c,
      'Payment',
      html`<h1>Your payment</h1>
        ${element()}
        <p class="after"><a href="/">Continue shopping</a></p>`,
      ['/assets/pay-with-bank.js', '/assets/checkout.js'],
    ),
  );

  app.get('/checkout/:orderId', (c) => {
    const id = OrderId.safeParse(c.req.param('orderId'));
    const order = id.success ? orders.get(id.data) : undefined;
    if (!order) return c.notFound();
    return page(
      c,
      'Checkout',
      html`<h1>Checkout</h1>
        <section class="summary" aria-label="Order summary">
          <p>Order <strong data-testid="order-id">${order.id}</strong></p>
          <ul>
            ${order.lines.map((l) => html`<li>${l.quantity} × ${l.name}</li>`)}
          </ul>
          <p>Total <strong data-testid="order-total">${formatMoney(order.total, order.currency)}</strong></p>
        </section>
        ${element(order.clientToken)}`,
      ['/assets/pay-with-bank.js', '/assets/checkout.js'],
    );
  });

  app.get('/orders', async (c) => {
    const rows = await Promise.all(
      [...orders.values()].reverse().map(async (order) => {
        try {
          const { session, payments } = await options.merchant.getSession(order.sessionId);
          return { order, state: session.state as string, payment: payments[0] ?? null };
        } catch {
          return { order, state: 'unknown', payment: null as MerchantPayment | null };
        }
      }),
    );
    const flash = c.req.query('message');
    return page(
      c,
      'Orders',
      html`<h1>Orders</h1>
        ${flash ? html`<p role="status" class="flash" data-testid="flash">${flash.slice(0, 200)}</p>` : ''}
        <form class="settings" method="post" action="/settings/express" aria-labelledby="express-settings">
          <h2 id="express-settings">Express checkout settings</h2>
          <fieldset>
            <legend>Shipping options</legend>
            <label
              ><input
                type="radio"
                name="shipping"
                value="dynamic"
                ${expressSettings.shipping === 'dynamic' ? raw('checked') : ''}
              />
              By address (this shop's shipping endpoint)</label
            >
            <label
              ><input
                type="radio"
                name="shipping"
                value="static"
                ${expressSettings.shipping === 'static' ? raw('checked') : ''}
              />
              One fixed list, sent with the session</label
            >
          </fieldset>
          <label
            ><input type="checkbox" name="confirmAddress" ${expressSettings.confirmAddress ? raw('checked') : ''} />
            Shoppers confirm address and shipping in Vipps</label
          >
          <button type="submit">Save settings</button>
        </form>
        ${
          rows.length === 0
            ? html`<p>No orders yet.</p>`
            : html`<table class="orders">
                <thead>
                  <tr>
                    <th scope="col">Order</th>
                    <th scope="col">Total</th>
                    <th scope="col">Ship to</th>
                    <th scope="col">Shipping</th>
                    <th scope="col">Session</th>
                    <th scope="col">Payment</th>
                    <th scope="col">Provider status</th>
                    <th scope="col">Captured / refunded</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.map(
                    ({ order, state, payment }) =>
                      html`<tr data-testid="order-row-${order.id}">
                        <th scope="row">
                          ${order.id}${order.kind === 'express' ? html` <span class="tag">express</span>` : ''}
                        </th>
                        <td data-testid="order-total">
                          ${formatMoney(payment?.amount.value ?? order.total, order.currency)}
                        </td>
                        <td data-testid="ship-to">${shipTo(payment)}</td>
                        <td data-testid="shipping">
                          ${payment?.shipping ? `${payment.shipping.name} (${formatMoney(payment.shipping.amount.value, order.currency)})` : '—'}
                        </td>
                        <td data-testid="session-state">${state}</td>
                        <td data-testid="payment-status">${payment ? `${payment.status} (${payment.method})` : '—'}</td>
                        <td data-testid="provider-status">${payment?.providerStatus ?? '—'}</td>
                        <td data-testid="amounts">
                          ${
                            payment
                              ? `${formatMoney(payment.capturedAmount, order.currency)} / ${formatMoney(payment.refundedAmount, order.currency)}`
                              : '—'
                          }
                        </td>
                        <td data-testid="last-notification">${order.events[0]?.type ?? '—'}</td>
                        <td>${payment ? actions(order, payment) : ''}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }`,
    );
  });

  app.post('/settings/express', async (c) => {
    const form = ExpressSettingsForm.safeParse(await c.req.parseBody());
    if (!form.success) return c.redirect(`/orders?message=${encodeURIComponent('Invalid settings')}`, 303);
    expressSettings.shipping = form.data.shipping;
    expressSettings.confirmAddress = form.data.confirmAddress === 'on';
    return c.redirect(`/orders?message=${encodeURIComponent('Express checkout settings saved.')}`, 303);
  });

  const shipTo = (payment: MerchantPayment | null) => {
    const shopper = payment?.shopper;
    if (!shopper) return '—';
    const name = [shopper.firstName, shopper.lastName].filter(Boolean).join(' ');
    const a = shopper.address;
    return html`${name}${a ? html`<br />${a.line1}${a.line2 ? `, ${a.line2}` : ''}<br />${a.postCode} ${a.city}, ${a.country}` : ''}`;
  };

  const actions = (order: Order, payment: MerchantPayment) => {
    const remainingCapture = payment.authorizedAmount - payment.capturedAmount - payment.cancelledAmount;
    const remainingRefund = payment.capturedAmount - payment.refundedAmount;
    const form = (action: string, label: string, withAmount: boolean, max: number) =>
      html`<form method="post" action="/orders/${order.id}/payment" class="action">
        <input type="hidden" name="action" value="${action}" />
        ${
          withAmount
            ? html`<label
                >Amount
                <input
                  name="amount"
                  inputmode="decimal"
                  size="7"
                  placeholder="${(max / 100).toFixed(2)}"
                  aria-label="${label} amount for ${order.id}"
              /></label>`
            : ''
        }
        <button type="submit">${label}</button>
      </form>`;
    return html`${payment.status === 'authorized' && remainingCapture > 0 ? form('capture', 'Ship & capture', true, remainingCapture) : ''}
    ${payment.status === 'authorized' && payment.capturedAmount === 0 ? form('cancel', 'Cancel', false, 0) : ''}
    ${remainingRefund > 0 ? form('refund', 'Refund', true, remainingRefund) : ''}
    ${payment.shopper ? form('erase-shopper', 'Erase shopper', false, 0) : ''}`;
  };

  app.post('/orders/:orderId/payment', async (c) => {
    const id = OrderId.safeParse(c.req.param('orderId'));
    const order = id.success ? orders.get(id.data) : undefined;
    const form = ModifyForm.safeParse(await c.req.parseBody());
    if (!order || !form.success) return c.redirect(`/orders?message=${encodeURIComponent('Invalid request')}`, 303);
    let message: string;
    try {
      const { payments } = await options.merchant.getSession(order.sessionId);
      const payment = payments[0];
      if (!payment) throw new MerchantApiError(404, 'not_found', 'This order has no payment.');
      if (form.data.action === 'erase-shopper') {
        // The shopper asked the shop to erase their data: the server erases it from all their payments.
        const { erased } = await options.merchant.eraseShopper(payment.id);
        message = `${order.id}: shopper details erased from ${erased.length === 1 ? '1 payment' : `${erased.length} payments`}.`;
      } else {
        const amount = form.data.amount === undefined ? undefined : Math.round(form.data.amount * 100);
        const { payment: after } = await options.merchant.modifyPayment(
          payment.id,
          form.data.action,
          amount,
          randomUUID(),
        );
        message = `${order.id}: ${form.data.action} done — payment ${after.status}, captured ${formatMoney(after.capturedAmount, order.currency)}, refunded ${formatMoney(after.refundedAmount, order.currency)}.`;
      }
    } catch (err) {
      message = `${order.id}: ${err instanceof MerchantApiError ? err.message : 'the payment service is not reachable'}`;
    }
    return c.redirect(`/orders?message=${encodeURIComponent(message)}`, 303);
  });

  // Payment notifications from the companion server, verified before they are believed.
  app.post('/webhooks/pay-with-bank', async (c) => {
    const body = await c.req.text();
    let event: MerchantEvent;
    try {
      // One call: signature, time tolerance, schema, and headers that must agree with the signed body.
      event = constructWebhookEvent(body, c.req.raw.headers, options.webhookSecret);
    } catch (error) {
      if (error instanceof WebhookVerificationError) return c.json({ error: error.reason }, 400);
      throw error;
    }
    const order = orders.get(event.payment.reference);
    // Deliveries are at least once: the signed event id makes a redelivery a no-op.
    if (order && !order.events.some((e) => e.id === event.id)) order.events.unshift(event);
    return c.body(null, 204);
  });

  return { app, orders };
}
