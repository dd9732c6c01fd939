/** Mastercard Open Finance (pay by bank): the plugin. Method `bank`, currencies = the payee accounts configured. */
import { definePlugin } from '../plugin.js';
import { createMastercardAdapter } from './adapter.js';
import { loadMastercardConfig, mastercardSecrets, type MastercardConfig } from './config.js';

export const mastercardPlugin = definePlugin<MastercardConfig>({
  name: 'mastercard',
  loadConfig: loadMastercardConfig,
  secrets: mastercardSecrets,
  createAdapters: (config, context) => [
    createMastercardAdapter({
      ...config,
      payeeName: context.payeeName,
      timeoutMs: context.timeoutMs,
      fetch: context.fetch,
      logger: context.logger,
    }),
  ],
});

export { MASTERCARD_ADAPTER_ID } from './adapter.js';
export {
  DEFAULT_MASTERCARD_BASE_URL,
  DEFAULT_USER_HASH_SALT,
  isValidIban,
  parsePayeeAccount,
  type MastercardConfig,
  type PayeeAccount,
} from './config.js';
