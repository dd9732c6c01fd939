import { z } from 'zod';
import {
  ATTEMPT_ID_PATTERN,
  COUNTRIES,
  CURRENCIES,
  SESSION_ID_PATTERN,
  SHIPPING_OPTION_ID_PATTERN,
} from './constants.js';
import { PAYMENT_ID_PATTERN, PAYMENT_METHOD_PATTERN, PAYMENT_STATUSES } from './payment-model.js';

/** ISO 4217 currencies the providers we support can settle. */
export const Currency = z.enum(CURRENCIES).meta({ id: 'Currency' });
export type Currency = z.infer<typeof Currency>;

/** Minor units per currency (all supported currencies have two decimals). */
export const MINOR_UNITS: Record<Currency, number> = { DKK: 2, EUR: 2, NOK: 2, SEK: 2 };

/** Largest amount accepted, in minor units (10 million major units). */
export const MAX_AMOUNT_MINOR = 1_000_000_000;

/** Money is always integer minor units inside pay-with-bank (øre, cent). */
export const Money = z
  .strictObject({
    value: z.number().int().min(1).max(MAX_AMOUNT_MINOR).describe('Amount in minor units (øre, cent)'),
    currency: Currency,
  })
  .meta({ id: 'Money' });
export type Money = z.infer<typeof Money>;

/** How the shopper pays. */
export const PaymentMethod = z
  .string()
  .regex(PAYMENT_METHOD_PATTERN, 'must be a payment method id such as bank')
  .describe('A method a configured provider offers (the session lists the checkout’s methods)')
  .meta({ id: 'PaymentMethod' });
export type PaymentMethod = z.infer<typeof PaymentMethod>;

/**
 * Our status model. Provider statuses map onto it in each adapter (see docs/architecture.md):
 * created → pending → authorized → completed, or failed | cancelled | expired.
 */
export const PaymentStatus = z.enum(PAYMENT_STATUSES).meta({ id: 'PaymentStatus' });
export type PaymentStatus = z.infer<typeof PaymentStatus>;

/** Two-letter country codes of the banks we list. */
export const Country = z.enum(COUNTRIES).meta({ id: 'Country' });
export type Country = z.infer<typeof Country>;

/** BCP 47 language tag, e.g. `en`, `nb-NO`. */
export const Locale = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as en or nb-NO')
  .max(35);

/** Opaque identifiers we mint: prefix + base32/64url body. */
export const SessionId = z.string().regex(SESSION_ID_PATTERN, 'must be a checkout session id (cs_…)');
export const PaymentId = z.string().regex(PAYMENT_ID_PATTERN, 'must be a payment id (pay_…)');

/** A client-chosen key that makes "start payment" idempotent per attempt (double click, two tabs). */
export const AttemptId = z.string().regex(ATTEMPT_ID_PATTERN, 'must be 8–64 characters of A–Z, a–z, 0–9, _ or -');

/** Merchant order reference: shown to the shopper and sent to the provider as the payment reference. */
export const MerchantReference = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,35}$/, 'must be 1–35 characters of A–Z, a–z, 0–9 or -');

/** A failure as the shopper and the merchant see it; the provider's own words stay in `providerMessage`. */
export const PaymentFailure = z
  .object({
    code: z.string().describe('Stable machine-readable reason, e.g. rejected_by_bank, insufficient_funds'),
    message: z.string().describe('Human-readable reason in English'),
    providerCode: z.string().nullable(),
    providerMessage: z.string().nullable(),
  })
  .meta({ id: 'PaymentFailure' });
export type PaymentFailure = z.infer<typeof PaymentFailure>;

/**
 * An amount that may be zero (free shipping), in minor units: Money's shape without its minimum.
 */
export const MoneyOrZero = z
  .strictObject({
    value: z.number().int().min(0).max(MAX_AMOUNT_MINOR).describe('Amount in minor units (øre, cent); 0 for free'),
    currency: Currency,
  })
  .meta({ id: 'MoneyOrZero' });
export type MoneyOrZero = z.infer<typeof MoneyOrZero>;

/**
 * A shipping method the merchant offers on an express checkout. Its price is decided here, by the
 * merchant, and nowhere else: never by the browser, never by what the provider echoes back.
 */
export const ShippingOption = z
  .strictObject({
    id: z
      .string()
      .regex(SHIPPING_OPTION_ID_PATTERN, 'must be 1–100 characters of A–Z, a–z, 0–9, _ or -')
      .describe("The merchant's id of the method"),
    name: z.string().min(1).max(100).describe('The method as the shopper sees it, e.g. "Posten Servicepakke"'),
    amount: z
      .number()
      .int()
      .min(0)
      .max(MAX_AMOUNT_MINOR)
      .describe("Price in minor units in the session's currency (0 for free shipping)"),
    default: z.boolean().optional().describe('Preselected in the app (at most one option)'),
    priority: z.number().int().min(0).max(1000).optional().describe('Sort order in the app, lowest first'),
  })
  .meta({ id: 'ShippingOption' });
export type ShippingOption = z.infer<typeof ShippingOption>;

/** 1–20 shipping options with distinct ids and at most one default. */
export const ShippingOptions = z
  .array(ShippingOption)
  .min(1)
  .max(20)
  .refine((options) => new Set(options.map((o) => o.id)).size === options.length, {
    message: 'shipping option ids must be distinct',
  })
  .refine((options) => options.filter((o) => o.default === true).length <= 1, {
    message: 'at most one shipping option can be the default',
  });
