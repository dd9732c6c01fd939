/**
 * The user's side of an express checkout, shared by eCom's Vipps Hurtigkasse (express.ts) and
 * ePayment's Express (epayment-express.ts): the app experience is the same, only the API shapes differ.
 *
 *   consent (name, email, phone, address) → address (the test user's, Home preselected) →
 *   shipping options (static, or asked from the merchant for that address, with the sandbox's
 *   timeout and scenario controls) → explicit flow: confirm address and shipping on their own step →
 *   confirm the payment → the API module reserves items + shipping.
 *
 * Each API supplies an `ExpressSubject`: where its options come from, how the call to the merchant
 * looks and how the answer is read. Everything else (the steps, the lookup's bookkeeping, the
 * slow/fail/nonsense scenarios, the exchange log) lives here once.
 */
import type { VippsContext } from './context.js';
import { sendOnce, type SendResult } from './delivery.js';
import {
  DEFAULT_EXPRESS_PHONE_NUMBER,
  defaultShippingOption,
  EXPRESS_TEST_ADDRESSES,
  expressAddress,
  expressUserFor,
  formatAddress,
} from './express-data.js';
import { expireIfDue, sendPush, userDecides, type ActionResult } from './flows.js';
import { newUuid } from './ids.js';
import { formatAmount } from './page-templates.js';
import type {
  ExpressAddress,
  ExpressExchange,
  ExpressSteps,
  ShippingDetailsScenario,
  ShippingFailure,
  ShippingOption,
  UserSession,
} from './state.js';

export const MAX_RECORDED_BODY_BYTES = 64 * 1024;

/** The call to the merchant for the shipping options of one address. */
export interface ShippingCall {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Whether the merchant's secret went along as `Authorization` (its value is never recorded). */
  sentAuthorization: boolean;
}

export type ShippingAnswer =
  { ok: true; options: ShippingOption[] } | { ok: false; failure: ShippingFailure; error: string };

/** One express payment as the shared flow sees it. */
export interface ExpressSubject {
  kind: 'ecom' | 'epayment';
  /** eCom orderId or ePayment reference: what scenarios and exchanges are keyed by. */
  id: string;
  express: ExpressSteps;
  /** The payment still waits for the user (eCom `initiated`, ePayment `CREATED`). */
  isWaiting(): boolean;
  /** Static options (eCom staticShippingDetails, ePayment fixedOptions), or null to ask the merchant. */
  staticOptions: ShippingOption[] | null;
  /** The request to the merchant for the selected address. */
  shippingCall(address: ExpressAddress): ShippingCall;
  /** How a non-2xx answer (or the `fail` scenario's status) counts. */
  httpFailure(status: number): ShippingFailure;
  /** Reads a 2xx JSON answer to the lookup for `addressId`. */
  readAnswer(json: unknown, addressId: number): ShippingAnswer;
  /** The answer's schema name, for the exchange log ("FetchShippingCostResponse"). */
  answerName: string;
}

/** What the app says when there are no shipping options to show. */
export function shippingFailureMessage(failure: ShippingFailure): string {
  // eCom's spec: a merchant that does not answer in time gives "No shipping methods found"; its FAQ:
  // an incorrect answer gives "Payment failed". ePayment: a 400 means "cannot ship to that address".
  if (failure === 'refused') return 'The store cannot deliver to this address';
  return failure === 'http-error' || failure === 'invalid' ? 'Payment failed' : 'No shipping methods found';
}

