/**
 * A provider plugin: everything one payment provider brings, behind one object. It parses its own
 * configuration from the environment (with zod, one readable line per problem, never echoing a
 * value), names the secret values in it (kept out of logs), and builds its adapter(s), which
 * declare their methods, currencies and capabilities. The server's configuration knows only its
 * core settings and the list of plugins (src/providers/plugins.ts); adding a provider is a folder
 * with an index.ts exporting one of these, plus one line in that list.
 */
import type { Logger } from '../log.js';
import type { ProviderAdapter } from './adapter.js';

export type ProviderEnv = Readonly<Record<string, string | undefined>>;

/** What the server gives a plugin to build its adapters with. */
export interface PluginContext {
  /** fetch used for every provider call (injectable: tests route it to the in-process sandbox). */
  fetch: typeof fetch;
  /** A logger already scoped to the provider. */
  logger: Logger;
  /** This server's public base URL (PWB_PUBLIC_URL): callbacks and webhooks point at it. */
  publicUrl: string;
  /** Timeout of every provider call (PWB_PROVIDER_TIMEOUT_MS). */
  timeoutMs: number;
  /** The payee name shoppers see (PWB_PAYEE_NAME). */
  payeeName: string;
  now?: () => Date;
}

export interface ProviderPlugin<C = unknown> {
  /** The provider's name, as in its folder and its variables' prefix (PWB_<NAME>_*). */
  readonly name: string;
  /** The configuration, null when none of its variables is set, or one line per problem. */
  loadConfig(env: ProviderEnv): { config: C | null; issues: string[] };
  /** Values of the configuration that must never appear in a log line, response or error message. */
  secrets(config: C): string[];
  createAdapters(config: C, context: PluginContext): ProviderAdapter[];
}

/** A plugin with the configuration it parsed (what Config.providers holds). */
export interface ConfiguredProvider<C = unknown> {
  plugin: ProviderPlugin<C>;
  config: C;
}

/** Identity with the types checked: `definePlugin({ … })`. */
export function definePlugin<C>(plugin: ProviderPlugin<C>): ProviderPlugin<C> {
  return plugin;
}
