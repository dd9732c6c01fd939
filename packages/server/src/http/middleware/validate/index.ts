/**
 * validate: the request as its route declares it, or `invalid_request` (400) with
 * `details.issues: [{ path, message }]` before the handler runs, so bad input never changes
 * anything. In order: path parameters, query (each parameter at most once; unknown ones refused
 * where the route declares a query), declared headers, then the body (body.ts). The result is the
 * `input` context variable.
 */
import type { MiddlewareHandler } from 'hono';
import { sha256Hex } from '../../../security/crypto.js';
import type { AnyRoute } from '../../route.js';
import type { HttpEnv } from '../env.js';
import { readBody } from './body.js';
import { invalid, invalidInput } from './issues.js';

function parseQuery(url: URL): Record<string, string> {
  // No prototype: on a plain object `?__proto__=x` would hit the prototype setter and vanish
  // instead of being rejected as an unknown parameter.
  const query: Record<string, string> = Object.create(null);
  for (const [key, value] of url.searchParams) {
    if (Object.hasOwn(query, key)) {
      throw invalidInput('Invalid query parameters.', `query.${key.slice(0, 40)}`, 'must appear at most once');
    }
    query[key] = value;
  }
  return query;
}

/** The headers the route's schema names (lower-case), as sent. */
function declaredHeaders(route: AnyRoute, request: Request): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of Object.keys(route.headers?.shape ?? {})) {
    const value = request.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return headers;
}

/** What follows the fixed part of a wildcard route (`/v1/callbacks/{provider}/*`). */
function wildcardOf(route: AnyRoute, pathname: string): string {
  if (!route.path.endsWith('/*')) return '';
  const prefix = route.path
    .slice(0, -2)
    .replace(/\{(\w+)\}/g, '[^/]+')
    .replace(/\//g, '\\/');
  const match = new RegExp(`${prefix}\\/(.*)$`).exec(pathname);
  return match ? match[1]! : '';
}

export function validate(route: AnyRoute): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const request = c.req.raw;
    const url = new URL(request.url);

    let params: unknown = {};
    if (route.params) {
      const raw = c.req.param();
      const parsed = route.params.safeParse(raw);
      if (!parsed.success) throw invalid('params', parsed.error, 'path parameters', raw);
      params = parsed.data;
    }

    let query: unknown = parseQuery(url);
    if (route.query) {
      const parsed = route.query.safeParse(query);
      if (!parsed.success) throw invalid('query', parsed.error, 'query parameters', query);
      query = parsed.data;
    }

    let headers: Readonly<Record<string, unknown>> = {};
    if (route.headers) {
      const declared = declaredHeaders(route, request);
      const parsed = route.headers.safeParse(declared);
      if (!parsed.success) throw invalid('headers', parsed.error, 'request headers', declared);
      headers = parsed.data;
    }

    const { body, text } = await readBody(route, request);
    c.set('input', {
      params,
      query,
      headers,
      body,
      // Callbacks get the exact bytes back as a Request (adapters verify signatures over them).
      request: route.rawBody
        ? new Request(request.url, { method: request.method, headers: request.headers, body: text })
        : request,
      fingerprint: `${route.method} ${url.pathname} ${sha256Hex(JSON.stringify(body ?? null))}`,
      wildcard: wildcardOf(route, url.pathname),
    });
    await next();
  };
}
