/**
 * The shape of one API route. Every route lives in one table (src/http/routes/index.ts); the router
 * (src/http/router.ts: the middlewares a route's flags choose, then its handler) and the OpenAPI
 * document (src/http/openapi.ts) are both built from that table, so the served API and its
 * documentation cannot drift apart.
 *
 * `defineRoute` infers the types of params, query, headers, body and response from the route's zod
 * schemas, and the caller's identity from `auth`, so a handler reads `ctx.headers['idempotency-key']`
 * or `ctx.auth.session` with no cast.
 */
import type { ErrorCode } from '@pay-with-bank/protocol';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import type { Services } from '../services.js';
import type { SessionRecord } from '../store/store.js';

/** Who may call a route: nobody in particular, the merchant's backend, the shopper's browser, or a provider. */
export type AuthKind = 'none' | 'merchant' | 'client' | 'provider';

export interface NoAuth {
  kind: 'none';
}
export interface MerchantAuth {
  kind: 'merchant';
  /** The merchant key that authenticated the request (in memory only, never logged or stored). */
  apiKey: string;
}
export interface ClientAuth {
  kind: 'client';
  session: SessionRecord;
  clientToken: string;
}
export type AuthContext = NoAuth | MerchantAuth | ClientAuth;

/** What the auth middleware gives a route of each kind (providers authenticate in their adapter). */
export type AuthOf<A extends AuthKind> = A extends 'merchant' ? MerchantAuth : A extends 'client' ? ClientAuth : NoAuth;

/**
 * Request budgets a route spends (src/http/middleware/rate-limit): `checkout` counts every request
 * per client address before authentication and per checkout session after it; `failed-auth` counts
 * per client address only the requests whose credential is refused.
 */
export type RateLimitOf<A extends AuthKind> = A extends 'client'
  ? 'checkout'
  : A extends 'merchant'
    ? 'failed-auth'
    : never;

export interface HandlerContext<A extends AuthKind, P, Q, H, B> {
  params: P;
  query: Q;
  headers: H;
  body: B;
  auth: AuthOf<A>;
  services: Services;
  /** The request; for `rawBody` routes one that carries the exact bytes received. */
  request: Request;
  /** Method + path + body digest: what an idempotency key is bound to. */
  fingerprint: string;
  /** The `*` part of a wildcard path (provider callbacks). */
  wildcard: string;
  /** The caller's address key (src/security/client-address.ts), null when it cannot be known. */
  clientAddress: string | null;
}

export interface JsonResult<R = unknown> {
  status?: ContentfulStatusCode;
  body: R;
  headers?: Record<string, string>;
}

/** A response the handler built itself (an event stream), answered as it is. */
export interface RawResult {
  response: Response;
}

export type HandlerResult<R = unknown> = JsonResult<R> | RawResult;

export interface ResponseDef<R = unknown> {
  status: ContentfulStatusCode;
  description: string;
  /** The JSON body; for an event stream, the data of its main event. */
  schema: z.ZodType<R>;
  /**
   * Server-sent events (`text/event-stream`) instead of a JSON body: the data schema of each event
   * name. The handler answers a RawResult.
   */
  events?: Record<string, z.ZodType>;
}

/** Headers are declared as an object schema: its keys are the header names read from the request. */
export type HeadersSchema<H> = z.ZodType<H> & { shape: Record<string, unknown> };

/** `bodyRequired: false` makes the body optional: the handler may get `undefined`. */
type BodyOf<B, Required extends boolean> = Required extends false ? B | undefined : B;

export interface RouteDef<
  A extends AuthKind = AuthKind,
  P = unknown,
  Q = unknown,
  H = unknown,
  B = unknown,
  R = unknown,
  Required extends boolean = true,
> {
  operationId: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** Path in protocol form (`/v1/payments/{paymentId}`); a trailing `/*` is a wildcard. */
  path: string;
  auth: A;
  /** The rate limits this route counts against (none when absent). */
  rateLimit?: RateLimitOf<A>;
  /** Replay the first success of an Idempotency-Key, refuse the key for another request (middleware/idempotency). */
  idempotent?: boolean;
  tags: string[];
  summary: string;
  description?: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  /** Declared request headers: an object schema of lower-case names. */
  headers?: HeadersSchema<H>;
  /** JSON body schema. Absent: the route takes no body (an empty body or `{}` is accepted). */
  body?: z.ZodType<B>;
  /** Whether a body must be sent (default true when `body` is set). */
  bodyRequired?: Required;
  /** Pass the raw body through unparsed (provider callbacks authenticate the exact bytes). */
  rawBody?: boolean;
  response: ResponseDef<R>;
  /** Other documented success-or-status responses (e.g. 503 of /healthz). */
  otherResponses?: ResponseDef<R>[];
  /** Route-specific error codes (the common ones are added automatically). */
  errors: ErrorCode[];
  // Method syntax on purpose: a route of one auth kind is still an AnyRoute (the router mounts the
  // auth middleware that produces exactly the context this handler declares).
  handler(ctx: HandlerContext<A, P, Q, H, BodyOf<B, Required>>): Promise<HandlerResult<NoInfer<R>>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table holds routes of every type
export type AnyRoute = RouteDef<AuthKind, any, any, any, any, any, boolean>;

/**
 * Identity at run time; at compile time it infers the route's types from its schemas and flags.
 * (`const R`: literals a handler answers, such as `status: 'ok'`, are checked against the schema's.)
 */
export function defineRoute<A extends AuthKind, P, Q, H, B, const R, Required extends boolean = true>(
  route: RouteDef<A, P, Q, H, B, R, Required>,
): RouteDef<A, P, Q, H, B, R, Required> {
  return route;
}

/** Routes without query parameters still reject unknown ones (no silently ignored input). */
export const NoQuery = z.strictObject({});

/** `/v1/payments/{paymentId}` → `/v1/payments/:paymentId` (Hono syntax). */
export function toHonoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}
