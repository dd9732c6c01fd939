/**
 * ePayment Express (`shipping` in `POST /epayment/v1/payments`) and ePayment profile sharing, after
 * Vipps MobilePay's published documentation (the stored epayment-v1.openapi.yaml predates Express;
 * every shape here names the page it comes from, and the README lists what is inferred):
 *
 * - Express feature: https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/features/express
 * - How Express works: https://developer.vippsmobilepay.com/docs/APIs/epayment-api/how-it-works/express
 * - Get payment: https://developer.vippsmobilepay.com/docs/APIs/epayment-api/api-guide/operations/get_info
 * - Vipps' own summary of those pages (field lists, enums, the callback's body and answer):
 *   github.com/vippsas/agent-toolkit, plugins/vipps/skills/epayment/references/features.md
 *
 * The user's steps are express-flow.ts (the same phone pages as eCom's Hurtigkasse, always the
 * explicit flow: "delivery options" then "payment summary"); here: validation of the request, the
 * dynamic shipping callback and its answer, and what GET, webhooks and Userinfo show afterwards.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { VippsContext } from './context.js';
import { DEFAULT_EXPRESS_PHONE_NUMBER, expressUserFor } from './express-data.js';
import { newExpressSteps, reserveExpress, type ExpressSubject } from './express-flow.js';
import { isHttpUrl } from './http.js';
import { parseMobileNumber } from './phone.js';
import type {
  EpaymentCurrency,
  EpaymentExpress,
  EpaymentPayment,
  ExpressUser,
  SharedProfile,
  ShippingOption,
} from './state.js';

// ---------------------------------------------------------------- the request's `shipping`

/** Carriers the app draws a logo for (features.md, "Fixed options"). */
export const SHIPPING_BRANDS = [
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
] as const;
/** Kinds of delivery (features.md, "Fixed options"). */
export const SHIPPING_TYPES = ['HOME_DELIVERY', 'PICKUP_POINT', 'MAILBOX', 'IN_STORE', 'OTHER'] as const;

/** The four scope values Express requires ("all four are required", How Express works). */
export const EXPRESS_SCOPES = ['name', 'address', 'email', 'phoneNumber'] as const;
/** Scope values a sales unit may ask for without special permission (Userinfo API guide, "Scope"). */
export const PROFILE_SCOPES = ['name', 'address', 'email', 'phoneNumber', 'birthDate'] as const;
/** Scope values that need Vipps' approval ("Illegal scope" without it, error 5030). */
export const RESTRICTED_SCOPES = ['nin', 'accountNumbers'] as const;

const ShippingAmount = z.object({
  currency: z.enum(['NOK', 'DKK', 'EUR']),
  value: z.number().int('must be an integer number of minor units').min(0, 'must be at least 0'),
});

/** One option of a group: `id`, `name`, `amount` as in both examples; the rest optional. */
export const ShippingOptionSchema = z.object({
  id: z.string().min(1, 'is required'),
  name: z.string().min(1, 'is required'),
  amount: ShippingAmount,
  meta: z.string().optional(),
  estimatedDelivery: z.string().optional(),
  isDefault: z.boolean().optional(),
  priority: z.number().int('must be an integer').optional(),
});

/** One shipping group: "one shipping group per unique brand and type combination". */
export const ShippingGroupSchema = z.object({
  brand: z.enum(SHIPPING_BRANDS),
  type: z.enum(SHIPPING_TYPES),
  isDefault: z.boolean().optional(),
  priority: z.number().int('must be an integer').optional(),
  options: z.array(ShippingOptionSchema).min(1, 'must list at least one option'),
});
export type ShippingGroupInput = z.infer<typeof ShippingGroupSchema>;

/** `shipping` of the create payment request. */
export const ShippingRequestSchema = z.object({
  fixedOptions: z.array(ShippingGroupSchema).min(1, 'must list at least one shipping group').optional(),
  dynamicOptions: z
    .object({
      callbackUrl: z
        .string()
        .max(2048, 'must be at most 2048 characters')
        .refine(isHttpUrl, 'must be an absolute https (or, in the sandbox, http) URL'),
      callbackAuthorizationToken: z.string().min(1, 'is required'),
    })
    .optional(),
  allowedCountries: z
    .array(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as "NO"'))
    .min(1, 'must list at least one country')
    .optional(),
});
export type ShippingRequest = z.infer<typeof ShippingRequestSchema>;

/** The merchant's answer to the dynamic shipping callback: `{ "groups": [ …shipping groups… ] }`. */
export const DynamicShippingAnswerSchema = z.object({ groups: z.array(ShippingGroupSchema) });

/** Problems a list of groups can have beyond its shape: another currency, an `id` used twice. */
export function groupProblems(
  groups: readonly ShippingGroupInput[],
  currency: EpaymentCurrency,
  path: (string | number)[],
): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const seen = new Set<string>();
  groups.forEach((group, g) =>
    group.options.forEach((option, o) => {
      if (option.amount.currency !== currency) {
        problems.push({
          path: [...path, g, 'options', o, 'amount', 'currency'],
          message: `must be the payment's currency (${currency})`,
        });
      }
      // The user picks by id and GET reports shippingOptionId: ids must tell the options apart.
      if (seen.has(option.id)) {
        problems.push({ path: [...path, g, 'options', o, 'id'], message: 'must be unique across all groups' });
      }
      seen.add(option.id);
    }),
  );
  return problems;
}

