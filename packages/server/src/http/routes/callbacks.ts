/** Provider callbacks and webhooks: authenticated by the adapter named in the path, over the exact bytes received. */
import { paths } from '@pay-with-bank/protocol';
import { z } from 'zod';
import { defineRoute } from '../route.js';

export const CallbackParams = z.strictObject({
  provider: z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be a provider adapter id'),
});
export const CallbackAck = z.object({ received: z.literal(true) }).meta({ id: 'CallbackAck' });
/** What a provider asked for, in its own format (e.g. the shipping options of an express checkout). */
export const ProviderReply = z
  .record(z.string(), z.unknown())
  .describe('The answer a provider expects, in its own format (e.g. the shipping options of an express checkout)')
  .meta({ id: 'ProviderReply' });
export const CallbackResponse = z.union([CallbackAck, ProviderReply]);

export const callbackRoutes = [
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
    response: {
      status: 200,
      description: 'Accepted; or the answer the provider asked for (express checkout shipping options)',
      schema: CallbackResponse,
    },
    errors: [
      'not_found',
      'unauthorized',
      'invalid_state',
      'shipping_unavailable',
      'provider_error',
      'provider_unavailable',
      'provider_timeout',
    ],
    handler: async ({ params, request, wildcard, services }) => {
      const outcome = await services.payments.handleCallback(params.provider, request, wildcard);
      const body = (outcome.reply as Record<string, unknown> | undefined) ?? { received: true };
      return outcome.replyStatus ? { status: outcome.replyStatus, body } : { body };
    },
  }),
  defineRoute({
    operationId: 'providerCallbackDelete',
    method: 'DELETE',
    path: paths.providerCallback,
    auth: 'provider',
    tags: ['Providers'],
    summary: 'Provider callbacks that remove something (express checkout consent removal)',
    description:
      'Authenticated by the provider adapter named in the path. A consent removal erases the shopper’s details from every payment of theirs and notifies the merchant (payment.shopper_erased).',
    params: CallbackParams,
    rawBody: true,
    response: { status: 200, description: 'Done', schema: CallbackAck },
    errors: ['not_found', 'unauthorized'],
    handler: async ({ params, request, wildcard, services }) => {
      await services.payments.handleCallback(params.provider, request, wildcard);
      return { body: { received: true } };
    },
  }),
];