export function newExpressSteps(init: { explicitCheckoutFlow: boolean; itemsAmount: number }): ExpressSteps {
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

export function expressStep(express: ExpressSteps): ExpressStep {
  if (express.consent !== 'given') return 'consent';
  if (express.lookup.status === 'loading' || express.lookup.status === 'idle') return 'loading';
  if (express.explicitCheckoutFlow && !express.deliveryConfirmed) return 'delivery';
  return 'payment';
}

export function shippingOptionsOf(express: ExpressSteps): ShippingOption[] {
  return express.lookup.status === 'ready' && express.lookup.addressId === express.addressId
    ? express.lookup.options
    : [];
}

/** The option the user has picked, or the preselected default. */
export function selectedOption(express: ExpressSteps): ShippingOption | undefined {
  const options = shippingOptionsOf(express);
  return (
    options.find((option) => option.shippingMethodId === express.selectedShippingMethodId) ??
    defaultShippingOption(options)
  );
}

/** The line under the amount on the landing page and the phone for express payments. */
export function expressNote(express: ExpressSteps): string {
  if (express.reserved) {
    const { option, address } = express.reserved;
    const cost = option.costOre === 0 ? 'free' : formatAmount({ currency: 'NOK', value: option.costOre });
    return `Including shipping: ${option.shippingMethod} (${cost}), to ${formatAddress(address)}.`;
  }
  if (express.consent === 'refused') return 'You chose not to share your information with the store.';
  return 'Plus shipping, chosen in Vipps.';
}

// ---------------------------------------------------------------- the shipping lookup

/** Lookups in flight, so a second caller waits for the same one. */
const inFlight = new WeakMap<ExpressSteps, Promise<void>>();

function scenarioFor(ctx: VippsContext, id: string): ShippingDetailsScenario {
  return ctx.state.scenario.shippingByOrder.get(id) ?? ctx.state.scenario.shippingDefault;
}

/** Waits on the sandbox clock (not tracked for reset: a late wake-up finds a newer generation). */
function sleep(ctx: VippsContext, ms: number): Promise<void> {
  return new Promise((resolve) => {
    ctx.clock.setTimeout(resolve, ms);
  });
}

function stillCurrent(ctx: VippsContext, subject: ExpressSubject, seq: number, generation: number): boolean {
  return ctx.state.generation === generation && subject.isWaiting() && subject.express.lookupSeq === seq;
}

/**
 * Fetches the shipping options for the selected address (or takes the static ones). Returns the
 * lookup in flight, or null when nothing needs to be waited for.
 */
export function loadShippingOptions(ctx: VippsContext, subject: ExpressSubject): Promise<void> | null {
  const { express } = subject;
  const addressId = express.addressId;
  if (subject.staticOptions) {
    // Static options: the merchant is never asked (eCom spec; ePayment's fixedOptions need no round trip).
    express.lookup = { status: 'ready', addressId, options: subject.staticOptions, source: 'static' };
    return null;
  }
  if (express.lookup.status === 'loading' && express.lookup.addressId === addressId) {
    return inFlight.get(express) ?? null;
  }
  const seq = ++express.lookupSeq;
  express.lookup = { status: 'loading', addressId };
  const promise = askMerchant(ctx, subject, seq).finally(() => {
    if (inFlight.get(express) === promise) inFlight.delete(express);
  });
  inFlight.set(express, promise);
  ctx.state.track(promise);
  return promise;
}

async function askMerchant(ctx: VippsContext, subject: ExpressSubject, seq: number): Promise<void> {
  const { express } = subject;
  const generation = ctx.state.generation;
  const addressId = express.addressId;
  const call = subject.shippingCall(expressAddress(addressId)!);
  const scenario = scenarioFor(ctx, subject.id);
  const timeoutMs = ctx.state.scenario.shippingDetailsTimeoutMs;
  const exchange: ExpressExchange = {
    id: newUuid(),
    kind: 'shipping-details',
    orderIds: [subject.id],
    method: 'POST',
    url: call.url,
    sentAuthorization: call.sentAuthorization,
    requestBody: call.body,
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
    url: call.url,
    body: call.body,
    headers: call.headers,
    timeoutMs,
    maxBodyBytes: MAX_RECORDED_BODY_BYTES,
  });
  if (result.httpStatus !== null) exchange.response = { status: result.httpStatus, body: result.body ?? '' };

  let outcome: ShippingAnswer;
  if (scenario.mode === 'slow') {
    const delayMs = scenario.delayMs ?? timeoutMs;
    const waitMs = Math.min(delayMs, timeoutMs) - (ctx.clock.now() - started);
    if (waitMs > 0) await sleep(ctx, waitMs);
    outcome =
      delayMs >= timeoutMs
        ? { ok: false, failure: 'timeout', error: `timed out after ${timeoutMs} ms (scenario: slow)` }
        : evaluate(subject, result, addressId);
  } else if (scenario.mode === 'fail') {
    outcome = {
      ok: false,
      failure: subject.httpFailure(scenario.status),
      error: `HTTP ${scenario.status} (scenario: fail)`,
    };
  } else if (scenario.mode === 'nonsense') {
    outcome = {
      ok: false,
      failure: 'invalid',
      error: `the answer is not a ${subject.answerName} (scenario: nonsense)`,
    };
  } else {
    outcome = evaluate(subject, result, addressId);
  }
  if (outcome.ok && outcome.options.length === 0) {
    outcome = { ok: false, failure: 'empty', error: 'the answer lists no shipping methods' };
  }
  exchange.finishedAt = new Date(ctx.clock.now()).toISOString();
  exchange.outcome = outcome.ok ? 'accepted' : outcome.failure;
  exchange.error = outcome.ok ? null : outcome.error;

  if (!stillCurrent(ctx, subject, seq, generation)) return;
  express.lookup = outcome.ok
    ? { status: 'ready', addressId, options: outcome.options, source: 'merchant' }
    : { status: 'failed', addressId, failure: outcome.failure };
}

