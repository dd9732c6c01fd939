/**
 * The shape of one API route. Every route lives in one table (src/http/routes.ts); the router
 * (validation, auth, errors) and the OpenAPI document are both generated from that table, so the
 * served API and its documentation cannot drift apart.
 */
import type { ErrorCode } from '@pay-with-bank/protocol';
import type { z } from 'zod';
import type { Services } from '../core/services.js';
import type { SessionRecord } from '../store/store.js';

/** Who may call a route: nobody in particular, the merchant's backend, the shopper's browser, or a provider. */
export type AuthKind = 'none' | 'merchant' | 'client' | 'provider';

export type AuthContext =
  | { kind: 'none' }
  /** `apiKey`: the merchant key that authenticated the request (in memory only, never logged or stored). */
  | { kind: 'merchant'; apiKey: string }
  | { kind: 'client'; session: SessionRecord; clientToken: string };

export interface HandlerContext<P, Q, H, B> {
  params: P;
  query: Q;
  headers: H;
  body: B;
  auth: AuthContext;
  services: Services;
  request: Request;
  /** Method + path + body digest: what an idempotency key is bound to. */
  fingerprint: string;
  /** The `*` part of a wildcard path (provider callbacks). */
  wildcard: string;
}

export interface HandlerResult {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ResponseDef {
  status: number;
  description: string;
  schema: z.ZodType;
}

export interface RouteDef<P = unknown, Q = unknown, H = unknown, B = unknown> {
  operationId: string;
  method: 'GET' | 'POST';
  /** Path in protocol form (`/v1/payments/{paymentId}`); a trailing `/*` is a wildcard. */
  path: string;
  auth: AuthKind;
  tags: string[];
  summary: string;
  description?: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  /** Declared request headers, lower-case names. */
  headers?: z.ZodType<H>;
  /** JSON body schema. Absent: the route takes no body (an empty body or `{}` is accepted). */
  body?: z.ZodType<B>;
  /** Whether a body must be sent (default true when `body` is set). */
  bodyRequired?: boolean;
  /** Pass the raw body through unparsed (provider callbacks authenticate the exact bytes). */
  rawBody?: boolean;
  response: ResponseDef;
  /** Other documented success-or-status responses (e.g. 503 of /healthz). */
  otherResponses?: ResponseDef[];
  /** Route-specific error codes (the common ones are added automatically). */
  errors: ErrorCode[];
  handler: (ctx: HandlerContext<P, Q, H, B>) => Promise<HandlerResult>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDef<any, any, any, any>;

export function defineRoute<P, Q, H, B>(route: RouteDef<P, Q, H, B>): AnyRoute {
  return route as AnyRoute;
}

/** `/v1/payments/{paymentId}` → `/v1/payments/:paymentId` (Hono syntax). */
export function toHonoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}
