/**
 * Checkout sessions: created by the merchant's backend (amount, currency, reference, return URL
 * all fixed here, server-side), read by the browser through its opaque client token.
 */
import {
  MAX_AMOUNT_MINOR,
  type Country,
  type CreateSessionRequest,
  type Currency,
  type PaymentMethod,
} from '@pay-with-bank/protocol';
import { ApiError } from '../errors.js';
import { expressSupport } from '../providers/adapter.js';
import { crashPoint } from '../crash-points.js'; // test hook (test/crash): no-op unless PWB_CRASH_AT is set
import { apiKeyId, seal, unseal } from '../security/sealed.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { CLIENT_TOKEN_PATTERN, newClientToken, newSessionId, sha256Hex } from '../security/crypto.js';
import { admitReturnUrl, type ReturnUrlRule } from '../security/return-url.js';
import type { IdempotencyRecord, SessionExpress, SessionRecord, Store } from '../store/store.js';

export const DEFAULT_SESSION_TTL_SECONDS = 3600;
/**
 * How long a session's client token keeps working after the session expired (reads and refreshes:
 * a reload of the return page, a bank that settles later), so a token that leaked from a URL or a
 * log stops working for good; then it is `session_expired`.
 */
export const CLIENT_TOKEN_GRACE_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_LOCALE = 'en';

/** Bank countries offered by default: those whose own currency is the session's. */
const COUNTRIES_BY_CURRENCY: Record<Currency, Country[]> = {
  DKK: ['DK'],
  SEK: ['SE'],
  NOK: ['NO'],
  EUR: ['FI', 'DE'],
};

/** What makes a session creation idempotent: the merchant's Idempotency-Key, bound to its request. */
export interface SessionIdempotency {
  key: string;
  /** Method, path and body digest of the request. */
  fingerprint: string;
  /** The merchant API key that authenticated it: the client token is sealed under it. */
  apiKey: string;
}

export interface CreatedSession {
  session: SessionRecord;
  clientToken: string;
  /** True when this answers a retry: the session was created by an earlier request with the key. */
  replayed: boolean;
}

/** Session keys live apart from capture/cancel/refund keys: an order id may be used for both. */
const idempotencyRecordKey = (key: string) => `session:${key}`;

export interface SessionServiceOptions {
  store: Store;
  providers: ProviderRegistry;
  returnUrlAllowlist: readonly ReturnUrlRule[];
  /** Whether the server can sign requests to a merchant's shipping URL (the webhook secret is configured). */
  canSignShippingRequests?: boolean;
  now: () => Date;
}

export class SessionService {
  constructor(private readonly options: SessionServiceOptions) {}

  /**
   * Create a checkout session. With an Idempotency-Key the key is stored with the session in one
   * transaction: the same key and request give the same session and token again (also after a
   * crash between the commit and the answer), the same key with another request is refused.
   */
  async create(input: CreateSessionRequest, idempotency?: SessionIdempotency): Promise<CreatedSession> {
    if (idempotency) {
      const existing = await this.options.store.getIdempotency(idempotencyRecordKey(idempotency.key));
      if (existing) return this.replay(existing, idempotency);
    }
    const { store, providers, returnUrlAllowlist, now } = this.options;
    // Stored as it will be used: the serialised URL the shopper is sent back to, not the raw input.
    const returnUrl = admitReturnUrl(input.returnUrl, returnUrlAllowlist);
    if (returnUrl === null) {
      throw new ApiError('return_url_not_allowed', 'returnUrl is not on the server’s return URL allow-list.', {
        issues: [
          { path: 'returnUrl', message: 'must match an entry of PWB_RETURN_URL_ALLOWLIST (origin and path prefix)' },
        ],
      });
    }
    const available = providers.methodsFor(input.amount.currency);
    let methods: PaymentMethod[] = input.methods ? available.filter((m) => input.methods!.includes(m)) : available;
    if (methods.length === 0) {
      throw new ApiError(
        'method_not_available',
        `No configured payment method can take ${input.amount.currency}${input.methods ? ` with methods ${input.methods.join(', ')}` : ''}.`,
      );
    }
    let express: SessionExpress | null = null;
    if (input.express) ({ express, methods } = this.expressSettings(input, methods));

    const created = now();
    const clientToken = newClientToken();
    const session: SessionRecord = {
      id: newSessionId(),
      clientTokenHash: sha256Hex(clientToken),
      amount: input.amount.value,
      currency: input.amount.currency,
      reference: input.reference,
      description: input.description,
      returnUrl,
      methods,
      countries: input.countries ? [...new Set(input.countries)] : COUNTRIES_BY_CURRENCY[input.amount.currency],
      locale: input.locale ?? DEFAULT_LOCALE,
      metadata: input.metadata ?? {},
      express,
      state: 'open',
      createdAt: created.toISOString(),
      updatedAt: created.toISOString(),
      expiresAt: new Date(
        created.getTime() + (input.expiresInSeconds ?? DEFAULT_SESSION_TTL_SECONDS) * 1000,
      ).toISOString(),
    };
    if (!idempotency) {
      await store.insertSession(session);
      return { session, clientToken, replayed: false };
    }
    const recordKey = idempotencyRecordKey(idempotency.key);
    const taken = await store.insertSession(session, {
      key: recordKey,
      fingerprint: idempotency.fingerprint,
      statusCode: 201,
      responseBody: JSON.stringify({ sessionId: session.id }),
      createdAt: session.createdAt,
      owner: apiKeyId(idempotency.apiKey),
      sealed: seal(clientToken, idempotency.apiKey, recordKey),
    });
    // A concurrent request with the same key won: answer with its session (ours was not inserted).
    if (taken) return this.replay(taken, idempotency);
    crashPoint('create-session:after-commit'); // test hook: see crash-points.ts
    return { session, clientToken, replayed: false };
  }

