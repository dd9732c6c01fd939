/**
 * Every route of the server, in one table: path, auth, schemas, documented errors and handler.
 * The router (src/http/router.ts) and the OpenAPI document (src/http/openapi.ts) are built from it.
 */
import {
  CheckoutSession,
  CreateSessionRequest,
  CreateSessionResponse,
  GetPaymentResponse,
  GetSessionResponse,
  ListBanksQuery,
  ListBanksResponse,
  ListPaymentsQuery,
  ListPaymentsResponse,
  ModifyPaymentRequest,
  PaymentIdParams,
  RefreshPaymentResponse,
  SessionIdParams,
  StartPaymentRequest,
  StartPaymentResponse,
  paths,
} from '@pay-with-bank/protocol';
import { z } from 'zod';
import { PaymentService, type ModifyOperation } from '../core/payments.js';
import type { Services } from '../core/services.js';
import { toCheckoutSession, toMerchantPayment, toMerchantSession } from '../core/views.js';
import type { SessionRecord } from '../store/store.js';
import { ApiError } from '../errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { withIdempotency } from './idempotency.js';
import { defineRoute, type AnyRoute, type AuthContext, type HandlerContext } from './route.js';

const openApiDocuments = new Map<string, unknown>();

/** Idempotency-Key for merchant operations; passed on to the provider, so kept within the strictest provider limit (40). */
export const IdempotencyKeyHeader = z.strictObject({
  'idempotency-key': z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,40}$/, 'must be 8–40 characters of A–Z, a–z, 0–9, _ or -')
    .optional()
    .describe('Makes the operation safe to retry: the same key returns the first result'),
});

/** Idempotency-Key for session creation: any printable key of the merchant's (an order id, say). */
export const SessionIdempotencyKeyHeader = z.strictObject({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1–255 printable ASCII characters without spaces')
    .optional()
    .describe(
      'Makes session creation safe to retry: the same key and body return the same session and client token (Idempotent-Replayed: true); the same key with another body is refused (409)',
    ),
});

export const HealthResponse = z
  .object({
    status: z.enum(['ok', 'error']),
    checks: z.object({ store: z.enum(['ok', 'error']) }),
  })
  .meta({ id: 'HealthResponse' });

export const OpenApiDocumentSchema = z.record(z.string(), z.unknown()).describe('OpenAPI 3.1 document');

export const CallbackParams = z.strictObject({
  provider: z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be a provider adapter id'),
});
export const CallbackAck = z.object({ received: z.literal(true) }).meta({ id: 'CallbackAck' });

/** Routes without query parameters still reject unknown ones (no silently ignored input). */
const NoQuery = z.strictObject({});

function clientAuth(ctx: { auth: AuthContext }) {
  if (ctx.auth.kind !== 'client') throw new ApiError('unauthorized', 'A client token is required.');
  return ctx.auth;
}

/** The banks a checkout offers (in `country`, or in all the session's countries). */
async function sessionBanks(services: Services, session: SessionRecord, country?: SessionRecord['countries'][number]) {
  const adapter = session.methods.includes('bank') ? services.providers.forMethod('bank', session.currency) : undefined;
  if (!adapter?.listBanks) {
    throw new ApiError('method_not_available', 'Bank payments are not offered for this checkout.');
  }
  return services.banks.forSession(adapter, session.currency, session.countries, country);
}

/** The browser sees only its own session's payments; anything else is "not found". */
async function ownPayment(ctx: HandlerContext<{ paymentId: string }, unknown, unknown, unknown>) {
  const { session } = clientAuth(ctx);
  const payment = await ctx.services.store.getPayment(ctx.params.paymentId);
  if (!payment || payment.sessionId !== session.id) throw new ApiError('not_found', 'No such payment.');
  return payment;
}

function modifyRoute(operation: ModifyOperation, summary: string, errors: AnyRoute['errors']): AnyRoute {
  const pathByOp = { capture: paths.merchantCapture, cancel: paths.merchantCancel, refund: paths.merchantRefund };
  return defineRoute({
    operationId: `${operation}Payment`,
    method: 'POST',
    path: pathByOp[operation],
    auth: 'merchant',
    tags: ['Merchant'],
    summary,
    description:
      'Available when the payment’s provider supports it (otherwise invalid_state). Send an Idempotency-Key to retry safely.',
    params: PaymentIdParams,
    query: NoQuery,
    headers: IdempotencyKeyHeader,
    ...(operation === 'cancel' ? {} : { body: ModifyPaymentRequest }),
    bodyRequired: false,
    response: { status: 200, description: 'The payment after the operation', schema: GetPaymentResponse },
    errors: [
      'not_found',
      'invalid_state',
      'idempotency_key_reused',
      ...errors,
      'provider_error',
      'provider_unavailable',
      'provider_timeout',
    ],
    handler: async (ctx) => {
      const key = (ctx.headers as { 'idempotency-key'?: string })['idempotency-key'];
      const amount = (ctx.body as { amount?: number } | undefined)?.amount;
      return withIdempotency(ctx.services.store, key, ctx.fingerprint, async () => {
        const payment = await ctx.services.payments.modify(
          ctx.params.paymentId,
          operation,
          amount,
          key ?? PaymentService.newOperationKey(),
        );
        return { status: 200, body: { payment: toMerchantPayment(payment) } };
      });
    },
  });
}

