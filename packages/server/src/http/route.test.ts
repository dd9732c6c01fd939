/** defineRoute keeps every type of a route from its schemas to its handler: these are compile-time checks (tsc). */
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { SessionRecord } from '../store/store.js';
import { defineRoute, NoQuery, type AnyRoute } from './route.js';

const Out = z.object({ state: z.enum(['ok', 'error']) });

describe('defineRoute', () => {
  it('types params, query, headers, body and the caller from the route', () => {
    const route = defineRoute({
      operationId: 'typed',
      method: 'POST',
      path: '/typed/{id}',
      auth: 'client',
      rateLimit: 'checkout',
      tags: [],
      summary: '',
      params: z.strictObject({ id: z.string() }),
      query: NoQuery,
      headers: z.strictObject({ 'idempotency-key': z.string().optional() }),
      body: z.strictObject({ amount: z.number() }),
      bodyRequired: false,
      response: { status: 200, description: '', schema: Out },
      errors: [],
      handler: async (ctx) => {
        expectTypeOf(ctx.params).toEqualTypeOf<{ id: string }>();
        expectTypeOf(ctx.headers['idempotency-key']).toEqualTypeOf<string | undefined>();
        expectTypeOf(ctx.body).toEqualTypeOf<{ amount: number } | undefined>();
        expectTypeOf(ctx.auth.session).toEqualTypeOf<SessionRecord>();
        return { body: { state: 'ok' } };
      },
    });
    expectTypeOf(route).toExtend<AnyRoute>();
  });

  it('gives a merchant route the API key, and a required body without undefined', () => {
    defineRoute({
      operationId: 'merchant',
      method: 'POST',
      path: '/m',
      auth: 'merchant',
      tags: [],
      summary: '',
      body: z.strictObject({ name: z.string() }),
      response: { status: 201, description: '', schema: Out },
      errors: [],
      handler: async ({ auth, body }) => {
        expectTypeOf(auth.apiKey).toEqualTypeOf<string>();
        expectTypeOf(body).toEqualTypeOf<{ name: string }>();
        return { status: 201, body: { state: 'error' } };
      },
    });
  });
});
