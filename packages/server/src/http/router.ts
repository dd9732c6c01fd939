/**
 * Mounts the route table on a Hono app with one request pipeline for every route:
 * body size → authentication → params → query → headers → content type → JSON → schema → handler.
 * Every rejection is a typed ApiError (→ `{ error: { code, message, retryable, details } }`), raised
 * before the handler runs, so bad input never changes anything.
 */
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import type { Services } from '../core/services.js';
import { ApiError } from '../errors.js';
import { clientAddress, type ClientAddressOptions } from '../security/client-address.js';
import { matchesAnySecret, sha256Hex } from '../security/crypto.js';
import { assertSafeJson } from './json-safety.js';
import { FixedWindowLimiter } from './rate-limit.js';
import { toHonoPath, type AnyRoute, type AuthContext } from './route.js';

export const DEFAULT_BODY_LIMIT_BYTES = 16 * 1024;

export interface ValidationIssue {
  path: string;
  message: string;
}

/** zod issues → readable `{ path, message }` pairs, prefixed by where the input was (body, query…). Values are never echoed. */
export function toIssues(location: string, error: z.ZodError): ValidationIssue[] {
  return error.issues.slice(0, 20).map((issue) => {
    const segments = issue.path.map((p) => String(p));
    if (issue.code === 'unrecognized_keys') {
      return {
        path: [location, ...segments].join('.'),
        message: `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys
          .slice(0, 5)
          .map((k) => k.slice(0, 40))
          .join(', ')}`,
      };
    }
    const message =
      issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined
        ? 'is required'
        : issue.message;
    return { path: [location, ...segments].join('.'), message };
  });
}

function invalid(location: string, error: z.ZodError, what: string): ApiError {
  return new ApiError('invalid_request', `Invalid ${what}.`, { issues: toIssues(location, error) });
}

/** Read the body as UTF-8 text, refusing more than `limit` bytes whatever Content-Length claims. */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit) {
    throw new ApiError('payload_too_large', `The request body must be at most ${limit} bytes.`);
  }
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new ApiError('payload_too_large', `The request body must be at most ${limit} bytes.`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError('invalid_request', 'The request body is not valid UTF-8.');
  }
}

