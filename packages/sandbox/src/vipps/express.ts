/**
 * Vipps Hurtigkasse (eCom v2 express checkout): what is eCom about it. The user's steps (consent,
 * address, shipping, explicit flow) are shared with ePayment Express in express-flow.ts; here are the
 * eCom shapes:
 *
 *   shipping options from `staticShippingDetails`, or `POST {shippingDetailsPrefix}/v2/payments/{orderId}/shippingDetails`
 *   with the address (10 s timeout); the reservation of items + shipping and the express callback
 *   (ecom.ts / ecom-callbacks.ts); `/details`; consent removal: `DELETE {consentRemovalPrefix}/v2/consents/{userId}`.
 *
 * Refusing consent is the user cancelling (CANCEL, CANCELLED callback). A lookup that times out,
 * fails or answers something that is not a FetchShippingCostResponse leaves the user with "No
 * shipping methods found" / "Payment failed": the payment cannot be completed, so it is cancelled by
 * the user or expires. Every express call to the merchant is recorded in `state.expressExchanges`.
 */
import type { VippsContext } from './context.js';
import { sendOnce } from './delivery.js';
import { FetchShippingCostResponseSchema, toShippingOptions } from './express-data.js';
import { MAX_RECORDED_BODY_BYTES, newExpressSteps, reserveExpress, type ExpressSubject } from './express-flow.js';
import { newUuid } from './ids.js';
import type { EcomPayment, ExpressExchange, ExpressOrder, ShippingOption } from './state.js';

export function newExpressOrder(init: {
  consentRemovalPrefix: string;
  shippingDetailsPrefix: string | null;
  staticShippingDetails: ShippingOption[] | null;
  explicitCheckoutFlow: boolean;
  itemsAmount: number;
}): ExpressOrder {
  const { consentRemovalPrefix, shippingDetailsPrefix, staticShippingDetails, ...steps } = init;
  return { consentRemovalPrefix, shippingDetailsPrefix, staticShippingDetails, ...newExpressSteps(steps) };
}

/** An eCom express order as the shared flow sees it. */
export function ecomExpressSubject(payment: EcomPayment): ExpressSubject {
  const express = payment.express!;
  return {
    kind: 'ecom',
    id: payment.orderId,
    express,
    isWaiting: () => payment.status === 'initiated',
    // The spec: with staticShippingDetails the shippingDetails callback is not used.
    staticOptions: express.staticShippingDetails,
    shippingCall(address) {
      // ShippingCostAndMethod: country is "NO" (the spec's default and example), addressType H/W/O.
      const body = JSON.stringify({
        addressId: address.addressId,
        addressLine1: address.addressLine1,
        addressLine2: address.addressLine2,
        city: address.city,
        country: 'NO',
        postCode: address.postCode,
        addressType: address.addressType,
      });
      const headers: Record<string, string> = { 'content-type': 'application/json;charset=UTF-8' };
      // The authToken "will be returned as an Authorization header for our callbacks. This includes shipping details".
      if (payment.authToken !== null) headers['authorization'] = payment.authToken;
      return {
        url: `${express.shippingDetailsPrefix}/v2/payments/${payment.orderId}/shippingDetails`,
        headers,
        body,
        sentAuthorization: payment.authToken !== null,
      };
    },
    httpFailure: () => 'http-error',
    answerName: 'FetchShippingCostResponse',
    readAnswer(json, addressId) {
      const parsed = FetchShippingCostResponseSchema.safeParse(json);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
        return { ok: false, failure: 'invalid', error: `not a FetchShippingCostResponse: ${problems}` };
      }
      // "Vipps Provided address Id. To be returned in response in the same field."
      if (parsed.data.addressId !== addressId) {
        return {
          ok: false,
          failure: 'invalid',
          error: `addressId ${parsed.data.addressId} is not the one asked for (${addressId})`,
        };
      }
      if (parsed.data.orderId !== payment.orderId) {
        return { ok: false, failure: 'invalid', error: `orderId ${parsed.data.orderId} is not ${payment.orderId}` };
      }
      return { ok: true, options: toShippingOptions(parsed.data.shippingDetails) };
    },
  };
}

