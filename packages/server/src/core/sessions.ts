/**
 * Checkout sessions: created by the merchant's backend (amount, currency, reference, return URL
 * all fixed here, server-side), read by the browser through its opaque client token.
 */
import type { Country, CreateSessionRequest, Currency, PaymentMethod } from '@pay-with-bank/protocol';
import { ApiError } from '../errors.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { CLIENT_TOKEN_PATTERN, newClientToken, newSessionId, sha256Hex } from '../security/crypto.js';
import { admitReturnUrl, type ReturnUrlRule } from '../security/return-url.js';
import type { SessionRecord, Store } from '../store/store.js';

export const DEFAULT_SESSION_TTL_SECONDS = 3600;
export const DEFAULT_LOCALE = 'en';

/** Bank countries offered by default: those whose own currency is the session's. */
const COUNTRIES_BY_CURRENCY: Record<Currency, Country[]> = {
  DKK: ['DK'],
  SEK: ['SE'],
  NOK: ['NO'],
  EUR: ['FI', 'DE'],
};

export interface SessionServiceOptions {
  store: Store;
  providers: ProviderRegistry;
  returnUrlAllowlist: readonly ReturnUrlRule[];
  now: () => Date;
}

export class SessionService {
  constructor(private readonly options: SessionServiceOptions) {}

  async create(input: CreateSessionRequest): Promise<{ session: SessionRecord; clientToken: string }> {
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
    const methods: PaymentMethod[] = input.methods ? available.filter((m) => input.methods!.includes(m)) : available;
    if (methods.length === 0) {
      throw new ApiError(
        'method_not_available',
        `No configured payment method can take ${input.amount.currency}${input.methods ? ` with methods ${input.methods.join(', ')}` : ''}.`,
      );
    }

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
      state: 'open',
      createdAt: created.toISOString(),
      updatedAt: created.toISOString(),
      expiresAt: new Date(
        created.getTime() + (input.expiresInSeconds ?? DEFAULT_SESSION_TTL_SECONDS) * 1000,
      ).toISOString(),
    };
    await store.insertSession(session);
    return { session, clientToken };
  }

  /** The session a client token belongs to, or null (malformed and unknown tokens alike). */
  async authenticate(clientToken: string): Promise<SessionRecord | null> {
    if (!CLIENT_TOKEN_PATTERN.test(clientToken)) return null;
    return this.options.store.findSessionByTokenHash(sha256Hex(clientToken));
  }

  get(id: string): Promise<SessionRecord | null> {
    return this.options.store.getSession(id);
  }
}
