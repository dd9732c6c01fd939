/**
 * Userinfo API (`GET /vipps-userinfo-api/userinfo/{sub}`) for the profiles users share in ePayment
 * payments (profile sharing and Express), after Vipps MobilePay's published documentation:
 *
 * - API reference: https://developer.vippsmobilepay.com/api/userinfo ("Get Userinfo": `sub` in the
 *   path, `Authorization` required (the access token of POST /accesstoken/get), `Ocp-Apim-Subscription-Key`
 *   and `Merchant-Serial-Number` optional; the fields each scope returns)
 * - API guide: https://developer.vippsmobilepay.com/docs/APIs/userinfo-api/userinfo-api-guide
 *   (the example response; "a time limit of 168 hours … after 168 hours, you will get an error")
 * - FAQ: https://developer.vippsmobilepay.com/docs/APIs/userinfo-api/userinfo-api-faq
 *   ("we keep this information accessible for the merchant for the next 168 hours … even if the user
 *   revokes the consent in this period"; "the sub is unique for each MSN")
 *
 * The answer is the test user's profile as it is when asked (it never changes), with the claims of
 * every scope the user shared with this sales unit in payments authorized within the last 168 hours.
 */
import type { Context, Hono } from 'hono';
import { countCall, secretEquals } from './auth.js';
import type { VippsContext, VippsEnv } from './context.js';
import { EXPRESS_TEST_ADDRESSES } from './express-data.js';
import { instancePath, jsonResponse, problemResponse } from './errors.js';
import type { ExpressAddress, SharedProfile } from './state.js';

/** How long a shared profile can be fetched: 168 hours (one week) after the payment. */
export const USERINFO_RETENTION_MS = 168 * 60 * 60 * 1000;

/** The test user's birth date, for the `birthDate` scope. */
export const EXPRESS_TEST_BIRTHDATE = '1988-05-17';

const ADDRESS_TYPES: Record<ExpressAddress['addressType'], string> = { H: 'home', W: 'work', O: 'other' };

/** An address as OIDC's `address` claim, in the guide example's form (`region` is the postal town, upper case). */
function oidcAddress(address: ExpressAddress) {
  const street = [address.addressLine1, address.addressLine2].filter((line) => line !== '').join('\n');
  const region = address.city.toUpperCase();
  return {
    street_address: street,
    postal_code: address.postCode,
    region,
    country: 'NO',
    formatted: `${street}\n${address.postCode} ${region}\nNO`,
    address_type: ADDRESS_TYPES[address.addressType],
  };
}

/** The claims of the scopes shared (API reference: "The scopes provided return the following fields"). */
export function userinfoClaims(sub: string, profile: SharedProfile, scopes: ReadonlySet<string>) {
  const { user } = profile;
  const [home, ...others] = EXPRESS_TEST_ADDRESSES;
  return {
    sub,
    ...(scopes.has('name')
      ? { name: `${user.firstName} ${user.lastName}`, given_name: user.firstName, family_name: user.lastName }
      : {}),
    ...(scopes.has('email') ? { email: user.email, email_verified: true } : {}),
    ...(scopes.has('phoneNumber') ? { phone_number: profile.msisdn, phone_number_verified: true } : {}),
    ...(scopes.has('address') ? { address: oidcAddress(home!), other_addresses: others.map(oidcAddress) } : {}),
    ...(scopes.has('birthDate') ? { birthdate: EXPRESS_TEST_BIRTHDATE } : {}),
  };
}

const MISSING_TOKEN = 'Missing or malformed Authorization header. Use "Authorization: Bearer <access token>".';

export function registerUserinfoRoutes(app: Hono<VippsEnv>, ctx: VippsContext): void {
  const problem = (c: Context, status: number, detail: string, title?: string) =>
    problemResponse({ status, detail, title, instance: instancePath(c, ctx.config.basePath) });

  app.get('/vipps-userinfo-api/userinfo/:sub', countCall(ctx, 'GET /vipps-userinfo-api/userinfo/{sub}'), (c) => {
    // The merchant's access token is required; the subscription key and the MSN are optional, but
    // must be right when sent.
    const match = /^Bearer (\S+)$/.exec(c.req.header('Authorization') ?? '');
    const token = match?.[1] ? ctx.tokens.find(match[1]) : undefined;
    if (!match?.[1]) return problem(c, 401, MISSING_TOKEN);
    if (!token || token.expiresAt <= ctx.clock.now()) {
      return problem(c, 401, 'The access token is invalid or has expired. Get a new one from POST /accesstoken/get.');
    }
    const key = c.req.header('Ocp-Apim-Subscription-Key');
    if (key !== undefined && !secretEquals(key, ctx.config.credentials.subscriptionKey)) {
      return problem(c, 401, 'Access denied due to invalid subscription key.');
    }
    const msn = c.req.header('Merchant-Serial-Number');
    if (msn !== undefined && msn !== token.msn) {
      return problem(c, 403, 'Invalid MSN: this MSN is not valid for the access token.');
    }

    const sub = c.req.param('sub');
    const shared = [...ctx.state.epayment.values()].filter(
      (payment) => payment.msn === token.msn && payment.sub === sub && payment.sharedProfile !== null,
    );
    // A sub belongs to one sales unit: another MSN's, or one never shared, is not found.
    if (shared.length === 0) {
      return problem(c, 404, `No user with this sub has shared a profile with this sales unit.`, 'Not Found');
    }
    const now = ctx.clock.now();
    const fresh = shared.filter((payment) => now - payment.sharedProfile!.sharedAt < USERINFO_RETENTION_MS);
    if (fresh.length === 0) {
      return problem(
        c,
        403,
        'The profile was shared more than 168 hours ago and can no longer be retrieved.',
        'Forbidden',
      );
    }
    const scopes = new Set(fresh.flatMap((payment) => payment.sharedProfile!.scopes));
    const latest = fresh.reduce((a, b) => (b.sharedProfile!.sharedAt > a.sharedProfile!.sharedAt ? b : a));
    return jsonResponse(200, userinfoClaims(sub, latest.sharedProfile!, scopes), 'application/json');
  });
}