/** What the reservation is made of, once the user confirmed (called by ecom.ts authorize). */
export function prepareExpressReservation(payment: EcomPayment): boolean {
  const express = payment.express!;
  const reserved = reserveExpress(express);
  if (!reserved) return false;
  payment.amount = express.itemsAmount + reserved.option.costOre;
  return true;
}

// ---------------------------------------------------------------- callbacks, details, consent removal

/** The express callback's `shippingDetails` (ShippingDetailsRequest with AddressExpress). */
export function expressCallbackShipping(express: ExpressOrder) {
  const { address, option } = express.reserved!;
  return {
    address: {
      addressLine1: address.addressLine1,
      addressLine2: address.addressLine2,
      city: address.city,
      country: 'Norway',
      // AddressExpress names the property zipCode ("apologies for not using postCode") but lists
      // postCode as required, and the guide's callback example uses postCode: both are sent.
      zipCode: address.postCode,
      postCode: address.postCode,
    },
    shippingCost: option.shippingCost,
    shippingMethod: option.shippingMethod,
    shippingMethodId: option.shippingMethodId,
  };
}

/** `/details` of a reserved express payment: userDetails and shippingDetails (PaymentShippingDetails). */
export function expressDetails(express: ExpressOrder | null) {
  if (!express?.reserved || !express.user) return {};
  const { address, option } = express.reserved;
  return {
    userDetails: { ...express.user },
    shippingDetails: {
      address: {
        addressLine1: address.addressLine1,
        addressLine2: address.addressLine2,
        city: address.city,
        country: 'Norway',
        postCode: address.postCode,
      },
      shippingCost: option.shippingCost,
      shippingMethod: option.shippingMethod,
      shippingMethodId: option.shippingMethodId,
    },
  };
}

/**
 * The user removes consent (Vipps: Profile → Privacy → "Companies that remember you"): one
 * `DELETE {consentRemovalPrefix}/v2/consents/{userId}` per sales unit and distinct prefix among the
 * user's consented express orders (at one sales unit when `msn` is given). One attempt each, 3 s
 * timeout; no Authorization header (the spec lists none for this endpoint, unlike the callback and
 * shippingDetails). Resolves with the calls made (none when there was no consent to remove).
 */
export async function removeConsent(
  ctx: VippsContext,
  match: { userId: string; msn?: string },
): Promise<ExpressExchange[]> {
  const orders = [...ctx.state.ecom.values()].filter(
    (order) =>
      (match.msn === undefined || order.msn === match.msn) &&
      order.express?.user?.userId === match.userId &&
      order.express.consent === 'given' &&
      order.express.consentRemovedAt === null,
  );
  const user = { userId: match.userId };
  const byPrefix = new Map<string, { prefix: string; orders: EcomPayment[] }>();
  for (const order of orders) {
    const prefix = order.express!.consentRemovalPrefix;
    const key = `${order.msn} ${prefix}`;
    byPrefix.set(key, { prefix, orders: [...(byPrefix.get(key)?.orders ?? []), order] });
  }
  const now = ctx.clock.now();
  for (const order of orders) order.express!.consentRemovedAt = now;
  const exchanges = [...byPrefix.values()].map(async ({ prefix, orders: concerned }) => {
    const exchange: ExpressExchange = {
      id: newUuid(),
      kind: 'consent-removal',
      orderIds: concerned.map((order) => order.orderId),
      method: 'DELETE',
      url: `${prefix}/v2/consents/${encodeURIComponent(user.userId)}`,
      sentAuthorization: false,
      requestBody: null,
      startedAt: new Date(ctx.clock.now()).toISOString(),
      finishedAt: null,
      response: null,
      error: null,
      scenario: null,
      outcome: 'pending',
    };
    ctx.state.expressExchanges.push(exchange);
    const result = await sendOnce(ctx, {
      method: 'DELETE',
      url: exchange.url,
      body: null,
      headers: {},
      timeoutMs: ctx.config.timing.callbackTimeoutMs,
      maxBodyBytes: MAX_RECORDED_BODY_BYTES,
    });
    exchange.finishedAt = new Date(ctx.clock.now()).toISOString();
    if (result.httpStatus !== null) exchange.response = { status: result.httpStatus, body: result.body ?? '' };
    exchange.error = result.error;
    exchange.outcome = result.ok ? 'delivered' : 'failed';
    return exchange;
  });
  const done = Promise.all(exchanges);
  ctx.state.track(done);
  return done;
}
