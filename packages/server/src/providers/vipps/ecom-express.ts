/**
 * Vipps Hurtigkasse (eCom v2 express checkout): the initiate fields, the shapes Vipps sends us
 * (swagger.yaml: ShippingCostAndMethod, UserDetails, PaymentShippingDetails / ShippingDetailsRequest,
 * AddressExpress) and what we answer (FetchShippingCostResponse of ShippingDetails), converted to and
 * from our types. Vipps' shipping prices are NOK in major units (a JSON number), ours integer øre.
 *
 * Loose objects throughout: unknown fields are tolerated, a missing field we need fails validation.
 */
import type { Address, Shopper, ShippingOption } from '@pay-with-bank/protocol';
import { z } from 'zod';
import type { ExpressPaymentInput, ExpressSnapshot } from '../adapter.js';

const Text = (max: number) => z.string().max(max);

/** ShippingCostAndMethod: the address Vipps asks shipping options for. */
export const EcomShippingQuestion = z.looseObject({
  addressId: z.number().int(),
  addressLine1: Text(500),
  addressLine2: Text(500).nullish(),
  city: Text(200),
  country: Text(100),
  postCode: Text(20),
  addressType: z.string().max(10).nullish(),
});
export type EcomShippingQuestion = z.infer<typeof EcomShippingQuestion>;

/** Address / AddressExpress: `postCode` in the details, `zipCode` in the express callback. */
const EcomAddress = z
  .looseObject({
    addressLine1: Text(500),
    addressLine2: Text(500).nullish(),
    city: Text(200),
    country: Text(100),
    postCode: Text(20).nullish(),
    zipCode: Text(20).nullish(),
  })
  .refine((a) => (a.postCode ?? a.zipCode) != null, { message: 'postCode or zipCode is required' });

/** UserDetails. */
export const EcomUserDetails = z.looseObject({
  userId: z.string().min(1).max(100),
  firstName: Text(200).nullish(),
  lastName: Text(200).nullish(),
  email: Text(320).nullish(),
  mobileNumber: Text(20).nullish(),
});

/** PaymentShippingDetails (details) / ShippingDetailsRequest (express callback). */
export const EcomShippingDetails = z.looseObject({
  address: EcomAddress.nullish(),
  shippingCost: z.number().nonnegative(),
  shippingMethod: Text(256).nullish(),
  shippingMethodId: z.string().min(1).max(100),
});

/** Country names Vipps writes (its enum says "Norway"; the shipping question says "NO"). */
const COUNTRY_CODES: Record<string, string> = {
  norway: 'NO',
  norge: 'NO',
  noreg: 'NO',
  sweden: 'SE',
  sverige: 'SE',
  denmark: 'DK',
  danmark: 'DK',
  finland: 'FI',
  suomi: 'FI',
};

/** ISO 3166-1 alpha-2 where the name or code is known; otherwise the value as Vipps gave it. */
export function countryCode(country: string): string {
  const trimmed = country.trim();
  if (/^[A-Za-z]{2}$/.test(trimmed)) return trimmed.toUpperCase();
  return COUNTRY_CODES[trimmed.toLowerCase()] ?? trimmed;
}

const orNull = (value: string | null | undefined) => (value == null || value.trim() === '' ? null : value.trim());

export function toAddress(a: {
  addressLine1: string;
  addressLine2?: string | null | undefined;
  city: string;
  country: string;
  postCode?: string | null | undefined;
  zipCode?: string | null | undefined;
}): Address {
  return {
    line1: a.addressLine1.trim(),
    line2: orNull(a.addressLine2),
    postCode: (a.postCode ?? a.zipCode ?? '').trim(),
    city: a.city.trim(),
    country: countryCode(a.country),
  };
}

/** eCom's 8 national digits as +47…; anything else as given. */
function phoneNumber(mobile: string | null | undefined): string | null {
  const value = orNull(mobile);
  if (value === null) return null;
  return /^\d{8}$/.test(value) ? `+47${value}` : value;
}

/** NOK (a JSON number, major units) → øre; a fraction of an øre stays visible (and matches no option). */
export function toMinor(major: number): number {
  return Math.round(major * 100 * 1e6) / 1e6;
}

/** ShippingDetails (the initiate's staticShippingDetails, the shipping question's answer). */
export function toEcomShippingDetails(options: readonly ShippingOption[]): Record<string, unknown>[] {
  return options.map((o, index) => ({
    isDefault: o.default === true ? 'Y' : 'N',
    // The merchant's order where it gives no priority.
    priority: o.priority ?? index,
    shippingCost: o.amount / 100,
    shippingMethod: o.name,
    shippingMethodId: o.id,
  }));
}

/** The merchantInfo / transaction fields of an express initiate. */
export function expressInitiateFields(
  express: ExpressPaymentInput,
  prefixes: { shippingDetailsPrefix: string; consentRemovalPrefix: string },
): { merchantInfo: Record<string, unknown>; transaction: Record<string, unknown> } {
  return {
    merchantInfo: {
      paymentType: 'eComm Express Payment',
      consentRemovalPrefix: prefixes.consentRemovalPrefix,
      // Static options make the shipping callback unnecessary (Vipps does not call it then).
      ...(express.options
        ? { staticShippingDetails: toEcomShippingDetails(express.options) }
        : { shippingDetailsPrefix: prefixes.shippingDetailsPrefix }),
    },
    // Since March 2023 Vipps always uses the explicit flow; sent as the merchant chose, as the spec has it.
    transaction: { useExplicitCheckoutFlow: express.confirmAddress },
  };
}

/**
 * The express part of `GET …/details` or of the express callback, as our snapshot: each part read
 * on its own (a malformed part is left out rather than failing the status read).
 */
export function ecomExpressOf(source: {
  userDetails?: unknown;
  shippingDetails?: unknown;
}): ExpressSnapshot | undefined {
  if (source.userDetails == null && source.shippingDetails == null) return undefined;
  const user = EcomUserDetails.safeParse(source.userDetails);
  const shipping = EcomShippingDetails.safeParse(source.shippingDetails);
  const address = shipping.success && shipping.data.address ? toAddress(shipping.data.address) : null;
  const shopper: Shopper | null =
    user.success || address
      ? {
          firstName: user.success ? orNull(user.data.firstName) : null,
          lastName: user.success ? orNull(user.data.lastName) : null,
          email: user.success ? orNull(user.data.email) : null,
          phoneNumber: user.success ? phoneNumber(user.data.mobileNumber) : null,
          address,
        }
      : null;
  return {
    shopper,
    providerUserId: user.success ? user.data.userId : null,
    shipping: shipping.success
      ? { methodId: shipping.data.shippingMethodId, amount: toMinor(shipping.data.shippingCost) }
      : null,
  };
}
