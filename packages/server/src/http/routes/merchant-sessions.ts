/** Merchant API: checkout sessions (created by the merchant's backend, read back with their payments). */
import {
  CreateSessionRequest,
  CreateSessionResponse,
  GetSessionResponse,
  paths,
  SessionIdParams,
} from '@pay-with-bank/protocol';
import { z } from 'zod';
import { toMerchantPayment, toMerchantSession } from '../../views.js';
import { ApiError } from '../../errors.js';
import { defineRoute, NoQuery } from '../route.js';

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

export const merchantSessionRoutes = [
  defineRoute({
    operationId: 'createSession',
    method: 'POST',
    path: paths.merchantSessions,
    auth: 'merchant',
    rateLimit: 'failed-auth',
    tags: ['Merchant'],
    summary: 'Create a checkout session',
    description:
      'Amount, currency, reference and return URL are fixed here. Give the returned clientToken to `<pay-with-bank session-token>`.',
    query: NoQuery,
    // Idempotent in the session service (stored with the session in one transaction), not by the middleware.
    headers: SessionIdempotencyKeyHeader,
    body: CreateSessionRequest,
    response: { status: 201, description: 'The session and its browser token', schema: CreateSessionResponse },
    errors: ['return_url_not_allowed', 'method_not_available', 'idempotency_key_reused'],
    handler: async ({ body, headers, auth, services, fingerprint }) => {
      const key = headers['idempotency-key'];
      const { session, clientToken, replayed } = await services.sessions.create(
        body,
        key === undefined ? undefined : { key, fingerprint, apiKey: auth.apiKey },
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
    rateLimit: 'failed-auth',
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
];
