/** Provider callbacks and webhooks: authenticated by the adapter named in the path, over the exact bytes received. */
import { paths } from '@pay-with-bank/protocol';
import { z } from 'zod';
import { defineRoute } from '../route.js';

export const CallbackParams = z.strictObject({
  provider: z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be a provider adapter id'),
});
export const CallbackAck = z.object({ received: z.literal(true) }).meta({ id: 'CallbackAck' });

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
    response: { status: 200, description: 'Accepted', schema: CallbackAck },
    errors: ['not_found', 'unauthorized', 'provider_error', 'provider_unavailable', 'provider_timeout'],
    handler: async ({ params, request, wildcard, services }) => {
      await services.payments.handleCallback(params.provider, request, wildcard);
      return { body: { received: true } };
    },
  }),
];