const byPriority = <T extends { priority?: number | undefined }>(items: readonly T[]) =>
  items
    .map((item, index) => ({ item, index }))
    .sort(
      (a, b) =>
        (a.item.priority ?? Number.POSITIVE_INFINITY) - (b.item.priority ?? Number.POSITIVE_INFINITY) ||
        a.index - b.index,
    )
    .map(({ item }) => item);

/**
 * The options as the app lists them: groups by `priority` (without one last, in the order sent),
 * options by their `priority` within the group. Preselected: the default option of the default
 * group, else that group's first option, else the very first option.
 */
export function toEpaymentShippingOptions(groups: readonly ShippingGroupInput[]): ShippingOption[] {
  const sorted = byPriority(groups);
  const defaultGroup = sorted.find((group) => group.isDefault) ?? sorted[0];
  const options = sorted.flatMap((group) => byPriority(group.options).map((option) => ({ group, option })));
  const preselected =
    options.find(({ group, option }) => group === defaultGroup && option.isDefault) ??
    options.find(({ group }) => group === defaultGroup);
  return options.map(({ group, option }) => ({
    shippingMethodId: option.id,
    shippingMethod: option.name,
    shippingCost: option.amount.value / 100,
    costOre: option.amount.value,
    priority: option.priority ?? null,
    isDefault: preselected?.option === option,
    group: { brand: group.brand, type: group.type },
    ...(option.meta !== undefined ? { meta: option.meta } : {}),
    ...(option.estimatedDelivery !== undefined ? { estimatedDelivery: option.estimatedDelivery } : {}),
  }));
}

export function newEpaymentExpress(shipping: ShippingRequest, itemsAmount: number): EpaymentExpress {
  return {
    fixedOptions: shipping.fixedOptions ? toEpaymentShippingOptions(shipping.fixedOptions) : null,
    callbackUrl: shipping.dynamicOptions?.callbackUrl ?? null,
    callbackAuthorizationToken: shipping.dynamicOptions?.callbackAuthorizationToken ?? null,
    allowedCountries: shipping.allowedCountries ?? null,
    // The ePayment app always has the delivery step before the payment summary.
    ...newExpressSteps({ explicitCheckoutFlow: true, itemsAmount }),
  };
}

// ---------------------------------------------------------------- the phone's side

/** An ePayment Express payment as the shared flow sees it. */
export function epaymentExpressSubject(payment: EpaymentPayment): ExpressSubject {
  const express = payment.express!;
  return {
    kind: 'epayment',
    id: payment.reference,
    express,
    isWaiting: () => payment.state === 'CREATED',
    staticOptions: express.fixedOptions,
    shippingCall(address) {
      // "Your endpoint receives Reference, AddressLine1, AddressLine2, City, PostCode, Country" (features.md;
      // camelCase on the wire, as Vipps' WooCommerce and Magento plugins read it). Country: ISO code.
      const body = JSON.stringify({
        reference: payment.reference,
        addressLine1: address.addressLine1,
        addressLine2: address.addressLine2,
        city: address.city,
        postCode: address.postCode,
        country: 'NO',
      });
      return {
        url: express.callbackUrl!,
        // The token is sent as it was given, like Checkout's callbackAuthorizationToken.
        headers: { 'content-type': 'application/json', authorization: express.callbackAuthorizationToken! },
        body,
        sentAuthorization: true,
      };
    },
    // "Return HTTP 400 when you cannot ship to that address, and the app tells the customer."
    httpFailure: (status) => (status === 400 ? 'refused' : 'http-error'),
    answerName: 'shipping groups answer',
    readAnswer(json) {
      const parsed = DynamicShippingAnswerSchema.safeParse(json);
      const problems = parsed.success
        ? groupProblems(parsed.data.groups, payment.amount.currency, ['groups'])
        : parsed.error.issues.map((issue) => ({ path: issue.path as (string | number)[], message: issue.message }));
      if (!parsed.success || problems.length > 0) {
        const text = problems.map((p) => `${p.path.join('.') || 'body'}: ${p.message}`).join('; ');
        return { ok: false, failure: 'invalid', error: `not a shipping groups answer: ${text}` };
      }
      return { ok: true, options: toEpaymentShippingOptions(parsed.data.groups) };
    },
  };
}

