/**
 * Routes of the sandbox phone's express checkout screens (express-templates.ts), for eCom's
 * Hurtigkasse and ePayment's Express alike (express-flow.ts). Every step is a
 * POST that answers 303 back to the phone page; a step that asks the merchant for shipping options
 * (consent, another address, "Try again") answers once the merchant has answered or the
 * shippingDetails timeout has passed, so the next page already shows the options or the error.
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { UserView, VippsContext, VippsEnv } from './context.js';
import { DEFAULT_EXPRESS_PHONE_NUMBER, expressAddress, expressUserFor } from './express-data.js';
import {
  changeDelivery,
  chooseAddress,
  confirmDelivery,
  confirmExpress,
  expressStep,
  giveConsent,
  refuseConsent,
  retryShipping,
  selectedOption,
  shippingOptionsOf,
  type ExpressResult,
  type ExpressSubject,
} from './express-flow.js';
import { expressSubjectOf } from './express-subjects.js';
import {
  expressConsentPage,
  expressDeliveryPage,
  expressLoadingPage,
  expressPaymentPage,
  type ShippingState,
} from './express-templates.js';
import { formatPhoneForDisplay, parseMobileNumber } from './phone.js';
import type { UserSession } from './state.js';

type Markup = ReturnType<typeof expressConsentPage>;

const AddressForm = z.object({ addressId: z.coerce.number().int().min(100).max(1_000_000) });
// ePayment option ids have no documented length limit (eCom's shippingMethodId: 100).
const ShippingForm = z.object({ shippingMethodId: z.string().min(1).max(2048).optional() });

/** The express payment behind a session, if it is one. */
export function expressPaymentOf(ctx: VippsContext, session: UserSession): ExpressSubject | undefined {
  return expressSubjectOf(ctx, session);
}

function shippingState(subject: ExpressSubject): ShippingState {
  const { express } = subject;
  const lookup = express.lookup;
  return {
    addressId: express.addressId,
    options: shippingOptionsOf(express),
    selected: selectedOption(express),
    failure: lookup.status === 'failed' && lookup.addressId === express.addressId ? lookup.failure : null,
  };
}

/** The phone's screen for a waiting express payment (after the push or the app switch). */
export function expressPhonePage(
  ctx: VippsContext,
  session: UserSession,
  subject: ExpressSubject,
  view: UserView,
): Markup {
  const { express } = subject;
  const base = {
    basePath: ctx.config.basePath,
    token: session.token,
    view,
    timeLeftMs: session.deadline - ctx.clock.now(),
    itemsAmount: express.itemsAmount,
  };
  switch (expressStep(express)) {
    case 'consent': {
      const number = session.phoneNumber ?? DEFAULT_EXPRESS_PHONE_NUMBER;
      const phone = parseMobileNumber(number, 'NOK');
      return expressConsentPage({
        ...base,
        user: expressUserFor(number),
        phoneDisplay: phone ? formatPhoneForDisplay(phone) : number,
        address: expressAddress(express.addressId)!,
      });
    }
    case 'loading':
      return expressLoadingPage(base);
    case 'delivery':
      return expressDeliveryPage({ ...base, shipping: shippingState(subject) });
    case 'payment':
      return expressPaymentPage({
        ...base,
        explicit: express.explicitCheckoutFlow,
        address: expressAddress(express.addressId)!,
        shipping: shippingState(subject),
      });
  }
}

export interface PhoneRouteHelpers {
  sessionFor(token: string | undefined): UserSession | undefined;
  notFound(c: Context): Promise<Response> | Response;
  /** 303 to the phone page (or, after an app switch and a final decision, back to the store). */
  back(session: UserSession, decided: boolean): Response;
}

export function registerExpressPhoneRoutes(app: Hono<VippsEnv>, ctx: VippsContext, helpers: PhoneRouteHelpers): void {
  const step =
    (run: (c: Context, session: UserSession, subject: ExpressSubject) => Promise<ExpressResult | 'decided'>) =>
    async (c: Context) => {
      const session = helpers.sessionFor(c.req.param('token'));
      const subject = session && expressSubjectOf(ctx, session);
      if (!session || !subject) return helpers.notFound(c);
      const outcome = await run(c, session, subject);
      return helpers.back(session, outcome === 'decided');
    };
  const form = async <T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T> | null> => {
    const parsed = schema.safeParse(await c.req.parseBody());
    return parsed.success ? parsed.data : null;
  };

  app.post(
    '/sandbox-phone/:token/consent/accept',
    step(async (_c, session, subject) => {
      const { result, pending } = giveConsent(ctx, session, subject);
      if (pending) await pending;
      return result;
    }),
  );
  app.post(
    '/sandbox-phone/:token/consent/refuse',
    step(async (_c, session, subject) => {
      const result = refuseConsent(ctx, session, subject);
      return result.ok ? 'decided' : result;
    }),
  );
  app.post(
    '/sandbox-phone/:token/address',
    step(async (c, session, subject) => {
      const body = await form(c, AddressForm);
      if (!body) return { ok: false, reason: 'unknown-address' };
      const { result, pending } = chooseAddress(ctx, session, subject, body.addressId);
      if (pending) await pending;
      return result;
    }),
  );
  app.post(
    '/sandbox-phone/:token/shipping/retry',
    step(async (_c, session, subject) => {
      const { result, pending } = retryShipping(ctx, session, subject);
      if (pending) await pending;
      return result;
    }),
  );
  app.post(
    '/sandbox-phone/:token/delivery',
    step(async (c, session, subject) => {
      const body = await form(c, ShippingForm);
      return confirmDelivery(ctx, session, subject, body?.shippingMethodId);
    }),
  );
  app.post(
    '/sandbox-phone/:token/delivery/change',
    step(async (_c, session, subject) => changeDelivery(ctx, session, subject)),
  );
}

/** The phone's Confirm for an express payment: with the shipping method of the form (old flow). */
export async function confirmExpressFromForm(
  ctx: VippsContext,
  c: Context,
  session: UserSession,
  subject: ExpressSubject,
): Promise<ExpressResult> {
  const parsed = ShippingForm.safeParse(await c.req.parseBody());
  return confirmExpress(ctx, session, subject, parsed.success ? parsed.data.shippingMethodId : undefined);
}
