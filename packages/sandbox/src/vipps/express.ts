/**
 * Vipps Hurtigkasse (eCom v2 express checkout), the user's side and Vipps' calls to the merchant:
 *
 *   consent (name, email, phone, address) → address (the test user's, Home preselected) →
 *   shipping options (`staticShippingDetails`, or `POST {shippingDetailsPrefix}/v2/payments/{orderId}/shippingDetails`
 *   with the address, 10 s timeout) → explicit flow: confirm address and shipping on their own step →
 *   confirm the payment → RESERVE of items + shipping and the express callback (ecom.ts / ecom-callbacks.ts).
 *
 * Refusing consent is the user cancelling (CANCEL, CANCELLED callback). A lookup that times out,
 * fails or answers something that is not a FetchShippingCostResponse leaves the user with "No
 * shipping methods found" / "Payment failed": the payment cannot be completed, so it is cancelled by
 * the user or expires. Later the user may remove the consent: `DELETE {consentRemovalPrefix}/v2/consents/{userId}`.
 * Every express call to the merchant is recorded in `state.expressExchanges`.
 */
import type { VippsContext } from './context.js';
import { sendOnce } from './delivery.js';
import {
  DEFAULT_EXPRESS_PHONE_NUMBER,
  defaultShippingOption,
  EXPRESS_TEST_ADDRESSES,
  expressAddress,
  expressUserFor,
  FetchShippingCostResponseSchema,
  toShippingOptions,
} from './express-data.js';
import { expireIfDue, sendPush, userDecides, type ActionResult } from './flows.js';
import { newUuid } from './ids.js';
import type {
  EcomPayment,
  ExpressExchange,
  ExpressOrder,
  ShippingDetailsScenario,
  ShippingFailure,
  ShippingOption,
  UserSession,
} from './state.js';

const MAX_RECORDED_BODY_BYTES = 64 * 1024;

/** What the app says when there are no shipping options to show (spec / FAQ wording). */
export function shippingFailureMessage(failure: ShippingFailure): string {
  // The spec: a merchant that does not answer in time gives "No shipping methods found"; the FAQ:
  // an incorrect answer gives "Payment failed".
  return failure === 'http-error' || failure === 'invalid' ? 'Payment failed' : 'No shipping methods found';
}

export function newExpressOrder(init: {
  consentRemovalPrefix: string;
  shippingDetailsPrefix: string | null;
  staticShippingDetails: ShippingOption[] | null;
  explicitCheckoutFlow: boolean;
  itemsAmount: number;
}): ExpressOrder {
  return {
    ...init,
    consent: 'pending',
    user: null,
    addressId: EXPRESS_TEST_ADDRESSES[0]!.addressId,
    lookup: { status: 'idle' },
    lookupSeq: 0,
    selectedShippingMethodId: null,
    deliveryConfirmed: false,
    reserved: null,
    consentRemovedAt: null,
  };
}

/** The step the app shows for a waiting express payment. */
export type ExpressStep = 'consent' | 'loading' | 'delivery' | 'payment';

export function expressStep(express: ExpressOrder): ExpressStep {
  if (express.consent !== 'given') return 'consent';
  if (express.lookup.status === 'loading' || express.lookup.status === 'idle') return 'loading';
  if (express.explicitCheckoutFlow && !express.deliveryConfirmed) return 'delivery';
  return 'payment';
}

export function shippingOptionsOf(express: ExpressOrder): ShippingOption[] {
  return express.lookup.status === 'ready' && express.lookup.addressId === express.addressId
    ? express.lookup.options
    : [];
}

/** The option the user has picked, or the preselected default. */
export function selectedOption(express: ExpressOrder): ShippingOption | undefined {
  const options = shippingOptionsOf(express);
  return (
    options.find((option) => option.shippingMethodId === express.selectedShippingMethodId) ??
    defaultShippingOption(options)
  );
}

// ---------------------------------------------------------------- the shipping lookup

/** Lookups in flight, so a second caller waits for the same one. */
const inFlight = new WeakMap<ExpressOrder, Promise<void>>();

function scenarioFor(ctx: VippsContext, orderId: string): ShippingDetailsScenario {
  return ctx.state.scenario.shippingByOrder.get(orderId) ?? ctx.state.scenario.shippingDefault;
}

/** Waits on the sandbox clock (not tracked for reset: a late wake-up finds a newer generation). */
function sleep(ctx: VippsContext, ms: number): Promise<void> {
  return new Promise((resolve) => {
    ctx.clock.setTimeout(resolve, ms);
  });
}

