/**
 * The OpenAPI 3.1 document, generated from the route table and the protocol's zod schemas
 * (`z.toJSONSchema`, JSON Schema 2020-12, which OpenAPI 3.1 uses as is). Named schemas (`.meta({ id })`)
 * become components; every route lists its parameters, body, success response and error responses.
 */
import { ApiErrorBody, ERROR_STATUS, type ErrorCode } from '@pay-with-bank/protocol';
import { z } from 'zod';
import type { AnyRoute } from './route.js';
import { routes as defaultRoutes } from './routes/index.js';

type JsonSchema = Record<string, unknown>;

export interface OpenApiOptions {
  serverUrl?: string;
  routes?: readonly AnyRoute[];
  version?: string;
}

/** Errors any route can answer, besides its own. */
function commonErrors(route: AnyRoute): ErrorCode[] {
  const codes: ErrorCode[] = ['invalid_request'];
  if (route.auth === 'merchant' || route.auth === 'client') codes.push('unauthorized');
  // A client token works until a week after its session expired (sessions/service.ts).
  if (route.auth === 'client') codes.push('session_expired');
  // Browser routes count every request; merchant routes count refused credentials (a valid key is
  // never throttled, but a caller whose keys keep failing is).
  if (route.rateLimit) codes.push('rate_limited');
  // The body limit runs before everything, whatever the method: a GET declaring a larger body gets it too.
  codes.push('payload_too_large');
  if (route.method === 'POST' && !route.rawBody) codes.push('unsupported_media_type');
  codes.push('method_not_allowed');
  // The database is restarting or unreachable; a route with a 503 of its own (health) says so its own way.
  if (![route.response, ...(route.otherResponses ?? [])].some((r) => r.status === 503)) codes.push('store_unavailable');
  codes.push('internal_error');
  return codes;
}

class ComponentCollector {
  readonly schemas: Record<string, JsonSchema> = {};

  /** Convert a zod schema; hoist its named definitions into components and point refs there. */
  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    delete json.$schema;
    // Input and output forms of one named schema can differ (defaults, transforms): keep both.
    const renames = new Map<string, string>();
    for (const [name, def] of Object.entries(defs)) {
      const existing = this.schemas[name];
      const comparable = JSON.stringify(def).replaceAll('"#/$defs/', '"#/components/schemas/');
      if (existing === undefined || JSON.stringify(existing) === comparable) {
        renames.set(name, name);
      } else {
        renames.set(name, `${name}${io === 'input' ? 'Input' : 'Output'}`);
      }
    }
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (value && typeof value === 'object') {
        const out: Record<string, unknown> = {};
        for (const [key, v] of Object.entries(value)) {
          if (key === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) {
            const name = v.slice('#/$defs/'.length);
            out[key] = `#/components/schemas/${renames.get(name) ?? name}`;
          } else {
            out[key] = rewrite(v);
          }
        }
        return out;
      }
      return value;
    };
    for (const [name, def] of Object.entries(defs)) {
      this.schemas[renames.get(name)!] = rewrite(def) as JsonSchema;
    }
    return rewrite(json) as JsonSchema;
  }
}

function objectProperties(schema: JsonSchema): { properties: Record<string, JsonSchema>; required: string[] } {
  return {
    properties: (schema.properties ?? {}) as Record<string, JsonSchema>,
    required: (schema.required ?? []) as string[],
  };
}

/**
 * A `text/event-stream` body. OpenAPI 3.1 cannot type the messages of a stream, so the body is a
 * string and `x-events` names each event's data schema (JSON, one `data:` line per message).
 */
function eventStreamMedia(events: Record<string, z.ZodType>, components: ComponentCollector): JsonSchema {
  return {
    schema: {
      type: 'string',
      description:
        'Server-sent events: `event: <name>` and one `data: <JSON>` line per message; lines starting with `:` are heartbeats.',
    },
    'x-events': Object.fromEntries(
      Object.entries(events).map(([name, schema]) => [name, components.convert(schema, 'output')]),
    ),
  };
}

