import type { MessageKey } from './en.js';

/**
 * A complete message catalogue: every English key, nothing else. The languages that ship with the
 * element are typed with it, so a key added to `en.ts` and missing here (or a stale key left here) fails
 * `tsc`. Merchants' overrides use `Messages` (any subset) instead.
 */
export type Catalogue = Readonly<Record<MessageKey, string>>;
