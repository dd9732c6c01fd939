/**
 * auth: who is calling, from `Authorization: Bearer …`, as the route's `auth` flag asks:
 *  - `merchant`: one of the configured merchant API keys (compared in constant time); the context
 *    carries the key (`apiKey`), in memory only, so the session's client token can be sealed under it;
 *  - `client`: a checkout session's client token (looked up by its hash) → its session;
 *  - `none` and `provider`: nothing here (provider adapters authenticate their callbacks themselves).
 * A refused credential is `unauthorized` (401, `WWW-Authenticate: Bearer`).
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { SessionService } from '../../../sessions/service.js';
import { ApiError } from '../../../errors.js';
import { matchesAnySecret } from '../../../security/crypto.js';
import type { AuthContext, AuthKind } from '../../route.js';
import type { HttpEnv } from '../env.js';

/** What authenticating needs from the services. */
export interface AuthDeps {
  merchantApiKeys: readonly string[];
  sessions: Pick<SessionService, 'authenticate'>;
}

export interface AuthOptions {
  /** Runs before a refused credential is answered, and may answer otherwise by throwing (the failed-auth rate limit). */
  onRefused?: (c: Context<HttpEnv>) => void | Promise<void>;
}

/** The bearer token, or null when the header is absent, oversized or of another scheme. */
export function bearerToken(header: string | undefined): string | null {
  if (!header || header.length > 512) return null;
  const match = /^Bearer\s+([\x21-\x7e]+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/** The caller, or null when the route needs a credential and this one is not it. */
async function identify(kind: AuthKind, token: string | null, deps: AuthDeps): Promise<AuthContext | null> {
  if (kind === 'none' || kind === 'provider') return { kind: 'none' };
  if (!token) return null;
  if (kind === 'merchant')
    return matchesAnySecret(token, deps.merchantApiKeys) ? { kind: 'merchant', apiKey: token } : null;
  const session = await deps.sessions.authenticate(token);
  return session ? { kind: 'client', session, clientToken: token } : null;
}

const REFUSED = {
  merchant: 'A valid merchant API key is required (Authorization: Bearer <key>).',
  client: 'A valid session token is required (Authorization: Bearer <token>).',
};

export function auth(kind: AuthKind, deps: AuthDeps, options: AuthOptions = {}): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const caller = await identify(kind, bearerToken(c.req.header('authorization')), deps);
    if (!caller) {
      await options.onRefused?.(c);
      const message = kind === 'merchant' ? REFUSED.merchant : REFUSED.client;
      throw new ApiError('unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer' });
    }
    c.set('auth', caller);
    await next();
  };
}
