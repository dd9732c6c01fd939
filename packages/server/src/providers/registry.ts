/**
 * Where configured provider plugins become adapters. The core only sees the ProviderRegistry
 * (lookup by adapter id, method and currency); src/providers/plugins.ts lists the providers.
 */
import type { Currency, PaymentMethod } from '@pay-with-bank/protocol';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { ProviderAdapter } from './adapter.js';

export interface AdapterDeps {
  /** fetch used for every provider call (injectable: tests route it to the in-process sandbox). */
  fetch: typeof fetch;
  logger: Logger;
  now?: () => Date;
}

/** The adapters of every configured provider plugin, in preference order. */
export function createProviderAdapters(config: Config, deps: AdapterDeps): ProviderAdapter[] {
  return config.providers.flatMap(({ plugin, config: providerConfig }) =>
    plugin.createAdapters(providerConfig, {
      fetch: deps.fetch,
      logger: deps.logger.child({ provider: plugin.name }),
      publicUrl: config.publicUrl,
      timeoutMs: config.providerTimeoutMs,
      payeeName: config.payeeName,
      ...(deps.now ? { now: deps.now } : {}),
    }),
  );
}

export class ProviderRegistry {
  private readonly byIdMap = new Map<string, ProviderAdapter>();

  constructor(readonly adapters: readonly ProviderAdapter[]) {
    for (const adapter of adapters) {
      if (this.byIdMap.has(adapter.id)) throw new Error(`duplicate provider adapter id ${adapter.id}`);
      this.byIdMap.set(adapter.id, adapter);
    }
  }

  byId(id: string): ProviderAdapter | undefined {
    return this.byIdMap.get(id);
  }

  /** The preferred adapter serving `method` in `currency`. */
  forMethod(method: PaymentMethod, currency: Currency): ProviderAdapter | undefined {
    return this.adapters.find((a) => a.method === method && a.currencies.includes(currency));
  }

  /** Methods some configured adapter can take in `currency`, in preference order, without duplicates. */
  methodsFor(currency: Currency): PaymentMethod[] {
    const methods: PaymentMethod[] = [];
    for (const adapter of this.adapters) {
      if (adapter.currencies.includes(currency) && !methods.includes(adapter.method)) methods.push(adapter.method);
    }
    return methods;
  }
}
