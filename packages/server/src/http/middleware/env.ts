/**
 * What the middlewares of a route hand on to the next ones (Hono context variables): `auth` is set
 * by the auth middleware, `input` by the validate middleware; the router's last step passes both to
 * the route's handler.
 */
import type { AuthContext } from '../route.js';

/** A request as its route declared it, validated. */
export interface RequestInput {
  params: unknown;
  query: unknown;
  /** The declared headers only (lower-case names). */
  headers: Readonly<Record<string, unknown>>;
  body: unknown;
  /** The request for the handler; for `rawBody` routes one that carries the exact bytes received. */
  request: Request;
  /** Method + path + body digest: what an idempotency key is bound to. */
  fingerprint: string;
  /** The `*` part of a wildcard path (provider callbacks). */
  wildcard: string;
}

export interface HttpEnv {
  Variables: { auth: AuthContext; input: RequestInput };
}