function stillCurrent(ctx: VippsContext, payment: EcomPayment, seq: number, generation: number): boolean {
  return (
    ctx.state.generation === generation &&
    payment.status === 'initiated' &&
    payment.express !== null &&
    payment.express.lookupSeq === seq
  );
}

/**
 * Fetches the shipping options for the selected address (or takes the static ones). Returns the
 * lookup in flight, or null when nothing needs to be waited for.
 */
export function loadShippingOptions(ctx: VippsContext, payment: EcomPayment): Promise<void> | null {
  const express = payment.express!;
  const addressId = express.addressId;
  if (express.staticShippingDetails) {
    // The spec: with staticShippingDetails the shippingDetails callback is not used.
    express.lookup = { status: 'ready', addressId, options: express.staticShippingDetails, source: 'static' };
    return null;
  }
  if (express.lookup.status === 'loading' && express.lookup.addressId === addressId) {
    return inFlight.get(express) ?? null;
  }
  const seq = ++express.lookupSeq;
  express.lookup = { status: 'loading', addressId };
  const promise = fetchShippingOptions(ctx, payment, seq).finally(() => {
    if (inFlight.get(express) === promise) inFlight.delete(express);
  });
  inFlight.set(express, promise);
  ctx.state.track(promise);
  return promise;
}

async function fetchShippingOptions(ctx: VippsContext, payment: EcomPayment, seq: number): Promise<void> {
  const express = payment.express!;
  const generation = ctx.state.generation;
  const address = expressAddress(express.addressId)!;
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
  const scenario = scenarioFor(ctx, payment.orderId);
  const timeoutMs = ctx.state.scenario.shippingDetailsTimeoutMs;
  const exchange: ExpressExchange = {
    id: newUuid(),
    kind: 'shipping-details',
    orderIds: [payment.orderId],
    method: 'POST',
    url: `${express.shippingDetailsPrefix}/v2/payments/${payment.orderId}/shippingDetails`,
    sentAuthorization: payment.authToken !== null,
    requestBody: body,
    startedAt: new Date(ctx.clock.now()).toISOString(),
    finishedAt: null,
    response: null,
    error: null,
    scenario: scenario.mode === 'normal' ? null : scenario.mode,
    outcome: 'pending',
  };
  ctx.state.expressExchanges.push(exchange);

  const started = ctx.clock.now();
  const result = await sendOnce(ctx, {
    method: 'POST',
    url: exchange.url,
    body,
    headers,
    timeoutMs,
    maxBodyBytes: MAX_RECORDED_BODY_BYTES,
  });
  if (result.httpStatus !== null) exchange.response = { status: result.httpStatus, body: result.body ?? '' };

  let outcome: { ok: true; options: ShippingOption[] } | { ok: false; failure: ShippingFailure; error: string };
  if (scenario.mode === 'slow') {
    const delayMs = scenario.delayMs ?? timeoutMs;
    const waitMs = Math.min(delayMs, timeoutMs) - (ctx.clock.now() - started);
    if (waitMs > 0) await sleep(ctx, waitMs);
    outcome =
      delayMs >= timeoutMs
        ? { ok: false, failure: 'timeout', error: `timed out after ${timeoutMs} ms (scenario: slow)` }
        : evaluate(result, payment, express.addressId);
  } else if (scenario.mode === 'fail') {
    outcome = { ok: false, failure: 'http-error', error: `HTTP ${scenario.status} (scenario: fail)` };
  } else if (scenario.mode === 'nonsense') {
    outcome = {
      ok: false,
      failure: 'invalid',
      error: 'the answer is not a FetchShippingCostResponse (scenario: nonsense)',
    };
  } else {
    outcome = evaluate(result, payment, express.addressId);
  }
  exchange.finishedAt = new Date(ctx.clock.now()).toISOString();
  exchange.outcome = outcome.ok ? 'accepted' : outcome.failure;
  exchange.error = outcome.ok ? null : outcome.error;

  if (!stillCurrent(ctx, payment, seq, generation)) return;
  express.lookup = outcome.ok
    ? outcome.options.length > 0
      ? { status: 'ready', addressId: express.addressId, options: outcome.options, source: 'merchant' }
      : { status: 'failed', addressId: express.addressId, failure: 'empty' }
    : { status: 'failed', addressId: express.addressId, failure: outcome.failure };
  if (outcome.ok && outcome.options.length === 0) {
    exchange.outcome = 'empty';
    exchange.error = 'the answer lists no shipping methods';
  }
}

