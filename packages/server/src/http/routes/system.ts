/** System routes: liveness and the API description. */
import { paths } from '@pay-with-bank/protocol';
import { z } from 'zod';
import { defineRoute, NoQuery } from '../route.js';

export const HealthResponse = z
  .object({
    status: z.enum(['ok', 'error']),
    checks: z.object({ store: z.enum(['ok', 'error']) }),
  })
  .meta({ id: 'HealthResponse' });

export const OpenApiDocumentSchema = z.record(z.string(), z.unknown()).describe('OpenAPI 3.1 document');

/** Built once per public URL: the table never changes at run time and the route is public. */
const openApiDocuments = new Map<string, Record<string, unknown>>();

export const systemRoutes = [
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
      const serverUrl = services.config.publicUrl;
      let document = openApiDocuments.get(serverUrl);
      if (!document) {
        // Imported lazily: the document is built from the table this route is part of.
        const { buildOpenApiDocument } = await import('../openapi.js');
        document = buildOpenApiDocument({ serverUrl });
        openApiDocuments.set(serverUrl, document);
      }
      return { body: document };
    },
  }),
];