function evaluate(subject: ExpressSubject, result: SendResult, addressId: number): ShippingAnswer {
  if (result.timedOut) return { ok: false, failure: 'timeout', error: result.error ?? 'timed out' };
  if (result.httpStatus === null) return { ok: false, failure: 'network-error', error: result.error ?? 'no answer' };
  if (!result.ok) {
    return { ok: false, failure: subject.httpFailure(result.httpStatus), error: `HTTP ${result.httpStatus}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(result.body ?? '');
  } catch {
    return { ok: false, failure: 'invalid', error: 'the answer is not JSON' };
  }
  return subject.readAnswer(json, addressId);
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

function waitingInApp(ctx: VippsContext, subject: ExpressSubject, session: UserSession): ActionResult {
  expireIfDue(ctx, session);
  if (!subject.isWaiting()) return { ok: false, reason: 'not-waiting' };
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
  subject: ExpressSubject,
  addressId?: number,
): { result: ExpressResult; pending: Promise<void> | null } {
  const { express } = subject;
  const state = waitingInApp(ctx, subject, session);
  if (!state.ok) return { result: state, pending: null };
  if (express.consent === 'given') return { result: { ok: true }, pending: inFlight.get(express) ?? null };
  if (addressId !== undefined) {
    if (!expressAddress(addressId)) return { result: { ok: false, reason: 'unknown-address' }, pending: null };
    express.addressId = addressId;
  }
  express.consent = 'given';
  express.user = expressUserFor(session.phoneNumber ?? DEFAULT_EXPRESS_PHONE_NUMBER);
  return { result: { ok: true }, pending: loadShippingOptions(ctx, subject) };
}

/** The user does not share the information: the payment is cancelled by the user. */
export function refuseConsent(ctx: VippsContext, session: UserSession, subject: ExpressSubject): ExpressResult {
  const { express } = subject;
  const state = waitingInApp(ctx, subject, session);
  if (!state.ok) return state;
  if (express.consent === 'given') return { ok: false, reason: 'consent-given' };
  express.consent = 'refused';
  return userDecides(ctx, session, 'reject', 'phone');
}

/** Another of the user's addresses: its shipping options are loaded (again). */
export function chooseAddress(
  ctx: VippsContext,
  session: UserSession,
  subject: ExpressSubject,
  addressId: number,
): { result: ExpressResult; pending: Promise<void> | null } {
  const { express } = subject;
  const state = waitingInApp(ctx, subject, session);
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
    pending: reload ? loadShippingOptions(ctx, subject) : (inFlight.get(express) ?? null),
  };
}

/** "Try again" after a failed lookup. */
export function retryShipping(
  ctx: VippsContext,
  session: UserSession,
  subject: ExpressSubject,
): {
  result: ExpressResult;
  pending: Promise<void> | null;
} {
  const state = waitingInApp(ctx, subject, session);
  if (!state.ok) return { result: state, pending: null };
  if (subject.express.consent !== 'given') return { result: { ok: false, reason: 'no-consent' }, pending: null };
  return { result: { ok: true }, pending: loadShippingOptions(ctx, subject) };
}

function pickOption(express: ExpressSteps, shippingMethodId: string | undefined): ExpressResult {
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
  subject: ExpressSubject,
  shippingMethodId: string | undefined,
): ExpressResult {
  const state = waitingInApp(ctx, subject, session);
  if (!state.ok) return state;
  if (subject.express.consent !== 'given') return { ok: false, reason: 'no-consent' };
  const picked = pickOption(subject.express, shippingMethodId);
  if (!picked.ok) return picked;
  subject.express.deliveryConfirmed = true;
  return { ok: true };
}

/** Explicit flow: back from the payment step to the delivery step. */
export function changeDelivery(ctx: VippsContext, session: UserSession, subject: ExpressSubject): ExpressResult {
  const state = waitingInApp(ctx, subject, session);
  if (!state.ok) return state;
  subject.express.deliveryConfirmed = false;
  return { ok: true };
}

/**
 * The user confirms the payment: with the shipping method picked on this page (old flow) or on the
 * delivery step (explicit flow). The API module's `authorize` then reserves items + shipping.
 */
export function confirmExpress(
  ctx: VippsContext,
  session: UserSession,
  subject: ExpressSubject,
  shippingMethodId: string | undefined,
  from: 'phone' | 'control' = 'phone',
): ExpressResult {
  const { express } = subject;
  const state = waitingInApp(ctx, subject, session);
  if (!state.ok) return state;
  if (express.consent !== 'given') return { ok: false, reason: 'no-consent' };
  if (express.explicitCheckoutFlow && !express.deliveryConfirmed)
    return { ok: false, reason: 'delivery-not-confirmed' };
  const picked = pickOption(express, express.explicitCheckoutFlow ? undefined : shippingMethodId);
  if (!picked.ok) return picked;
  return userDecides(ctx, session, 'confirm', from);
}

/**
 * What the reservation is made of, once the user confirmed (called by the API module's authorize):
 * the confirmed address and option, or null when there is nothing to reserve.
 */
export function reserveExpress(express: ExpressSteps): { address: ExpressAddress; option: ShippingOption } | null {
  const option = selectedOption(express);
  const address = expressAddress(express.addressId);
  if (express.consent !== 'given' || !option || !address) return null;
  express.reserved = { address, option };
  return express.reserved;
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
  subject: ExpressSubject,
  choice: ExpressChoice,
): ExpressResult | Promise<ExpressResult> {
  if (!subject.isWaiting()) return { ok: false, reason: 'not-waiting' };
  if (session.stage === 'landing') {
    const pushed = sendPush(ctx, session, choice.phoneNumber ?? session.phoneNumber ?? DEFAULT_EXPRESS_PHONE_NUMBER);
    if (!pushed.ok) return pushed;
  }
  const { express } = subject;
  if (express.consent === 'refused') return { ok: false, reason: 'no-consent' };
  if (choice.addressId !== undefined && !expressAddress(choice.addressId))
    return { ok: false, reason: 'unknown-address' };
  let pending: Promise<void> | null = null;
  if (express.consent === 'pending') {
    const consented = giveConsent(ctx, session, subject, choice.addressId);
    if (!consented.result.ok) return consented.result;
    pending = consented.pending;
  } else if (choice.addressId !== undefined && choice.addressId !== express.addressId) {
    const chosen = chooseAddress(ctx, session, subject, choice.addressId);
    if (!chosen.result.ok) return chosen.result;
    pending = chosen.pending;
  } else if (express.lookup.status !== 'ready' || express.lookup.addressId !== express.addressId) {
    pending = loadShippingOptions(ctx, subject);
  }
  const finish = (): ExpressResult => {
    if (express.explicitCheckoutFlow) {
      const delivered = confirmDelivery(ctx, session, subject, choice.shippingMethodId);
      if (!delivered.ok) return delivered;
    }
    return confirmExpress(ctx, session, subject, choice.shippingMethodId, 'control');
  };
  return pending ? pending.then(finish) : finish();
}