function evaluate(
  result: Awaited<ReturnType<typeof sendOnce>>,
  payment: EcomPayment,
  addressId: number,
): { ok: true; options: ShippingOption[] } | { ok: false; failure: ShippingFailure; error: string } {
  if (result.timedOut) return { ok: false, failure: 'timeout', error: result.error ?? 'timed out' };
  if (result.httpStatus === null) return { ok: false, failure: 'network-error', error: result.error ?? 'no answer' };
  if (!result.ok) return { ok: false, failure: 'http-error', error: `HTTP ${result.httpStatus}` };
  let json: unknown;
  try {
    json = JSON.parse(result.body ?? '');
  } catch {
    return { ok: false, failure: 'invalid', error: 'the answer is not JSON' };
  }
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
}

// ---------------------------------------------------------------- the user's steps

export type ExpressResult =
  | ActionResult
  | {
      ok: false;
      reason:
        | 'no-consent'
        | 'consent-given'
        | 'no-shipping'
        | 'delivery-not-confirmed'
        | 'unknown-address'
        | 'unknown-shipping';
    };

function expressOf(ctx: VippsContext, session: UserSession): EcomPayment | undefined {
  const payment = session.kind === 'ecom' ? ctx.state.ecom.get(session.paymentId) : undefined;
  return payment?.express ? payment : undefined;
}

function waitingInApp(ctx: VippsContext, payment: EcomPayment, session: UserSession): ActionResult {
  expireIfDue(ctx, session);
  if (payment.status !== 'initiated') return { ok: false, reason: 'not-waiting' };
  if (session.stage === 'landing') return { ok: false, reason: 'wrong-stage' };
  return { ok: true };
}

/**
 * The user shares name, email, phone and address: the Home address (or `addressId`) is selected and
 * its shipping options are loaded.
 */
export function giveConsent(
  ctx: VippsContext,
  session: UserSession,
  payment: EcomPayment,
  addressId?: number,
): { result: ExpressResult; pending: Promise<void> | null } {
  const express = payment.express!;
  const state = waitingInApp(ctx, payment, session);
  if (!state.ok) return { result: state, pending: null };
  if (express.consent === 'given') return { result: { ok: true }, pending: inFlight.get(express) ?? null };
  if (addressId !== undefined) {
    if (!expressAddress(addressId)) return { result: { ok: false, reason: 'unknown-address' }, pending: null };
    express.addressId = addressId;
  }
  express.consent = 'given';
  express.user = expressUserFor(session.phoneNumber ?? DEFAULT_EXPRESS_PHONE_NUMBER);
  return { result: { ok: true }, pending: loadShippingOptions(ctx, payment) };
}

/** The user does not share the information: the payment is cancelled by the user (CANCEL, CANCELLED). */
export function refuseConsent(ctx: VippsContext, session: UserSession, payment: EcomPayment): ExpressResult {
  const express = payment.express!;
  const state = waitingInApp(ctx, payment, session);
  if (!state.ok) return state;
  if (express.consent === 'given') return { ok: false, reason: 'consent-given' };
  express.consent = 'refused';
  return userDecides(ctx, session, 'reject', 'phone');
}

/** Another of the user's addresses: its shipping options are loaded (again). */
export function chooseAddress(
  ctx: VippsContext,
  session: UserSession,
  payment: EcomPayment,
  addressId: number,
): { result: ExpressResult; pending: Promise<void> | null } {
  const express = payment.express!;
  const state = waitingInApp(ctx, payment, session);
  if (!state.ok) return { result: state, pending: null };
  if (express.consent !== 'given') return { result: { ok: false, reason: 'no-consent' }, pending: null };
  if (!expressAddress(addressId)) return { result: { ok: false, reason: 'unknown-address' }, pending: null };
  const changed = express.addressId !== addressId;
  express.addressId = addressId;
  express.deliveryConfirmed = false;
  if (changed) express.selectedShippingMethodId = null;
  const reload = changed || express.lookup.status === 'failed' || express.lookup.status === 'idle';
  return {
    result: { ok: true },
    pending: reload ? loadShippingOptions(ctx, payment) : (inFlight.get(express) ?? null),
  };
}

function pickOption(express: ExpressOrder, shippingMethodId: string | undefined): ExpressResult {
  const options = shippingOptionsOf(express);
  if (options.length === 0) return { ok: false, reason: 'no-shipping' };
  const option =
    shippingMethodId === undefined
      ? selectedOption(express)
      : options.find((candidate) => candidate.shippingMethodId === shippingMethodId);
  if (!option) return { ok: false, reason: 'unknown-shipping' };
  express.selectedShippingMethodId = option.shippingMethodId;
  return { ok: true };
}