export const routes: AnyRoute[] = [
  // ------------------------------------------------------------------ system
  defineRoute({
    operationId: 'health',
    method: 'GET',
    path: paths.health,
    auth: 'none',
    tags: ['System'],
    summary: 'Liveness and store check',
    query: NoQuery,
    response: { status: 200, description: 'The server and its store work', schema: HealthResponse },
    otherResponses: [{ status: 503, description: 'The store is unusable', schema: HealthResponse }],
    errors: [],
    handler: async ({ services }) => {
      try {
        await services.store.ping();
        return { body: { status: 'ok', checks: { store: 'ok' } } };
      } catch (error) {
        services.logger.error('health check: store failed', { error });
        return { status: 503, body: { status: 'error', checks: { store: 'error' } } };
      }
    },
  }),
  defineRoute({
    operationId: 'openapi',
    method: 'GET',
    path: paths.openapi,
    auth: 'none',
    tags: ['System'],
    summary: 'This API as an OpenAPI 3.1 document',
    query: NoQuery,
    response: { status: 200, description: 'OpenAPI 3.1 document', schema: OpenApiDocumentSchema },
    errors: [],
    handler: async ({ services }) => {
      // Imported lazily: the document is built from this very table. Built once per public URL, as
      // the table never changes at run time and the route is public.
      const serverUrl = services.config.publicUrl;
      let document = openApiDocuments.get(serverUrl);
      if (!document) {
        const { buildOpenApiDocument } = await import('./openapi.js');
        document = buildOpenApiDocument({ serverUrl });
        openApiDocuments.set(serverUrl, document);
      }
      return { body: document };
    },
  }),

  // ------------------------------------------------------------------ merchant API
  defineRoute({
    operationId: 'createSession',
    method: 'POST',
    path: paths.merchantSessions,
    auth: 'merchant',
    tags: ['Merchant'],
    summary: 'Create a checkout session',
    description:
      'Amount, currency, reference and return URL are fixed here. Give the returned clientToken to `<pay-with-bank session-token>`.',
    query: NoQuery,
    headers: SessionIdempotencyKeyHeader,
    body: CreateSessionRequest,
    response: { status: 201, description: 'The session and its browser token', schema: CreateSessionResponse },
    errors: ['return_url_not_allowed', 'method_not_available', 'idempotency_key_reused'],
    handler: async ({ body, headers, auth, services, fingerprint }) => {
      const key = (headers as { 'idempotency-key'?: string })['idempotency-key'];
      const apiKey = auth.kind === 'merchant' ? auth.apiKey : null;
      if (apiKey === null) throw new ApiError('unauthorized', 'A valid merchant API key is required.');
      const { session, clientToken, replayed } = await services.sessions.create(
        body,
        key === undefined ? undefined : { key, fingerprint, apiKey },
      );
      return {
        status: 201,
        body: { session: toMerchantSession(session, services.now()), clientToken },
        ...(replayed ? { headers: { 'Idempotent-Replayed': 'true' } } : {}),
      };
    },
  }),
  defineRoute({
    operationId: 'getSession',
    method: 'GET',
    path: paths.merchantSession,
    auth: 'merchant',
    tags: ['Merchant'],
    summary: 'A checkout session and its payments',
    params: SessionIdParams,
    query: NoQuery,
    response: { status: 200, description: 'The session with its payments, newest first', schema: GetSessionResponse },
    errors: ['not_found'],
    handler: async ({ params, services }) => {
      const session = await services.sessions.get(params.sessionId);
      if (!session) throw new ApiError('not_found', 'No such session.');
      const payments = await services.store.listSessionPayments(session.id);
      return {
        body: { session: toMerchantSession(session, services.now()), payments: payments.map(toMerchantPayment) },
      };
    },
  }),
  defineRoute({
    operationId: 'listPayments',
    method: 'GET',
    path: paths.merchantPayments,
    auth: 'merchant',
    tags: ['Merchant'],
    summary: 'List payments (reconciliation)',
    description: 'Newest first. Pass nextCursor as cursor to get the next page.',
    query: ListPaymentsQuery,
    response: { status: 200, description: 'A page of payments', schema: ListPaymentsResponse },
    errors: [],
    handler: async ({ query, services }) => {
      const limit = query.limit ?? 50;
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      if (query.from && query.to && Date.parse(query.from) > Date.parse(query.to)) {
        throw new ApiError('invalid_request', 'from must not be after to.', {
          issues: [{ path: 'query.from', message: 'must not be after to' }],
        });
      }
      const page = await services.store.listPayments({
        ...(query.reference ? { reference: query.reference } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.from ? { from: new Date(query.from).toISOString() } : {}),
        ...(query.to ? { to: new Date(query.to).toISOString() } : {}),
        ...(after ? { after } : {}),
        limit: limit + 1,
      });
      const more = page.length > limit;
      const items = more ? page.slice(0, limit) : page;
      const last = items[items.length - 1];
      return {
        body: {
          payments: items.map(toMerchantPayment),
          nextCursor: more && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
        },
      };
    },
  }),
  defineRoute({
    operationId: 'getPayment',
    method: 'GET',
    path: paths.merchantPayment,
    auth: 'merchant',
    tags: ['Merchant'],
    summary: 'One payment',
    params: PaymentIdParams,
    query: NoQuery,
    response: { status: 200, description: 'The payment', schema: GetPaymentResponse },
    errors: ['not_found'],
    handler: async ({ params, services }) => {
      const payment = await services.store.getPayment(params.paymentId);
      if (!payment) throw new ApiError('not_found', 'No such payment.');
      return { body: { payment: toMerchantPayment(payment) } };
    },
  }),
  modifyRoute('capture', 'Capture an authorised payment (all or part)', ['amount_exceeds_authorized']),
  modifyRoute('cancel', 'Cancel a payment that is not final', []),
  modifyRoute('refund', 'Refund a captured payment (all or part)', ['amount_exceeds_captured']),

  // ------------------------------------------------------------------ browser API
  defineRoute({
    operationId: 'getCheckoutSession',
    method: 'GET',
    path: paths.checkoutSession,
    auth: 'client',
    tags: ['Checkout'],
    summary: 'The session of the client token, with its latest payment',
    query: NoQuery,
    response: { status: 200, description: 'What the widget shows', schema: CheckoutSession },
    errors: [],
    handler: async (ctx) => {
      const { session } = clientAuth(ctx);
      const [latest] = await ctx.services.store.listSessionPayments(session.id);
      // The default country's banks come with the session: the bank list needs no second round trip.
      const banks = await sessionBanks(ctx.services, session, session.countries[0]).catch((error: unknown) => {
        if (!(error instanceof ApiError && error.code === 'method_not_available')) {
          ctx.services.logger.warn('bank list unavailable for the session read', { error });
        }
        return null;
      });
      const payment = latest ? ctx.services.payments.checkoutView(latest) : null;
      return { body: toCheckoutSession(session, ctx.services.config.payeeName, payment, banks) };
    },
  }),
  defineRoute({
    operationId: 'listCheckoutBanks',
    method: 'GET',
    path: paths.checkoutBanks,
    auth: 'client',
    tags: ['Checkout'],
    summary: 'Banks the shopper can pay with',
    description: 'Only banks that can pay in the session currency, in the session countries (optionally one of them).',
    query: ListBanksQuery,
    response: { status: 200, description: 'Banks, unavailable ones included (greyed out)', schema: ListBanksResponse },
    errors: ['method_not_available', 'provider_error', 'provider_unavailable', 'provider_timeout'],
    handler: async (ctx) => {
      const { session } = clientAuth(ctx);
      return { body: { banks: await sessionBanks(ctx.services, session, ctx.query.country) } };
    },
  }),
  defineRoute({
    operationId: 'startCheckoutPayment',
    method: 'POST',
    path: paths.checkoutPayments,
    auth: 'client',
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
    handler: async (ctx) => {
      const { session, clientToken } = clientAuth(ctx);
      const { payment, redirectUrl } = await ctx.services.payments.start(session, clientToken, ctx.body);
      return { body: { payment: ctx.services.payments.checkoutView(payment, { redirectUrl }), redirectUrl } };
    },
  }),
  defineRoute({
    operationId: 'refreshCheckoutPayment',
    method: 'POST',
    path: paths.checkoutPaymentRefresh,
    auth: 'client',
    tags: ['Checkout'],
    summary: 'Ask the provider for the latest status of a payment',
    description: 'Cheap to poll: calls are coalesced and throttled per payment; final payments answer from the store.',
    params: PaymentIdParams,
    query: NoQuery,
    response: { status: 200, description: 'The payment', schema: RefreshPaymentResponse },
    errors: ['not_found', 'provider_error', 'provider_unavailable', 'provider_timeout'],
    handler: async (ctx) => {
      const payment = await ownPayment(ctx);
      const refreshed = await ctx.services.payments.refresh(payment.id, 'refresh');
      return { body: { payment: ctx.services.payments.checkoutView(refreshed) } };
    },
  }),

  // ------------------------------------------------------------------ provider callbacks
  defineRoute({
    operationId: 'providerCallback',
    method: 'POST',
    path: paths.providerCallback,
    auth: 'provider',
    tags: ['Providers'],
    summary: 'Provider callbacks and webhooks',
    description:
      'Authenticated by the provider adapter named in the path; replays are recognised and ignored. Providers without callbacks answer not_found.',
    params: CallbackParams,
    rawBody: true,
    response: { status: 200, description: 'Accepted', schema: CallbackAck },
    errors: ['not_found', 'unauthorized', 'provider_error', 'provider_unavailable', 'provider_timeout'],
    handler: async ({ params, request, wildcard, services }) => {
      await services.payments.handleCallback(params.provider, request, wildcard);
      return { body: { received: true } };
    },
  }),
];