function bearerToken(request: Request): string | null {
  const header = request.headers.get('authorization');
  if (!header || header.length > 512) return null;
  const match = /^Bearer\s+([\x21-\x7e]+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

const UNAUTHORIZED_HEADERS = { 'WWW-Authenticate': 'Bearer' };

async function authenticate(route: AnyRoute, request: Request, services: Services): Promise<AuthContext> {
  if (route.auth === 'none' || route.auth === 'provider') return { kind: 'none' };
  const token = bearerToken(request);
  if (route.auth === 'merchant') {
    if (!token || !matchesAnySecret(token, services.config.merchantApiKeys)) {
      throw new ApiError(
        'unauthorized',
        'A valid merchant API key is required (Authorization: Bearer <key>).',
        undefined,
        UNAUTHORIZED_HEADERS,
      );
    }
    return { kind: 'merchant', apiKey: token };
  }
  const session = token ? await services.sessions.authenticate(token) : null;
  if (!session || !token) {
    throw new ApiError(
      'unauthorized',
      'A valid session token is required (Authorization: Bearer <token>).',
      undefined,
      UNAUTHORIZED_HEADERS,
    );
  }
  return { kind: 'client', session, clientToken: token };
}

function parseQuery(request: Request): Record<string, string> {
  // No prototype: on a plain object `?__proto__=x` would hit the prototype setter and vanish
  // instead of being rejected as an unknown parameter.
  const query = Object.create(null) as Record<string, string>;
  const params = new URL(request.url).searchParams;
  for (const [key, value] of params) {
    if (Object.hasOwn(query, key)) {
      throw new ApiError('invalid_request', 'Invalid query parameters.', {
        issues: [{ path: `query.${key.slice(0, 40)}`, message: 'must appear at most once' }],
      });
    }
    query[key] = value;
  }
  return query;
}

function isJsonContentType(value: string | null): boolean {
  if (!value) return false;
  const [type, ...parameters] = value.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return parameters.every((p) => !p.startsWith('charset=') || p === 'charset=utf-8' || p === 'charset="utf-8"');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('invalid_request', 'The request body is not valid JSON.', {
      issues: [{ path: 'body', message: 'must be a JSON document' }],
    });
  }
}

/** Read, parse and validate the body per the route's declaration. */
async function readBody(route: AnyRoute, request: Request, limit: number): Promise<{ body: unknown; text: string }> {
  if (route.method === 'GET') return { body: undefined, text: '' };
  const text = await readBodyText(request, limit);
  if (route.rawBody) return { body: undefined, text };
  const empty = text.trim() === '';
  if (empty) {
    if (route.body && route.bodyRequired !== false) {
      throw new ApiError('invalid_request', 'A JSON request body is required.', {
        issues: [{ path: 'body', message: 'is required' }],
      });
    }
    return { body: route.body ? undefined : {}, text };
  }
  if (!isJsonContentType(request.headers.get('content-type'))) {
    throw new ApiError('unsupported_media_type', 'Send the request body as JSON (Content-Type: application/json).');
  }
  const json = parseJson(text);
  assertSafeJson(json);
  if (!route.body) {
    // Routes without a body accept `{}` (some clients always send one) and nothing else.
    if (json === null || typeof json !== 'object' || Array.isArray(json) || Object.keys(json).length > 0) {
      throw new ApiError('invalid_request', 'This endpoint takes no request body.', {
        issues: [{ path: 'body', message: 'must be empty or {}' }],
      });
    }
    return { body: {}, text };
  }
  const parsed = route.body.safeParse(json);
  if (!parsed.success) throw invalid('body', parsed.error, 'request body');
  return { body: parsed.data, text };
}

function wildcardOf(route: AnyRoute, pathname: string): string {
  if (!route.path.endsWith('/*')) return '';
  // Match the fixed part of the route (with params) and take what follows.
  const prefix = route.path
    .slice(0, -2)
    .replace(/\{(\w+)\}/g, '[^/]+')
    .replace(/\//g, '\\/');
  const match = new RegExp(`${prefix}\\/(.*)$`).exec(pathname);
  return match ? match[1]! : '';
}

export interface MountOptions {
  services: Services;
  bodyLimitBytes: number;
  /** Browser API limiter, keyed by checkout session. */
  clientLimiter: FixedWindowLimiter;
  /**
   * Per client address: every browser API request, and every failed merchant authentication,
   * counts (so guessing tokens or keys is slowed down too). No limit when the address is unknown.
   */
  addressLimiter: FixedWindowLimiter;
  clientAddress: ClientAddressOptions;
}

function rateLimited(message: string, retryAfterSeconds: number): ApiError {
  return new ApiError('rate_limited', message, undefined, { 'Retry-After': String(retryAfterSeconds) });
}

async function handle(route: AnyRoute, c: Context, options: MountOptions): Promise<Response> {
  const { services, bodyLimitBytes } = options;
  const request = c.req.raw;

  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > bodyLimitBytes) {
    throw new ApiError('payload_too_large', `The request body must be at most ${bodyLimitBytes} bytes.`);
  }

  const address = clientAddress(request, c.env, options.clientAddress);
  const takeAddress = () => (address ? options.addressLimiter.take(address, services.now().getTime()) : null);
  if (route.auth === 'client') {
    // Before authentication: unknown tokens count as much as valid ones.
    const decision = takeAddress();
    if (decision && !decision.allowed) {
      throw rateLimited('Too many requests from this address; try again shortly.', decision.retryAfterSeconds);
    }
  }

  let auth: AuthContext;
  try {
    auth = await authenticate(route, request, services);
  } catch (error) {
    // Merchant traffic is server-to-server and may be heavy: only its failures count per address.
    if (route.auth === 'merchant' && error instanceof ApiError && error.code === 'unauthorized') {
      const decision = takeAddress();
      if (decision && !decision.allowed) {
        throw rateLimited(
          'Too many failed authentications from this address; try again shortly.',
          decision.retryAfterSeconds,
        );
      }
    }
    throw error;
  }
  if (auth.kind === 'client') {
    const decision = options.clientLimiter.take(auth.session.id, services.now().getTime());
    if (!decision.allowed) {
      throw rateLimited('Too many requests for this checkout; try again shortly.', decision.retryAfterSeconds);
    }
  }

  let params: unknown = {};
  if (route.params) {
    const parsed = route.params.safeParse(c.req.param());
    if (!parsed.success) throw invalid('params', parsed.error, 'path parameters');
    params = parsed.data;
  }

  let query: unknown = parseQuery(request);
  if (route.query) {
    const parsed = route.query.safeParse(query);
    if (!parsed.success) throw invalid('query', parsed.error, 'query parameters');
    query = parsed.data;
  }

  let headers: unknown = {};
  if (route.headers) {
    const shape = (route.headers as unknown as { shape?: Record<string, unknown> }).shape ?? {};
    const declaredHeaders: Record<string, string> = {};
    for (const name of Object.keys(shape)) {
      const value = request.headers.get(name);
      if (value !== null) declaredHeaders[name] = value;
    }
    const parsed = route.headers.safeParse(declaredHeaders);
    if (!parsed.success) throw invalid('headers', parsed.error, 'request headers');
    headers = parsed.data;
  }

  const { body, text } = await readBody(route, request, bodyLimitBytes);
  // Callbacks get the exact bytes back as a Request (adapters verify signatures over them).
  const handlerRequest = route.rawBody
    ? new Request(request.url, { method: request.method, headers: request.headers, body: text })
    : request;

  const result = await route.handler({
    params,
    query,
    headers,
    body,
    auth,
    services,
    request: handlerRequest,
    fingerprint: `${route.method} ${new URL(request.url).pathname} ${sha256Hex(JSON.stringify(body ?? null))}`,
    wildcard: wildcardOf(route, new URL(request.url).pathname),
  });
  return c.json(result.body as object, (result.status ?? route.response.status) as 200, result.headers);
}

export function mountRoutes(app: Hono, routes: readonly AnyRoute[], options: MountOptions): void {
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of routes) {
    const honoPath = toHonoPath(route.path);
    app.on(route.method, honoPath, (c) => handle(route, c, options));
    const methods = methodsByPath.get(honoPath) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD');
    methodsByPath.set(honoPath, methods);
  }
  // Known path, other method: 405 with Allow (registered after the routes, so they win).
  for (const [honoPath, methods] of methodsByPath) {
    app.all(honoPath, (c) => {
      const allow = [...methods].join(', ');
      throw new ApiError('method_not_allowed', `${c.req.method} is not allowed here; use ${allow}.`, undefined, {
        Allow: allow,
      });
    });
  }
}
