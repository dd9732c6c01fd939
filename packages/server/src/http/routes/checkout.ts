/** Browser API: what `<pay-with-bank>` calls with the session's client token. */
import {
  CheckoutSession,
  ListBanksQuery,
  ListBanksResponse,
  paths,
  PaymentIdParams,
  PaymentStreamEnd,
  PaymentStreamEvent,
  RefreshPaymentResponse,
  StartPaymentRequest,
  StartPaymentResponse,
} from '@pay-with-bank/protocol';
import type { Services } from '../../services.js';
import { toCheckoutSession } from '../../views.js';
import { ApiError } from '../../errors.js';
import type { SessionRecord } from '../../store/store.js';
import { defineRoute, NoQuery } from '../route.js';

/** The banks a checkout offers (in `country`, or in all the session's countries). */
async function sessionBanks(services: Services, session: SessionRecord, country?: SessionRecord['countries'][number]) {
  const adapter = session.methods.includes('bank') ? services.providers.forMethod('bank', session.currency) : undefined;
  if (!adapter?.listBanks) {
    throw new ApiError('method_not_available', 'Bank payments are not offered for this checkout.');
  }
  return services.banks.forSession(adapter, session.currency, session.countries, country);
}

/** The browser sees only its own session's payments; anything else is "not found". */
async function ownPayment(services: Services, session: SessionRecord, paymentId: string) {
  const payment = await services.store.getPayment(paymentId);
  if (!payment || payment.sessionId !== session.id) throw new ApiError('not_found', 'No such payment.');
  return payment;
}

export const checkoutRoutes = [
  defineRoute({
    operationId: 'getCheckoutSession',
    method: 'GET',
    path: paths.checkoutSession,
    auth: 'client',
    rateLimit: 'checkout',
    tags: ['Checkout'],
    summary: 'The session of the client token, with its latest payment',
    query: NoQuery,
    response: { status: 200, description: 'What the widget shows', schema: CheckoutSession },
    errors: [],
    handler: async ({ auth: { session }, services }) => {
      const [latest] = await services.store.listSessionPayments(session.id);
      // The default country's banks come with the session: the bank list needs no second round trip.
      const banks = await sessionBanks(services, session, session.countries[0]).catch((error: unknown) => {
        if (!(error instanceof ApiError && error.code === 'method_not_available')) {
          services.logger.warn('bank list unavailable for the session read', { error });
        }
        return null;
      });
      const payment = latest ? services.payments.checkoutView(latest) : null;
      return { body: toCheckoutSession(session, services.config.payeeName, payment, banks) };
    },
  }),
  defineRoute({
    operationId: 'listCheckoutBanks',
    method: 'GET',
    path: paths.checkoutBanks,
    auth: 'client',
    rateLimit: 'checkout',
    tags: ['Checkout'],
    summary: 'Banks the shopper can pay with',
    description: 'Only banks that can pay in the session currency, in the session countries (optionally one of them).',
    query: ListBanksQuery,
    response: { status: 200, description: 'Banks, unavailable ones included (greyed out)', schema: ListBanksResponse },
    errors: ['method_not_available', 'provider_error', 'provider_unavailable', 'provider_timeout'],
    handler: async ({ auth: { session }, query, services }) => {
      return { body: { banks: await sessionBanks(services, session, query.country) } };
    },
  }),
  defineRoute({
    operationId: 'startCheckoutPayment',
    method: 'POST',
    path: paths.checkoutPayments,
    auth: 'client',
    rateLimit: 'checkout',
    tags: ['Checkout'],
    summary: 'Start (or replay) the payment of one attempt',
    description:
      'The same attemptId always returns the same payment. While another payment of the checkout is open, a new attemptId returns that payment when it is for the same method and bank, and answers payment_in_progress (details.paymentId) otherwise, unless replace is true (the shopper chose to pay another way). Navigate the top-level window to redirectUrl. Amount and payee come from the session, never from this request.',
    query: NoQuery,
    body: StartPaymentRequest,
    response: { status: 200, description: 'The payment and where to send the shopper', schema: StartPaymentResponse },
    errors: [
      'method_not_available',
      'bank_not_available',
      'payment_in_progress',
      'attempt_limit_reached',
      'conflict',
      'session_expired',
      'idempotency_key_reused',
      'invalid_state',
      'provider_error',
      'provider_unavailable',
      'provider_timeout',
    ],
    handler: async ({ auth: { session, clientToken }, body, services }) => {
      const { payment, redirectUrl } = await services.payments.start(session, clientToken, body);
      return { body: { payment: services.payments.checkoutView(payment, { redirectUrl }), redirectUrl } };
    },
  }),
  defineRoute({
    operationId: 'refreshCheckoutPayment',
    method: 'POST',
    path: paths.checkoutPaymentRefresh,
    auth: 'client',
    rateLimit: 'checkout',
    tags: ['Checkout'],
    summary: 'Ask the provider for the latest status of a payment',
    description: 'Cheap to poll: calls are coalesced and throttled per payment; final payments answer from the store.',
    params: PaymentIdParams,
    query: NoQuery,
    response: { status: 200, description: 'The payment', schema: RefreshPaymentResponse },
    errors: ['not_found', 'provider_error', 'provider_unavailable', 'provider_timeout'],
    handler: async ({ auth: { session }, params, services }) => {
      const payment = await ownPayment(services, session, params.paymentId);
      const refreshed = await services.payments.refresh(payment.id, 'refresh');
      return { body: { payment: services.payments.checkoutView(refreshed) } };
    },
  }),
  defineRoute({
    operationId: 'streamCheckoutPayment',
    method: 'GET',
    path: paths.checkoutPaymentEvents,
    auth: 'client',
    rateLimit: 'checkout',
    tags: ['Checkout'],
    summary: 'Live status of a payment (server-sent events)',
    description:
      'A text/event-stream, read with a streaming fetch (the token goes in the Authorization header, never in the URL, so EventSource cannot be used). ' +
      '`event: payment` carries `{ payment }` exactly as the refresh route answers it: first the current state, then one per committed change, on whichever server instance the change was made. ' +
      'A `: heartbeat` comment line comes every 15 s. `event: end` with `{ reason }` is the last message: `final` once the payment is settled or final (do not reconnect), `lifetime` after at most 10 minutes or shortly after the payment expires (reconnect), `shutdown` when the server stops (reconnect after a moment). ' +
      'While a stream watches an open payment the server asks the provider on its polling schedule (once per interval however many streams watch). Open streams are limited per checkout and per client address (rate_limited); on any failure, poll the refresh route instead.',
    params: PaymentIdParams,
    query: NoQuery,
    response: {
      status: 200,
      description: 'The stream (text/event-stream; Cache-Control: no-store; X-Accel-Buffering: no)',
      schema: PaymentStreamEvent,
      events: { payment: PaymentStreamEvent, end: PaymentStreamEnd },
    },
    errors: ['not_found'],
    handler: async ({ auth: { session }, params, services, request, clientAddress }) => {
      const response = await services.live.open(session, params.paymentId, {
        clientAddress,
        signal: request.signal,
        headOnly: request.method === 'HEAD',
      });
      return { response };
    },
  }),
];
