/**
 * ePayment Express and Userinfo shapes as Vipps MobilePay documents them, written as strict zod
 * schemas for the tests (the stored epayment-v1.openapi.yaml predates Express, so Ajv cannot check
 * these). Each schema names the page it mirrors; fields marked "inferred" are the sandbox's reading
 * where the page is silent (see the README, "ePayment Express").
 *
 * Pages:
 *  [express]   https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/features/express
 *  [how]       https://developer.vippsmobilepay.com/docs/APIs/epayment-api/how-it-works/express
 *  [get]       https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/operations/get_info
 *  [errors]    https://developer.vippsmobilepay.com/docs/APIs/epayment-api/errors
 *  [events]    https://developer.vippsmobilepay.com/docs/APIs/webhooks-api/events
 *  [userinfo]  https://developer.vippsmobilepay.com/api/userinfo
 *  [uiguide]   https://developer.vippsmobilepay.com/docs/APIs/userinfo-api/userinfo-api-guide
 *  [toolkit]   Vipps' summary of those pages: github.com/vippsas/agent-toolkit,
 *              plugins/vipps/skills/epayment/references/features.md and skills/webhooks/SKILL.md
 */
import { z } from 'zod';

const Currency = z.enum(['NOK', 'DKK', 'EUR']);
/** Amounts are `{ currency, value }` in minor units, as everywhere in ePayment ([get]). */
export const Amount = z.strictObject({ currency: Currency, value: z.number().int().min(0) });

/** [toolkit] Fixed options: the `type` and `brand` values. */
export const ShippingType = z.enum(['HOME_DELIVERY', 'PICKUP_POINT', 'MAILBOX', 'IN_STORE', 'OTHER']);
export const ShippingBrand = z.enum([
  'BRING',
  'DHL',
  'FEDEX',
  'GLS',
  'HELTHJEM',
  'INSTABOX',
  'MATKAHUOLTO',
  'PORTERBUDDY',
  'POSTEN',
  'POSTI',
  'POSTNORD',
  'OTHER',
]);

/** [toolkit] One option of a group (the fixedOptions example): id, amount, name, meta, estimatedDelivery, isDefault, priority. */
export const ShippingOption = z.strictObject({
  id: z.string().min(1),
  amount: Amount,
  name: z.string().min(1),
  meta: z.string().optional(),
  estimatedDelivery: z.string().optional(),
  isDefault: z.boolean().optional(),
  priority: z.number().int().optional(),
});

/** [express] "groups of shipping options"; [toolkit] brand, type, isDefault, priority, options. */
export const ShippingGroup = z.strictObject({
  brand: ShippingBrand,
  type: ShippingType,
  isDefault: z.boolean().optional(),
  priority: z.number().int().optional(),
  options: z.array(ShippingOption).min(1),
});

/**
 * [how] The Express create request: `paymentMethod.type` WALLET, `profile.scope` "name address email
 * phoneNumber" (all four), and `shipping.fixedOptions` or `shipping.dynamicOptions` ([toolkit]:
 * `callbackUrl`, `callbackAuthorizationToken`). `allowedCountries`: the ePayment changelog (May 2026)
 * adds it to `shipping`; its form here (ISO 3166-1 alpha-2 codes) is inferred.
 */
export const ExpressShipping = z.union([
  z.strictObject({ fixedOptions: z.array(ShippingGroup).min(1), allowedCountries: z.array(z.string()).optional() }),
  z.strictObject({
    dynamicOptions: z.strictObject({ callbackUrl: z.url(), callbackAuthorizationToken: z.string().min(1) }),
    allowedCountries: z.array(z.string()).optional(),
  }),
]);
export const ExpressCreateRequest = z.looseObject({
  amount: Amount,
  paymentMethod: z.strictObject({ type: z.literal('WALLET') }),
  profile: z.strictObject({ scope: z.string() }),
  reference: z.string(),
  userFlow: z.enum(['WEB_REDIRECT', 'NATIVE_REDIRECT', 'PUSH_MESSAGE']),
  shipping: ExpressShipping,
});

