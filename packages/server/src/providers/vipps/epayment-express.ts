/**
 * Vipps MobilePay ePayment Express: the create fields (`profile.scope`, `shipping.fixedOptions` or
 * `shipping.dynamicOptions`), the dynamic shipping callback Vipps posts to us and our `{ groups }`
 * answer, and the `userDetails` / `shippingDetails` / `profile.sub` that `GET …/payments/{reference}`
 * (and the authorized webhook) carry after the authorization, converted to and from our types.
 *
 * The stored epayment-v1.openapi.yaml predates Express: these shapes follow Vipps MobilePay's
 * published Express pages as the sandbox emulates them (packages/sandbox/README.md, "ePayment
 * Express"). Every ePayment amount is minor units, shipping included (no conversion, unlike eCom).
 * Loose objects throughout: unknown fields are tolerated, a missing field we need fails validation.
 */
import type { Currency, Shopper, ShippingOption } from '@pay-with-bank/protocol';
import { z } from 'zod';
import type { ExpressPaymentInput, ExpressSnapshot } from '../adapter.js';
import { toAddress } from './ecom-express.js';

const Text = (max: number) => z.string().max(max);

/** Express needs exactly these four ("all four are required … cannot be selectively omitted"). */
export const EPAYMENT_EXPRESS_SCOPE = 'name address email phoneNumber';

/** The dynamic shipping callback's body: the address the shopper picked (camelCase, ISO country). */
export const EpaymentShippingQuestion = z.looseObject({
  reference: z.string().min(1).max(50),
  addressLine1: Text(500),
  addressLine2: Text(500).nullish(),
  city: Text(200),
  postCode: Text(20),
  country: Text(100),
});
export type EpaymentShippingQuestion = z.infer<typeof EpaymentShippingQuestion>;

/** `userDetails` of GET / the authorized webhook. */
export const EpaymentUserDetails = z.looseObject({
  email: Text(320).nullish(),
  firstName: Text(200).nullish(),
  lastName: Text(200).nullish(),
  mobileNumber: Text(20).nullish(),
});

/** `shippingDetails` of GET / the authorized webhook (`shippingCost` in minor units). */
export const EpaymentShippingDetails = z.looseObject({
  address: z
    .looseObject({
      addressLine1: Text(500),
      addressLine2: Text(500).nullish(),
      city: Text(200),
      country: Text(100),
      postCode: Text(20),
    })
    .nullish(),
  shippingCost: z.number().nonnegative(),
  shippingOptionId: z.string().min(1).max(100),
  shippingOptionName: Text(256).nullish(),
});

/** `profile` once authorized: `sub`, the user's id for this sales unit. */
export const EpaymentProfile = z.looseObject({ sub: z.string().min(1).max(100) });

/**
 * Our options as one shipping group. We know no carrier or kind of delivery for them, so the
 * group is `OTHER` / `HOME_DELIVERY`; the options keep the merchant's order and default.
 */
export function toEpaymentShippingGroups(
  options: readonly ShippingOption[],
  currency: Currency,
): Record<string, unknown>[] {
  return [
    {
      brand: 'OTHER',
      type: 'HOME_DELIVERY',
      isDefault: true,
      priority: 0,
      options: options.map((o, index) => ({
        id: o.id,
        name: o.name,
        amount: { currency, value: o.amount },
        isDefault: o.default === true,
        // The merchant's order where it gives no priority.
        priority: o.priority ?? index,
      })),
    },
  ];
}

/** The `profile` and `shipping` fields of an Express create: fixed options or our callback, never both. */
export function epaymentExpressFields(
  express: ExpressPaymentInput,
  currency: Currency,
  dynamic: { callbackUrl: string; callbackAuthorizationToken: string },
): { profile: Record<string, unknown>; shipping: Record<string, unknown> } {
  return {
    profile: { scope: EPAYMENT_EXPRESS_SCOPE },
    shipping: express.options
      ? { fixedOptions: toEpaymentShippingGroups(express.options, currency) }
      : { dynamicOptions: dynamic },
  };
}

const orNull = (value: string | null | undefined) => (value == null || value.trim() === '' ? null : value.trim());

/** ePayment's MSISDN (`4791234567`) as +4791234567; anything else as given. */
function phoneNumber(mobile: string | null | undefined): string | null {
  const value = orNull(mobile);
  if (value === null) return null;
  return /^\d{8,15}$/.test(value) ? `+${value}` : value;
}

/**
 * The Express part of a payment (GET) or authorized webhook, as our snapshot: each part read on
 * its own (a malformed part is left out rather than failing the status read). Undefined when the
 * payment shared nothing (an ordinary payment, or before the authorization).
 */
export function epaymentExpressOf(source: {
  userDetails?: unknown;
  shippingDetails?: unknown;
  profile?: unknown;
}): ExpressSnapshot | undefined {
  if (source.userDetails == null && source.shippingDetails == null) return undefined;
  const user = EpaymentUserDetails.safeParse(source.userDetails);
  const shipping = EpaymentShippingDetails.safeParse(source.shippingDetails);
  const profile = EpaymentProfile.safeParse(source.profile);
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
    providerUserId: profile.success ? profile.data.sub : null,
    shipping: shipping.success
      ? { methodId: shipping.data.shippingOptionId, amount: shipping.data.shippingCost }
      : null,
  };
}