/** Explicit flow: the user confirms the address and the shipping method on their own step. */
export function confirmDelivery(
  ctx: VippsContext,
  session: UserSession,
  payment: EcomPayment,
  shippingMethodId: string | undefined,
): ExpressResult {
  const express = payment.express!;
  const state = waitingInApp(ctx, payment, session);
  if (!state.ok) return state;
  if (express.consent !== 'given') return { ok: false, reason: 'no-consent' };
  const picked = pickOption(express, shippingMethodId);
  if (!picked.ok) return picked;
  express.deliveryConfirmed = true;
  return { ok: true };
}

/** Explicit flow: back from the payment step to the delivery step. */
export function changeDelivery(ctx: VippsContext, session: UserSession, payment: EcomPayment): ExpressResult {
  const state = waitingInApp(ctx, payment, session);
  if (!state.ok) return state;
  payment.express!.deliveryConfirmed = false;
  return { ok: true };
}

/**
 * The user confirms the payment: with the shipping method picked on this page (old flow) or on the
 * delivery step (explicit flow). Reserves items + shipping (ecom.ts authorize).
 */
export function confirmExpress(
  ctx: VippsContext,
  session: UserSession,
  payment: EcomPayment,
  shippingMethodId: string | undefined,
  from: 'phone' | 'control' = 'phone',
): ExpressResult {
  const express = payment.express!;
  const state = waitingInApp(ctx, payment, session);
  if (!state.ok) return state;
  if (express.consent !== 'given') return { ok: false, reason: 'no-consent' };
  if (express.explicitCheckoutFlow && !express.deliveryConfirmed)
    return { ok: false, reason: 'delivery-not-confirmed' };
  const picked = pickOption(express, express.explicitCheckoutFlow ? undefined : shippingMethodId);
  if (!picked.ok) return picked;
  return userDecides(ctx, session, 'confirm', from);
}

/** What the reservation is made of, once the user confirmed (called by ecom.ts authorize). */
export function prepareExpressReservation(payment: EcomPayment): boolean {
  const express = payment.express!;
  const option = selectedOption(express);
  const address = expressAddress(express.addressId);
  if (express.consent !== 'given' || !option || !address) return false;
  express.reserved = { address, option };
  payment.amount = express.itemsAmount + option.costOre;
  return true;
}

export interface ExpressChoice {
  phoneNumber?: string | undefined;
  addressId?: number | undefined;
  shippingMethodId?: string | undefined;
}

/**
 * Scenario control: the user goes through the whole express flow with the given (or default)
 * choices. Synchronous when no lookup has to be waited for (static shipping), else a promise.
 */
export function approveExpress(
  ctx: VippsContext,
  session: UserSession,
  choice: ExpressChoice,
): ExpressResult | Promise<ExpressResult> {
  const payment = expressOf(ctx, session);
  if (!payment || payment.status !== 'initiated') return { ok: false, reason: 'not-waiting' };
  if (session.stage === 'landing') {
    const pushed = sendPush(ctx, session, choice.phoneNumber ?? session.phoneNumber ?? DEFAULT_EXPRESS_PHONE_NUMBER);
    if (!pushed.ok) return pushed;
  }
  const express = payment.express!;
  if (express.consent === 'refused') return { ok: false, reason: 'no-consent' };
  if (choice.addressId !== undefined && !expressAddress(choice.addressId))
    return { ok: false, reason: 'unknown-address' };
  let pending: Promise<void> | null = null;
  if (express.consent === 'pending') {
    const consented = giveConsent(ctx, session, payment, choice.addressId);
    if (!consented.result.ok) return consented.result;
    pending = consented.pending;
  } else if (choice.addressId !== undefined && choice.addressId !== express.addressId) {
    const chosen = chooseAddress(ctx, session, payment, choice.addressId);
    if (!chosen.result.ok) return chosen.result;
    pending = chosen.pending;
  } else if (express.lookup.status !== 'ready' || express.lookup.addressId !== express.addressId) {
    pending = loadShippingOptions(ctx, payment);
  }
  const finish = (): ExpressResult => {
    if (express.explicitCheckoutFlow) {
      const delivered = confirmDelivery(ctx, session, payment, choice.shippingMethodId);
      if (!delivered.ok) return delivered;
    }
    return confirmExpress(ctx, session, payment, choice.shippingMethodId, 'control');
  };
  return pending ? pending.then(finish) : finish();
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