/**
 * [toolkit] The dynamic shipping callback: "Your endpoint receives Reference, AddressLine1,
 * AddressLine2, City, PostCode, Country" (camelCase on the wire, as Vipps' WooCommerce and Magento
 * plugins read it; `country` an ISO code: inferred).
 */
export const DynamicCallbackRequest = z.strictObject({
  reference: z.string(),
  addressLine1: z.string(),
  addressLine2: z.string(),
  city: z.string(),
  postCode: z.string(),
  country: z.string().regex(/^[A-Z]{2}$/),
});
/** [toolkit] "… and must answer { "groups": [ ...shipping groups... ] }". */
export const DynamicCallbackAnswer = z.strictObject({ groups: z.array(ShippingGroup) });

/**
 * [toolkit] GET returns "shippingDetails with address, shippingCost, shippingOptionId,
 * shippingOptionName, plus userDetails with email, firstName, lastName, mobileNumber". The address's
 * fields (addressLine1, addressLine2, city, country, postCode) are those Vipps' WooCommerce plugin
 * reads from ePayment; `shippingCost` in minor units and `mobileNumber` as an MSISDN: inferred.
 */
export const ShippingDetails = z.strictObject({
  address: z.strictObject({
    addressLine1: z.string(),
    addressLine2: z.string(),
    city: z.string(),
    country: z.string(),
    postCode: z.string(),
  }),
  shippingCost: z.number().int().min(0),
  shippingOptionId: z.string(),
  shippingOptionName: z.string(),
});
export const UserDetails = z.strictObject({
  email: z.email().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  mobileNumber: z
    .string()
    .regex(/^\d{10,15}$/)
    .optional(),
});
/** [get] "the profile object will contain a sub … after the customer has authorized the payment". */
export const Sub = z.uuid();

/** [get] GetPaymentResponse with what Express and profile sharing add (the rest: the stored spec, via Ajv). */
export const AuthorizedExpressPayment = z.looseObject({
  state: z.literal('AUTHORIZED'),
  amount: Amount,
  profile: z.strictObject({ sub: Sub }),
  userDetails: UserDetails.required(),
  shippingDetails: ShippingDetails,
});

/**
 * [toolkit webhooks] "With profile sharing, userDetails and profile.sub ride along on
 * epayments.payment.authorized.v1"; Express's shippingDetails too ("the webhook, same shape").
 */
export const AuthorizedWebhookExtras = z.looseObject({
  name: z.literal('AUTHORIZED'),
  profile: z.strictObject({ sub: Sub }),
  userDetails: UserDetails,
  shippingDetails: ShippingDetails.optional(),
});

/** [errors] RFC 7807 bodies; domain errors carry `{ name: "ErrorCode", reason }` in extraDetails. */
export const Problem = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string(),
  traceId: z.string(),
  extraDetails: z.array(z.strictObject({ name: z.string(), reason: z.string() })),
});

/** [uiguide] The address claim of the example response. */
export const OidcAddress = z.strictObject({
  street_address: z.string(),
  postal_code: z.string(),
  region: z.string(),
  country: z.string(),
  formatted: z.string(),
  address_type: z.enum(['home', 'work', 'other']),
});
/**
 * [userinfo] "name - Returns family_name, given_name, and name; address - Returns address and
 * other_addresses; email - Returns email and email_verified; phoneNumber - Returns phone_number and
 * phone_number_verified; birthDate - Returns birthdate".
 */
export const Userinfo = z.strictObject({
  sub: Sub,
  name: z.string().optional(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
  email: z.email().optional(),
  email_verified: z.boolean().optional(),
  phone_number: z.string().optional(),
  phone_number_verified: z.boolean().optional(),
  address: OidcAddress.optional(),
  other_addresses: z.array(OidcAddress).optional(),
  birthdate: z.iso.date().optional(),
});

/** Parses with a readable failure message. */
export function mustParse<T extends z.ZodType>(schema: T, value: unknown, label: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `${label} does not match the documented shape:\n${z.prettifyError(parsed.error)}\n${JSON.stringify(value, null, 2)}`,
    );
  }
  return parsed.data;
}
