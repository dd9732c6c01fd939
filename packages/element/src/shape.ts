/**
 * The response shapes the element relies on, checked with a few tiny combinators over the protocol's
 * own constants (statuses, currencies, id formats). The protocol's zod schemas stay on the server: as
 * `zod/mini` the same checks cost 6.9 KB gzip in the script-tag entry, this file about 0.4 KB. Unknown
 * fields are tolerated; a missing or mistyped one the element reads makes the answer invalid.
 */
import type { Bank, CheckoutPayment, CheckoutSession } from '@pay-with-bank/protocol';
import {
  CURRENCIES,
  PAYMENT_ID_PATTERN,
  PAYMENT_METHOD_PATTERN,
  PAYMENT_STATUSES,
  SESSION_ID_PATTERN,
} from '@pay-with-bank/protocol/constants';

export type Check = (value: unknown) => boolean;
type Fields = Record<string, unknown>;

export const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str: Check = (v) => typeof v === 'string';
const bool: Check = (v) => typeof v === 'boolean';
const int: Check = (v) => Number.isSafeInteger(v);
const nullable =
  (check: Check): Check =>
  (v) =>
    v === null || check(v);
const oneOf =
  (values: readonly unknown[]): Check =>
  (v) =>
    values.includes(v);
const matches =
  (pattern: RegExp): Check =>
  (v) =>
    str(v) && pattern.test(v as string);
const arrayOf =
  (check: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(check);
const shape =
  (fields: Record<string, Check>): Check =>
  (v) =>
    isObject(v) && Object.keys(fields).every((key) => fields[key]!(v[key]));

const money = shape({ value: int, currency: oneOf(CURRENCIES) });

/** What to do next: the server decides (redirect, wait and ask again, nothing). */
const next: Check = (v) =>
  isObject(v) &&
  (v.type === 'none' ||
    (v.type === 'redirect' && str(v.url)) ||
    (v.type === 'wait' && int(v.pollAfterMs) && nullable(str)(v.until)));

export const isPayment = shape({
  id: matches(PAYMENT_ID_PATTERN),
  method: matches(PAYMENT_METHOD_PATTERN),
  status: oneOf(PAYMENT_STATUSES),
  bankId: nullable(str),
  amount: money,
  failure: nullable(shape({ code: str, message: str })),
  redirectUrl: nullable(str),
  expiresAt: nullable(str),
  next,
  settled: bool,
}) as (v: unknown) => v is CheckoutPayment;

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
  payment: nullable(isPayment),
  banks: nullable(arrayOf(isBank)),
}) as (v: unknown) => v is CheckoutSession;
