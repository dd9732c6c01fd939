import type { ApiErrorCode } from '../api.js';
import { enEntry } from './en-entry.js';
import { enExpress } from './en-express.js';
import { enPayment } from './en-payment.js';
import { enVipps } from './en-vipps.js';

/**
 * Every user-facing string of the element, in English. `{name}` placeholders are filled at runtime.
 * It is written in four parts by what shows it, so that the script-tag entry carries only the first
 * (`en-entry.ts`); the others come with their chunks. Other languages: `registerMessages('nb', { … })`
 * with any subset of these keys.
 */
export const en = { ...enEntry, ...enPayment, ...enVipps, ...enExpress } as const;

export type MessageKey = keyof typeof en;
/** A message catalogue: any subset of the English keys (missing ones fall back). */
export type Messages = Partial<Record<MessageKey, string>>;

/** A new error code in the protocol is a compile error here until it has English wording. */
type Unworded = Exclude<`error.${ApiErrorCode}`, MessageKey>;
export const everyErrorWorded: [Unworded] extends [never] ? true : Unworded = true;