/** Reserves items + shipping at authorization; false when the user has not got that far. */
export function prepareEpaymentReservation(payment: EpaymentPayment): boolean {
  const express = payment.express!;
  const reserved = reserveExpress(express);
  if (!reserved) return false;
  payment.amount = { currency: payment.amount.currency, value: express.itemsAmount + reserved.option.costOre };
  return true;
}

// ---------------------------------------------------------------- what the merchant reads afterwards

/**
 * The `sub`: a UUID, stable for one user and one sales unit ("The sub is unique for each MSN", "will
 * not change if a user removes their consents … and re-consents": Userinfo API FAQ).
 */
export function subFor(msn: string, msisdn: string): string {
  const hex = createHash('sha256').update(`pwb-sandbox-vipps-sub:${msn}:${msisdn}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The profile a user shares when authorizing a payment with `profile.scope`. */
export function sharedProfileFor(
  payment: EpaymentPayment,
  phoneNumber: string | null,
  at: number,
): SharedProfile | null {
  if (!payment.profileScope) return null;
  const national = payment.express?.user?.mobileNumber ?? (phoneNumber || DEFAULT_EXPRESS_PHONE_NUMBER);
  const user: ExpressUser = payment.express?.user ?? expressUserFor(national);
  const msisdn = parseMobileNumber(national, payment.amount.currency)?.msisdn ?? `47${national}`;
  return { user, msisdn, scopes: scopesOf(payment.profileScope), sharedAt: at, revokedAt: null };
}

export function scopesOf(scope: string): string[] {
  return scope.split(' ').filter((word) => word !== '');
}

/**
 * GET …/payments/{reference} `userDetails` (Get payment: "When scope is added … userDetails and sub
 * may also be returned"): the fields of the scopes shared (`email`, `firstName`, `lastName`,
 * `mobileNumber` as an MSISDN).
 */
export function epaymentUserDetails(profile: SharedProfile) {
  const { scopes, user } = profile;
  return {
    ...(scopes.includes('email') ? { email: user.email } : {}),
    ...(scopes.includes('name') ? { firstName: user.firstName, lastName: user.lastName } : {}),
    ...(scopes.includes('phoneNumber') ? { mobileNumber: profile.msisdn } : {}),
  };
}

/**
 * GET …/payments/{reference} `shippingDetails` of an authorized Express payment: `address`,
 * `shippingCost` (minor units, like every ePayment amount), `shippingOptionId`, `shippingOptionName`.
 */
export function epaymentShippingDetails(express: EpaymentExpress | null) {
  if (!express?.reserved) return null;
  const { address, option } = express.reserved;
  return {
    address: {
      addressLine1: address.addressLine1,
      addressLine2: address.addressLine2,
      city: address.city,
      country: 'NO',
      postCode: address.postCode,
    },
    shippingCost: option.costOre,
    shippingOptionId: option.shippingMethodId,
    shippingOptionName: option.shippingMethod,
  };
}

/** What GET and the `authorized` webhook add for profile sharing and Express. */
export function profileFields(payment: EpaymentPayment) {
  const profile = payment.sharedProfile;
  const shipping = epaymentShippingDetails(payment.express);
  return {
    ...(profile ? { userDetails: epaymentUserDetails(profile) } : {}),
    ...(shipping ? { shippingDetails: shipping } : {}),
  };
}

// ---------------------------------------------------------------- consent removal

/**
 * The user removes a consent in the app. For ePayment nothing is sent to the merchant: the docs
 * describe no consent-removal callback for ePayment (eCom's consentRemovalPrefix has no ePayment
 * counterpart), and the Userinfo API keeps the profile of a payment session available for 168 hours
 * "even if the user revokes the consent in this period" (Userinfo API FAQ). The sandbox only records
 * it. Returns the references concerned.
 */
export function revokeEpaymentConsents(ctx: VippsContext, match: { userId: string; msn?: string }): string[] {
  const now = ctx.clock.now();
  const concerned = [...ctx.state.epayment.values()].filter(
    (payment) =>
      (match.msn === undefined || payment.msn === match.msn) &&
      payment.sharedProfile?.user.userId === match.userId &&
      payment.sharedProfile.revokedAt === null,
  );
  for (const payment of concerned) {
    payment.sharedProfile!.revokedAt = now;
    if (payment.express) payment.express.consentRemovedAt = now;
  }
  return concerned.map((payment) => payment.reference);
}
