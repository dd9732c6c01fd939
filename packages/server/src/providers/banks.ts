/**
 * The bank list for the widget: fetched from the bank adapter, cached (~5 min) per adapter with one
 * in-flight fetch at a time, served stale if the provider fails, and filtered per session to banks
 * that can pay in the session's currency in the session's countries.
 */
import type { Bank, Country, Currency } from '@pay-with-bank/protocol';
import type { Logger } from '../log.js';
import type { ProviderAdapter, ProviderBank } from './adapter.js';
import { toApiError } from '../errors.js';

interface CacheEntry {
  banks: ProviderBank[];
  fetchedAt: number;
}

export class BankDirectory {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<ProviderBank[]>>();

  constructor(
    private readonly now: () => Date,
    private readonly logger: Logger,
    private readonly ttlMs = 5 * 60_000,
  ) {}

  async all(adapter: ProviderAdapter): Promise<ProviderBank[]> {
    if (!adapter.listBanks) return [];
    const cached = this.cache.get(adapter.id);
    if (cached && this.now().getTime() - cached.fetchedAt < this.ttlMs) return cached.banks;
    const running = this.inflight.get(adapter.id);
    if (running) return running;
    const listBanks = adapter.listBanks.bind(adapter);
    const fetching = (async () => {
      try {
        const banks = await listBanks();
        this.cache.set(adapter.id, { banks, fetchedAt: this.now().getTime() });
        return banks;
      } catch (error) {
        if (cached) {
          this.logger.warn('bank list refresh failed; serving the cached list', { adapter: adapter.id, error });
          return cached.banks;
        }
        // Typed (provider_unavailable, provider_timeout…), never an internal_error.
        throw toApiError(error);
      } finally {
        this.inflight.delete(adapter.id);
      }
    })();
    this.inflight.set(adapter.id, fetching);
    return fetching;
  }

  /** Banks usable for a session: currency supported, country among the session's (and the filter's). */
  async forSession(
    adapter: ProviderAdapter,
    currency: Currency,
    countries: readonly Country[],
    countryFilter?: Country,
  ): Promise<Bank[]> {
    const banks = await this.all(adapter);
    return banks
      .filter(
        (b) =>
          b.currencies.includes(currency) &&
          (countries as readonly string[]).includes(b.country) &&
          (countryFilter === undefined || b.country === countryFilter),
      )
      .map(({ currencies: _currencies, ...bank }) => bank);
  }
}