function toOpenApiPath(path: string): string {
  return path.endsWith('/*') ? `${path.slice(0, -2)}/{callbackPath}` : path;
}

export function buildOpenApiDocument(options: OpenApiOptions = {}): JsonSchema {
  const routes = options.routes ?? defaultRoutes;
  const components = new ComponentCollector();
  const errorSchema = components.convert(ApiErrorBody, 'output');
  const pathsOut: Record<string, Record<string, unknown>> = {};

  for (const route of routes) {
    const parameters: JsonSchema[] = [];
    if (route.params) {
      const { properties } = objectProperties(components.convert(route.params, 'input'));
      for (const [name, schema] of Object.entries(properties)) {
        parameters.push({ name, in: 'path', required: true, schema });
      }
    }
    if (route.path.endsWith('/*')) {
      parameters.push({
        name: 'callbackPath',
        in: 'path',
        required: true,
        description: 'Provider-specific rest of the path (may contain slashes)',
        schema: { type: 'string' },
      });
    }
    if (route.query) {
      const { properties, required } = objectProperties(components.convert(route.query, 'input'));
      for (const [name, schema] of Object.entries(properties)) {
        parameters.push({ name, in: 'query', required: required.includes(name), schema });
      }
    }
    if (route.headers) {
      const { properties, required } = objectProperties(components.convert(route.headers, 'input'));
      for (const [name, schema] of Object.entries(properties)) {
        const { description, ...rest } = schema;
        parameters.push({
          name: name.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase()),
          in: 'header',
          required: required.includes(name),
          ...(description ? { description } : {}),
          schema: rest,
        });
      }
    }

    const responses: Record<string, unknown> = {};
    for (const response of [route.response, ...(route.otherResponses ?? [])]) {
      responses[String(response.status)] = {
        description: response.description,
        content: response.events
          ? { 'text/event-stream': eventStreamMedia(response.events, components) }
          : { 'application/json': { schema: components.convert(response.schema, 'output') } },
      };
    }
    const errorCodes = [...new Set([...route.errors, ...commonErrors(route)])];
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of errorCodes) {
      const status = ERROR_STATUS[code];
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
      responses[String(status)] = {
        description: `Error: ${codes.join(', ')}`,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }

    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      tags: route.tags,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      ...(parameters.length ? { parameters } : {}),
      responses,
      'x-error-codes': errorCodes,
    };
    if (route.auth === 'merchant') operation.security = [{ merchantApiKey: [] }];
    else if (route.auth === 'client') operation.security = [{ clientToken: [] }];
    else operation.security = [];

    if (route.body) {
      operation.requestBody = {
        required: route.bodyRequired !== false,
        content: { 'application/json': { schema: components.convert(route.body, 'input') } },
      };
    } else if (route.rawBody) {
      operation.requestBody = {
        required: false,
        description: 'Provider-specific payload, authenticated by the provider adapter',
        content: { '*/*': { schema: {} } },
      };
    }

    const path = toOpenApiPath(route.path);
    pathsOut[path] ??= {};
    pathsOut[path]![route.method.toLowerCase()] = operation;
  }

  // ApiErrorBody is named "Error"; make sure it is a component even if no route referenced it by name.
  if (!components.schemas.Error) components.schemas.Error = errorSchema;

  return {
    openapi: '3.1.0',
    info: {
      title: 'pay-with-bank companion server',
      version: options.version ?? '0.1.0',
      description:
        'Checkout sessions, the browser API of <pay-with-bank>, the merchant API and provider callbacks. ' +
        'Errors are always { "error": { "code", "message", "retryable", "details"? } }; codes and HTTP statuses are listed per operation.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    paths: pathsOut,
    components: {
      schemas: components.schemas,
      securitySchemes: {
        merchantApiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'Merchant API key (PWB_MERCHANT_API_KEYS). Server-to-server only.',
        },
        clientToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The session’s client token (from POST /v1/sessions), used by the browser.',
        },
      },
    },
    'x-error-statuses': ERROR_STATUS,
  };
}
