/**
 * Access token API (`POST /accesstoken/get`, access-token.openapi.yaml) and the checks every other
 * API call goes through: subscription key, bearer token (valid, unexpired, minted for that key),
 * Merchant-Serial-Number and the Vipps-System-* headers (≤ 30 characters each).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { VippsContext, VippsEnv } from './context.js';
import {
  apimErrorResponse,
  azureErrorResponse,
  ecomError,
  ecomErrorResponse,
  instancePath,
  jsonResponse,
  problemResponse,
} from './errors.js';
import { newAccessToken, newUuid } from './ids.js';

interface IssuedToken {
  msn: string;
  subscriptionKey: string;
  expiresAt: number;
}

/** Tokens the sandbox has handed out. Not cleared by reset(). */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();

  issue(token: string, entry: IssuedToken, now: number): void {
    for (const [key, value] of this.tokens) if (value.expiresAt <= now) this.tokens.delete(key);
    this.tokens.set(token, entry);
  }

  find(token: string): IssuedToken | undefined {
    return this.tokens.get(token);
  }

  /** Invalidates every token (for tests of a client's 401 handling). */
  revokeAll(): void {
    this.tokens.clear();
  }
}

/** Compares secrets without leaking their length or content through timing. */
export function secretEquals(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

const SYSTEM_HEADERS = [
  'Vipps-System-Name',
  'Vipps-System-Version',
  'Vipps-System-Plugin-Name',
  'Vipps-System-Plugin-Version',
];

function tooLongSystemHeader(c: Context): string | undefined {
  return SYSTEM_HEADERS.find((name) => (c.req.header(name)?.length ?? 0) > 30);
}

const MISSING_KEY =
  'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
const INVALID_KEY =
  'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.';

function azureAdError(ctx: VippsContext, status: number, error: string, code: number, description: string): Response {
  const timestamp = new Date(ctx.clock.now())
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return jsonResponse(
    status,
    {
      error,
      error_description: `AADSTS${code}: ${description}`,
      error_codes: [code],
      timestamp,
      trace_id: newUuid(),
      correlation_id: newUuid(),
    },
    'application/json',
  );
}

export function registerAccessTokenRoute(app: Hono<VippsEnv>, ctx: VippsContext): void {
  app.post('/accesstoken/get', (c) => {
    const now = ctx.clock.now();
    ctx.stats.record('POST /accesstoken/get', undefined, now);
    const { credentials } = ctx.config;

    const subscriptionKey = c.req.header('Ocp-Apim-Subscription-Key');
    if (!subscriptionKey) return apimErrorResponse(401, MISSING_KEY);
    if (!secretEquals(subscriptionKey, credentials.subscriptionKey)) return apimErrorResponse(401, INVALID_KEY);

    const tooLong = tooLongSystemHeader(c);
    if (tooLong) {
      return jsonResponse(400, {
        error: 'invalid_request',
        error_description: `${tooLong} must be at most 30 characters.`,
      });
    }
    const clientId = c.req.header('client_id');
    const clientSecret = c.req.header('client_secret');
    if (!clientId || !clientSecret) {
      const missing = !clientId ? 'client_id' : 'client_secret';
      return azureAdError(ctx, 400, 'invalid_request', 900144, `The request must contain the '${missing}' header.`);
    }
    if (!secretEquals(clientId, credentials.clientId)) {
      return azureAdError(
        ctx,
        401,
        'unauthorized_client',
        700016,
        'Application with the given client_id was not found in the directory.',
      );
    }
    if (!secretEquals(clientSecret, credentials.clientSecret)) {
      return azureAdError(ctx, 401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    }
    const msn = c.req.header('Merchant-Serial-Number');
    if (msn !== undefined && msn !== credentials.merchantSerialNumber) {
      return azureAdError(
        ctx,
        401,
        'unauthorized_client',
        700016,
        'The Merchant-Serial-Number is not valid for these API keys.',
      );
    }

    const lifetime = ctx.config.timing.tokenLifetimeSeconds;
    const issuedAt = Math.floor(now / 1000);
    const accessToken = newAccessToken();
    ctx.tokens.issue(
      accessToken,
      { msn: credentials.merchantSerialNumber, subscriptionKey, expiresAt: now + lifetime * 1000 },
      now,
    );
    // Every value is a string, exactly as the spec (and the real service) has them.
    return jsonResponse(200, {
      token_type: 'Bearer',
      expires_in: String(lifetime),
      ext_expires_in: String(lifetime),
      expires_on: String(issuedAt + lifetime),
      not_before: String(issuedAt),
      resource: '00000002-0000-0000-c000-000000000000',
      access_token: accessToken,
    });
  });
}

/** Which API's error format a failed check answers in. */
export type AuthFlavor = 'ecom' | 'epayment' | 'webhooks';

type Failure = { status: 400 | 401 | 403; reason: string; field?: string };

function authFailure(ctx: VippsContext, c: Context, flavor: AuthFlavor, failure: Failure): Response {
  if (flavor === 'ecom') {
    if (failure.status === 401) return azureErrorResponse(401, 'Unauthorized', failure.reason);
    if (failure.status === 403) {
      return ecomErrorResponse(403, [ecomError('Authentication', 'Merchant-Serial-Number', failure.reason)]);
    }
    return ecomErrorResponse(400, [ecomError('InvalidRequest', failure.field ?? 'headers', failure.reason)]);
  }
  return problemResponse({
    status: failure.status,
    detail: failure.reason,
    instance: instancePath(c, ctx.config.basePath),
    extraDetails: failure.field ? [{ name: failure.field, reason: failure.reason }] : [],
  });
}

/** Checks key, token and MSN of an API call and puts the caller's MSN in `c.var.msn`. */
export function requireApiAuth(ctx: VippsContext, flavor: AuthFlavor): MiddlewareHandler<VippsEnv> {
  return async (c, next) => {
    const failure = checkApiAuth(ctx, c, flavor);
    if ('status' in failure) return authFailure(ctx, c, flavor, failure);
    c.set('msn', failure.msn);
    await next();
  };
}

function checkApiAuth(ctx: VippsContext, c: Context, flavor: AuthFlavor): Failure | { msn: string } {
  const subscriptionKey = c.req.header('Ocp-Apim-Subscription-Key');
  if (!subscriptionKey) return { status: 401, reason: MISSING_KEY };
  if (!secretEquals(subscriptionKey, ctx.config.credentials.subscriptionKey))
    return { status: 401, reason: INVALID_KEY };

  const authorization = c.req.header('Authorization');
  // Case-sensitive "Bearer", as Vipps' FAQ warns.
  const match = authorization ? /^Bearer (\S+)$/.exec(authorization) : null;
  if (!match?.[1]) {
    return {
      status: 401,
      reason: 'Missing or malformed Authorization header. Use "Authorization: Bearer <access token>".',
    };
  }
  const token = ctx.tokens.find(match[1]);
  if (!token || !secretEquals(token.subscriptionKey, subscriptionKey)) {
    return { status: 401, reason: 'The access token is invalid. Get a new one from POST /accesstoken/get.' };
  }
  if (token.expiresAt <= ctx.clock.now()) {
    return { status: 401, reason: 'The access token has expired. Get a new one from POST /accesstoken/get.' };
  }

  const tooLong = tooLongSystemHeader(c);
  if (tooLong) return { status: 400, reason: `${tooLong} must be at most 30 characters.`, field: tooLong };

  const msn = c.req.header('Merchant-Serial-Number');
  // Required by the ePayment spec; optional for eCom and Webhooks (their specs say so).
  if (msn === undefined && flavor === 'epayment') {
    return { status: 400, reason: 'The Merchant-Serial-Number header is required.', field: 'Merchant-Serial-Number' };
  }
  if (msn !== undefined && msn !== token.msn) {
    return {
      status: 403,
      reason: 'Invalid MSN. Check your API keys on portal.vipps.no: this MSN is not valid for the access token.',
      field: 'Merchant-Serial-Number',
    };
  }
  return { msn: token.msn };
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Counts the call before any check, so rejected calls count too. The payment is named by a path
 * parameter, or for creating calls by a field of the JSON body (Hono caches the body for the handler).
 */
export function countCall(
  ctx: VippsContext,
  route: string,
  paymentId?: { param: string } | { bodyField: (body: unknown) => unknown },
): MiddlewareHandler<VippsEnv> {
  return async (c, next) => {
    let id: unknown;
    if (paymentId && 'param' in paymentId) id = c.req.param(paymentId.param);
    else if (paymentId) id = paymentId.bodyField(parseOrUndefined(await c.req.text().catch(() => '')));
    ctx.stats.record(route, typeof id === 'string' ? id : undefined, ctx.clock.now());
    await next();
  };
}
