/**
 * Vipps Hurtigkasse (express checkout) data the sandbox's test user brings along: a profile (name,
 * email, phone number and a stable `userId`) and a few Norwegian addresses to choose from, and the
 * schemas of the merchant's shipping options (the spec's ShippingDetails) with how the app orders them.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ExpressAddress, ExpressUser, ShippingOption } from './state.js';

/** The number used when the app is opened without one (app switch without a pre-filled number). */
export const DEFAULT_EXPRESS_PHONE_NUMBER = '91234567';

/** The test user's addresses; the first (Home) is preselected. `addressId` ≥ 100 as the spec wants. */
export const EXPRESS_TEST_ADDRESSES: readonly ExpressAddress[] = [
  {
    addressId: 100,
    addressType: 'H',
    label: 'Home',
    addressLine1: 'Karl Johans gate 22',
    addressLine2: 'Leilighet H0301',
    postCode: '0159',
    city: 'Oslo',
  },
  {
    addressId: 101,
    addressType: 'W',
    label: 'Work',
    addressLine1: 'Dronning Eufemias gate 42',
    addressLine2: 'Att: Kari Nordmann',
    postCode: '0191',
    city: 'Oslo',
  },
  {
    addressId: 102,
    addressType: 'O',
    label: 'Other',
    addressLine1: 'Bryggen 15',
    addressLine2: '',
    postCode: '5003',
    city: 'Bergen',
  },
  {
    addressId: 103,
    addressType: 'O',
    label: 'Other',
    addressLine1: 'Storgata 90',
    addressLine2: '',
    postCode: '9008',
    city: 'Tromsø',
  },
];

export function expressAddress(addressId: number): ExpressAddress | undefined {
  return EXPRESS_TEST_ADDRESSES.find((address) => address.addressId === addressId);
}

/** "Karl Johans gate 22, Leilighet H0301, 0159 Oslo" */
export function formatAddress(address: ExpressAddress): string {
  return [address.addressLine1, address.addressLine2, `${address.postCode} ${address.city}`]
    .filter((part) => part !== '')
    .join(', ');
}

/**
 * The registered user behind a phone number (every valid number is one, see phone.ts). The userId
 * is derived from the number, so the same user has the same id in every payment, as at Vipps; it
 * matches UserDetails' pattern (`^[\d\w\/=+]+$`, ≤ 50) and looks like the spec's example.
 */
export function expressUserFor(nationalNumber: string): ExpressUser {
  const digest = createHash('sha256').update(`pwb-sandbox-vipps-user:${nationalNumber}`).digest('base64');
  return {
    userId: `${digest.slice(0, 22)}==`,
    firstName: 'Kari',
    lastName: 'Nordmann',
    email: `kari.nordmann+${nationalNumber}@example.com`,
    mobileNumber: nationalNumber,
  };
}

// ---------------------------------------------------------------- shipping options

/** Vipps shows at most 10 shipping options (the first 10, in priority order). */
export const MAX_SHIPPING_OPTIONS = 10;

/** NOK as a decimal number: at most two decimals, so it converts to øre exactly. */
const ShippingCost = z
  .number()
  // swagger.yaml says minimum 0 (free shipping), ms_import.yaml says 1.00: the sandbox takes 0.
  .min(0, 'must be at least 0 (NOK)')
  .max(1_000_000, 'must be at most 1 000 000 NOK')
  .refine((value) => Math.abs(Math.round(value * 100) - value * 100) < 1e-6, 'must be NOK with at most two decimals');

/** The spec's ShippingDetails (staticShippingDetails items and FetchShippingCostResponse items). */
export const ShippingDetailsSchema = z.object({
  isDefault: z.enum(['Y', 'N'], "must be 'Y' or 'N'"),
  priority: z.number().int('must be an integer').nullish(),
  shippingCost: ShippingCost,
  shippingMethod: z.string().min(1, 'is required').max(256, 'must be at most 256 characters'),
  shippingMethodId: z.string().min(1, 'is required').max(100, 'must be at most 100 characters'),
});
export type ShippingDetailsInput = z.infer<typeof ShippingDetailsSchema>;

/** A list of shipping options with distinct ids (the user picks one by id). */
export const ShippingDetailsList = z.array(ShippingDetailsSchema).superRefine((items, issue) => {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (seen.has(item.shippingMethodId)) {
      issue.addIssue({ code: 'custom', path: [index, 'shippingMethodId'], message: 'must be unique in the list' });
    }
    seen.add(item.shippingMethodId);
  });
});

/** The merchant's answer to `POST {shippingDetailsPrefix}/v2/payments/{orderId}/shippingDetails`. */
export const FetchShippingCostResponseSchema = z.object({
  addressId: z.number().int(),
  orderId: z.string(),
  shippingDetails: ShippingDetailsList,
});

/**
 * As the app shows them: by `priority` ascending (options without one last, in the order sent),
 * at most 10.
 */
export function toShippingOptions(items: readonly ShippingDetailsInput[]): ShippingOption[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort(
      (a, b) =>
        (a.item.priority ?? Number.POSITIVE_INFINITY) - (b.item.priority ?? Number.POSITIVE_INFINITY) ||
        a.index - b.index,
    )
    .slice(0, MAX_SHIPPING_OPTIONS)
    .map(({ item }) => ({
      shippingMethodId: item.shippingMethodId,
      shippingMethod: item.shippingMethod,
      shippingCost: item.shippingCost,
      costOre: Math.round(item.shippingCost * 100),
      priority: item.priority ?? null,
      isDefault: item.isDefault === 'Y',
    }));
}

/** The preselected option: the first marked default, else the first. */
export function defaultShippingOption(options: readonly ShippingOption[]): ShippingOption | undefined {
  return options.find((option) => option.isDefault) ?? options[0];
}
