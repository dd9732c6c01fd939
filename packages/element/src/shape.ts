/**
 * The response shapes the element relies on, checked with a few tiny combinators over the protocol's
 * own constants (statuses, currencies, id formats). The protocol's zod schemas stay on the server: as
 * `zod/mini` the same checks cost 6.9 KB gzip in the script-tag entry, this file about 0.4 KB. Unknown
 * fields are tolerated; a missing or mistyped one the element reads makes the answer invalid. The
 * payment's shape is `shape-payment.ts` (the payment chunk's): the entry checks that a session's
 * payment is an object, and the chunk, which shows it, checks the rest before it is shown.
 */
import type { Bank, CheckoutSession } from '@pay-with-bank/protocol';
import { CURRENCIES, SESSION_ID_PATTERN } from '@pay-with-bank/protocol/constants';

export type Check = (value: unknown) => boolean;
type Fields = Record<string, unknown>;

export const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
export const str: Check = (v) => typeof v === 'string';
export const bool: Check = (v) => typeof v === 'boolean';
export const int: Check = (v) => Number.isSafeInteger(v);
export const nullable =
  (check: Check): Check =>
  (v) =>
    v === null || check(v);
export const oneOf =
  (values: readonly unknown[]): Check =>
  (v) =>
    values.includes(v);
export const matches =
  (pattern: RegExp): Check =>
  (v) =>
    str(v) && pattern.test(v as string);
export const arrayOf =
  (check: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(check);
export const shape =
  (fields: Record<string, Check>): Check =>
  (v) =>
    isObject(v) && Object.keys(fields).every((key) => fields[key]!(v[key]));

export const money = shape({ value: int, currency: oneOf(CURRENCIES) });

/** `unavailableMessage` may be absent (older servers): read as null. */
export const isBank = shape({
  id: str,
  name: str,
  country: str,
  logoUrl: nullable(str),
  available: bool,
  unavailableMessage: (v) => v === undefined || nullable(str)(v),
}) as (v: unknown) => v is Bank;

export const isSession = shape({
  id: matches(SESSION_ID_PATTERN),
  amount: money,
  payee: shape({ name: str }),
  reference: str,
  locale: str,
  methods: arrayOf(str),
  countries: arrayOf(str),
  payment: nullable(isObject),
  banks: nullable(arrayOf(isBank)),
}) as (v: unknown) => v is CheckoutSession;