  /**
   * An express session offers only the methods whose provider has express checkout (none:
   * express_not_supported, with each provider's reason); its shipping URL is held to the return URL
   * allow-list, and needs the webhook secret to sign what the server sends it.
   */
  private expressSettings(
    input: CreateSessionRequest,
    methods: readonly PaymentMethod[],
  ): { express: SessionExpress; methods: PaymentMethod[] } {
    const { providers, returnUrlAllowlist, canSignShippingRequests = false } = this.options;
    const spec = input.express!;
    const currency = input.amount.currency;
    const refusals: { method: PaymentMethod; reason: string }[] = [];
    const expressMethods = methods.filter((method) => {
      const adapter = providers.forMethod(method, currency);
      const support = adapter ? expressSupport(adapter) : { supported: false as const, reason: 'not configured' };
      if (!support.supported) refusals.push({ method, reason: support.reason });
      return support.supported;
    });
    if (expressMethods.length === 0) {
      throw new ApiError(
        'express_not_supported',
        `No payment method of this checkout offers express checkout in ${currency}: ${refusals
          .map((r) => `${r.method}: ${r.reason}`)
          .join('; ')}.`,
        { methods: refusals },
      );
    }
    const confirmAddress = spec.confirmAddress ?? true;
    if ('options' in spec.shipping) {
      const tooDear = spec.shipping.options.findIndex((o) => input.amount.value + o.amount > MAX_AMOUNT_MINOR);
      if (tooDear >= 0) {
        throw new ApiError(
          'invalid_request',
          'The amount with this shipping option is larger than the largest accepted.',
          {
            issues: [
              {
                path: `express.shipping.options.${tooDear}.amount`,
                message: `amount + shipping must be at most ${MAX_AMOUNT_MINOR}`,
              },
            ],
          },
        );
      }
      return {
        express: { shipping: 'static', options: spec.shipping.options, url: null, confirmAddress },
        methods: expressMethods,
      };
    }
    if (!canSignShippingRequests) {
      throw new ApiError(
        'express_not_supported',
        'A shipping URL needs the webhook secret to sign the server’s requests to it: configure PWB_WEBHOOK_URL and PWB_WEBHOOK_SECRET, or give the shipping options in the session.',
      );
    }
    const url = admitReturnUrl(spec.shipping.url, returnUrlAllowlist);
    if (url === null) {
      throw new ApiError('return_url_not_allowed', 'The shipping URL is not on the server’s return URL allow-list.', {
        issues: [
          {
            path: 'express.shipping.url',
            message: 'must match an entry of PWB_RETURN_URL_ALLOWLIST (origin and path prefix)',
          },
        ],
      });
    }
    return { express: { shipping: 'dynamic', options: null, url, confirmAddress }, methods: expressMethods };
  }

  private async replay(record: IdempotencyRecord, idempotency: SessionIdempotency): Promise<CreatedSession> {
    if (record.fingerprint !== idempotency.fingerprint) {
      throw new ApiError(
        'idempotency_key_reused',
        'This Idempotency-Key was used to create a session with a different request; use a new key.',
      );
    }
    const { sessionId } = JSON.parse(record.responseBody) as { sessionId: string };
    const clientToken =
      record.owner === apiKeyId(idempotency.apiKey) && record.sealed
        ? unseal(record.sealed, idempotency.apiKey, record.key)
        : null;
    if (clientToken === null) {
      // The token is only ever given to the API key that created the session.
      throw new ApiError(
        'idempotency_key_reused',
        'This Idempotency-Key created a session with another API key; only that key gets its client token back.',
        { sessionId },
      );
    }
    const session = await this.options.store.getSession(sessionId);
    if (!session) throw new ApiError('internal_error', 'An unexpected error occurred.');
    return { session, clientToken, replayed: true };
  }

  /**
   * The session a client token belongs to, or null (malformed and unknown tokens alike);
   * `session_expired` once {@link CLIENT_TOKEN_GRACE_MS} has passed since the session expired.
   */
  async authenticate(clientToken: string): Promise<SessionRecord | null> {
    if (!CLIENT_TOKEN_PATTERN.test(clientToken)) return null;
    const session = await this.options.store.findSessionByTokenHash(sha256Hex(clientToken));
    if (session && this.options.now().getTime() > Date.parse(session.expiresAt) + CLIENT_TOKEN_GRACE_MS) {
      throw new ApiError('session_expired', 'This checkout has expired, and its session token no longer works.');
    }
    return session;
  }

  get(id: string): Promise<SessionRecord | null> {
    return this.options.store.getSession(id);
  }
}
