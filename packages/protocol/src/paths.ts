/**
 * Every HTTP path of the companion server, in one place. Zod-free so the element can import it
 * without pulling zod into its bundle.
 */
export const paths = {
  /** Liveness: the process answers. */
  health: '/healthz',
  /** The OpenAPI 3.1 document generated from the protocol schemas. */
  openapi: '/openapi.json',

  // Browser API (Authorization: Bearer <client token>), CORS-limited to configured origins.
  checkoutSession: '/v1/checkout/session',
  checkoutBanks: '/v1/checkout/banks',
  checkoutPayments: '/v1/checkout/payments',
  checkoutPaymentRefresh: '/v1/checkout/payments/{paymentId}/refresh',
  /** The payment's live status: `text/event-stream` (PAYMENT_STREAM_EVENTS), read with a streaming fetch. */
  checkoutPaymentEvents: '/v1/checkout/payments/{paymentId}/events',

  // Merchant API (Authorization: Bearer <merchant API key>), server-to-server only.
  merchantSessions: '/v1/sessions',
  merchantSession: '/v1/sessions/{sessionId}',
  merchantPayments: '/v1/payments',
  merchantPayment: '/v1/payments/{paymentId}',
  merchantCapture: '/v1/payments/{paymentId}/capture',
  merchantCancel: '/v1/payments/{paymentId}/cancel',
  merchantRefund: '/v1/payments/{paymentId}/refund',
  /** DELETE: erase an express checkout's shopper details (the shopper asked the merchant). */
  merchantPaymentShopper: '/v1/payments/{paymentId}/shopper',

  // Provider callbacks and webhooks (authenticated per provider).
  providerCallback: '/v1/callbacks/{provider}/*',
} as const;

/**
 * The events of the live status stream (GET paths.checkoutPaymentEvents). Each is one SSE message
 * (`event: <name>` + one `data:` line of JSON); lines starting with `:` are heartbeats (ignore them).
 *  - `payment`: `{ payment: CheckoutPayment }`, exactly what the refresh route answers. The first one
 *    is the current state; then one per committed change (quick successive changes may arrive as one,
 *    the latest).
 *  - `end`: `{ reason }`, then the server closes the stream. `final`: the payment is settled or final,
 *    do not reconnect; `lifetime`: the stream reached its maximum age, reconnect now; `shutdown`: the
 *    server instance is stopping, reconnect after a moment (another instance answers).
 */
export const PAYMENT_STREAM_EVENTS = { payment: 'payment', end: 'end' } as const;
export const PAYMENT_STREAM_END_REASONS = ['final', 'lifetime', 'shutdown'] as const;

/** Query parameter the server appends to the merchant's return URL after a provider redirect. */
export const RETURN_TOKEN_PARAM = 'pwb_return';
/** Query parameter naming the payment the shopper returns from. */
export const RETURN_PAYMENT_PARAM = 'pwb_payment';

/** Fill `{name}` placeholders of a path. Values are URI-encoded. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
}
