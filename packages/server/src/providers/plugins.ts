/**
 * The providers this server can use, in preference order (when two offer the same method in a
 * currency, the first wins). The one module that names every provider.
 */
import { mastercardPlugin } from './mastercard/index.js';
import type { ProviderPlugin } from './plugin.js';
import { vippsPlugin } from './vipps/index.js';

export const PROVIDER_PLUGINS: readonly ProviderPlugin<never>[] = [
  mastercardPlugin as ProviderPlugin<never>,
  vippsPlugin as ProviderPlugin<never>,
];
