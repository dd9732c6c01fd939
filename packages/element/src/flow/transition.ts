/**
 * The checkout's behaviour: one pure function from a state and an event to the next state. An event
 * that does not apply to the current state (a second click, an answer to a request the shopper has
 * since left behind) returns the state unchanged, the same object.
 */
import type { CheckoutPayment, CheckoutSession, PaymentMethod } from '@pay-with-bank/protocol';
import { isTerminal } from '@pay-with-bank/protocol/constants';
import { METHODS, methodModule } from '../methods/index.js';
import type { Attempt, Context, Event, Loaded, Outcome, Problem, Setup, State } from './state.js';

/**
 * Start errors after which the server has recorded the attempt as failed at the provider: repeating
 * its id would only replay the failure, so the next Pay is a new attempt. After a network error or a
 * timeout nobody knows, so the id is kept and the server replays whatever happened.
 */
const ATTEMPT_ENDING_ERRORS: readonly string[] = ['provider_unavailable', 'provider_timeout', 'provider_error'];

/** Results that offer "Try again" and "Choose another way to pay". */
export const RETRYABLE_OUTCOMES: readonly Outcome[] = ['failed', 'cancelled', 'expired'];

export const MISSING_TOKEN: Problem = {
  code: 'missing_token',
  message: 'No session token: set the session-token attribute, or open the page from the return URL (pwb_return).',
  retryable: false,
};

/** The methods the shopper can choose: the session's, that the element knows, limited by the `methods` attribute. */
export function offeredMethods(ctx: Pick<Context, 'session' | 'setup'>): PaymentMethod[] {
  const wanted = ctx.setup.methods;
  return ctx.session.methods.filter((m) => METHODS[m] && (wanted.length === 0 || wanted.includes(m)));
}

/** The payment is as far as the browser will take it: paid, or final, or the server has nothing more to do. */
export function isFinal(payment: CheckoutPayment): boolean {
  return payment.settled || payment.next.type === 'none' || isTerminal(payment.status);
}

/** Which result a final payment shows: success is `settled` (decided by the server), never a method or a status guess. */
export function outcomeOf(payment: CheckoutPayment): Outcome {
  if (payment.settled) return payment.status === 'authorized' ? 'authorized' : 'completed';
  const status = payment.status;
  return status === 'failed' || status === 'cancelled' || status === 'expired' ? status : 'processing';
}

function newContext(session: CheckoutSession, setup: Setup): Context {
  const data: Record<string, Loaded> = {};
  for (const method of session.methods) {
    for (const [key, value] of Object.entries(METHODS[method]?.seed?.(session) ?? {})) data[key] = { ok: true, value };
  }
  return { session, setup, data, forms: {}, attempt: null, replace: false };
}

/** The method choice, or straight to `method`'s screen (when offered), or the only method's. */
function choose(ctx: Context, method?: PaymentMethod, retry?: CheckoutPayment): State {
  const methods = offeredMethods(ctx);
  const next = method && methods.includes(method) ? method : methods.length === 1 ? methods[0] : undefined;
  if (!next) return { kind: 'methods', ctx };
  const form = methodModule(next).form(ctx, ctx.forms[next], retry);
  return { kind: 'form', ctx: { ...ctx, forms: { ...ctx.forms, [next]: form } }, method: next, startError: null };
}

function waiting(ctx: Context, paymentId: string, payment: CheckoutPayment | null, note = false): State {
  return { kind: 'waiting', ctx, paymentId, payment, checks: 0, note };
}

function show(ctx: Context, payment: CheckoutPayment, note = false): State {
  return isFinal(payment)
    ? { kind: 'result', ctx, payment, outcome: outcomeOf(payment) }
    : waiting(ctx, payment.id, payment, note);
}

/** Pay (or its retry): the start request for the method's choice, repeating the attempt when the choice is the same. */
function start(state: Extract<State, { kind: 'form' }>, attemptId: string, request: Attempt['request']): State {
  const { ctx, method } = state;
  const { attemptId: _unused, replace: _replace, ...choice } = request;
  const intent = JSON.stringify(choice);
  const previous = ctx.attempt;
  const id = previous && !previous.spent && previous.intent === intent ? previous.id : attemptId;
  const attempt: Attempt = {
    id,
    intent,
    request: { ...choice, method, attemptId: id, ...(ctx.replace ? { replace: true } : {}) },
    spent: false,
  };
  return { kind: 'starting', ctx: { ...ctx, attempt }, method, attempt };
}

/** Whether the provider's own countdown (Vipps: the time to approve) is still running at `at`. */
function countdownRunning(payment: CheckoutPayment | null, at: number): boolean {
  const until = payment?.next.type === 'wait' ? payment.next.until : (payment?.expiresAt ?? null);
  const end = until ? Date.parse(until) : NaN;
  return Number.isFinite(end) && at < end;
}

/**
 * One status check done without a final answer: check again, or at the limit (unless the provider's
 * countdown still runs) show "still processing"; null when there is not even a payment to show.
 */
function checked(
  state: Extract<State, { kind: 'waiting' }>,
  payment: CheckoutPayment | null,
  at: number,
): State | null {
  const checks = state.checks + 1;
  if (checks < state.ctx.setup.polling.limit || countdownRunning(payment, at)) return { ...state, payment, checks };
  return payment ? { kind: 'result', ctx: state.ctx, payment, outcome: 'processing' } : null;
}

function withData(state: State, key: string, entry: Loaded): State {
  if (!('ctx' in state)) return state;
  let ctx: Context = { ...state.ctx, data: { ...state.ctx.data, [key]: entry } };
  if (state.kind === 'form' || state.kind === 'starting' || state.kind === 'opening') {
    const module = methodModule(state.method);
    const form = ctx.forms[state.method];
    if (module.sync && form !== undefined)
      ctx = { ...ctx, forms: { ...ctx.forms, [state.method]: module.sync(form, ctx) } };
  }
  return { ...state, ctx };
}

export function transition(state: State, event: Event): State {
  switch (event.type) {
    case 'await-token':
      return { kind: 'no-token' };
    case 'token-timeout':
      return state.kind === 'no-token' ? { kind: 'failed', error: MISSING_TOKEN, retry: null } : state;
    case 'load':
      return { kind: 'loading', setup: event.setup, returning: event.returning };
    case 'configure':
      if (state.kind === 'loading') return { ...state, setup: event.setup };
      return 'ctx' in state ? { ...state, ctx: { ...state.ctx, setup: event.setup } } : state;

    case 'session': {
      if (state.kind !== 'loading') return state;
      const ctx = newContext(event.session, state.setup);
      const payment = event.session.payment;
      // Back from the provider: check the payment the return URL names until it is final.
      if (state.returning) return waiting(ctx, state.returning, payment?.id === state.returning ? payment : null);
      return payment ? show(ctx, payment) : choose(ctx);
    }
    case 'session-failed':
      if (state.kind !== 'loading') return state;
      return {
        kind: 'failed',
        error: event.error,
        retry: { kind: 'load', setup: state.setup, returning: state.returning },
      };

    case 'data':
      return withData(state, event.key, { ok: true, value: event.value });
    case 'data-failed':
      return withData(state, event.key, { ok: false, error: event.error });
    case 'retry-data': {
      if (state.kind !== 'form' && state.kind !== 'starting' && state.kind !== 'opening') return state;
      if (!(event.key in state.ctx.data)) return state;
      const { [event.key]: _failed, ...data } = state.ctx.data;
      return { ...state, ctx: { ...state.ctx, data } };
    }

    case 'choose':
      return state.kind === 'methods' ? choose(state.ctx, event.method) : state;
    case 'input': {
      if (state.kind !== 'form' && state.kind !== 'starting' && state.kind !== 'opening') return state;
      if (state.method !== event.method) return state;
      const form = methodModule(state.method).input(state.ctx.forms[state.method], event.input, state.ctx);
      return { ...state, ctx: { ...state.ctx, forms: { ...state.ctx.forms, [state.method]: form } } };
    }
    case 'back':
      if (state.kind !== 'form' && state.kind !== 'starting' && state.kind !== 'opening') return state;
      return offeredMethods(state.ctx).length > 1 ? { kind: 'methods', ctx: state.ctx } : state;

    case 'pay': {
      if (state.kind !== 'form') return state; // starting, opening: one request per Pay
      const { ctx, method } = state;
      const submitted = methodModule(method).submit(ctx.forms[method], ctx, { mobile: event.mobile });
      if ('form' in submitted) return { ...state, ctx: { ...ctx, forms: { ...ctx.forms, [method]: submitted.form } } };
      return start(state, event.attemptId, { ...submitted.request, method, attemptId: event.attemptId });
    }
    case 'retry-start':
      return state.kind === 'form' && state.ctx.attempt
        ? start(state, event.attemptId, state.ctx.attempt.request)
        : state;
    case 'started':
      if (state.kind !== 'starting' || state.attempt.id !== event.attemptId) return state;
      return {
        kind: 'redirecting',
        ctx: { ...state.ctx, attempt: null, replace: false },
        payment: event.payment,
        url: event.url,
      };
    case 'start-failed': {
      if (state.kind !== 'starting' || state.attempt.id !== event.attemptId) return state;
      const { ctx, method, attempt } = state;
      if (event.error.code === 'payment_in_progress') {
        // Another tab or an earlier Pay left a payment open: show it rather than start a second one.
        return { kind: 'opening', ctx: { ...ctx, attempt: null }, method, attemptId: attempt.id, refusal: event.error };
      }
      const spent = ATTEMPT_ENDING_ERRORS.includes(event.error.code);
      return { kind: 'form', ctx: { ...ctx, attempt: { ...attempt, spent } }, method, startError: event.error };
    }
    case 'open-payment': {
      if (state.kind !== 'opening' || state.attemptId !== event.attemptId) return state;
      const ctx: Context = { ...state.ctx, session: event.session, replace: false };
      if (!event.payment) return { kind: 'form', ctx, method: state.method, startError: state.refusal };
      return show(ctx, event.payment, true);
    }
    case 'open-payment-failed':
      if (state.kind !== 'opening' || state.attemptId !== event.attemptId) return state;
      return { kind: 'form', ctx: state.ctx, method: state.method, startError: state.refusal };

    case 'refreshed':
      if (state.kind !== 'waiting' || state.paymentId !== event.paymentId || state.checks !== event.check) return state;
      return isFinal(event.payment) ? show(state.ctx, event.payment) : checked(state, event.payment, event.at)!;
    case 'refresh-failed': {
      if (state.kind !== 'waiting' || state.paymentId !== event.paymentId || state.checks !== event.check) return state;
      // Transient: the next check may succeed.
      const next = event.error.retryable ? checked(state, state.payment, event.at) : null;
      if (next) return next;
      const { ctx, paymentId, payment } = state;
      return { kind: 'failed', error: event.error, retry: { kind: 'check', ctx, paymentId, payment } };
    }

    case 'retry':
      if (state.kind !== 'failed' || !state.retry || !state.error.retryable) return state;
      return state.retry.kind === 'load'
        ? { kind: 'loading', setup: state.retry.setup, returning: state.retry.returning }
        : waiting(state.retry.ctx, state.retry.paymentId, state.retry.payment);
    case 'check-again':
      return state.kind === 'result' && state.outcome === 'processing'
        ? waiting(state.ctx, state.payment.id, state.payment)
        : state;
    case 'try-again':
      if (state.kind !== 'result' || !RETRYABLE_OUTCOMES.includes(state.outcome)) return state;
      return choose({ ...state.ctx, attempt: null, replace: false }, state.payment.method, state.payment);
    case 'choose-another': {
      if (state.kind !== 'waiting' && !(state.kind === 'result' && RETRYABLE_OUTCOMES.includes(state.outcome))) {
        return state;
      }
      // Back from the provider, before the first answer, the payment waited for is open too.
      const open = state.payment ? !isTerminal(state.payment.status) : true;
      return choose({ ...state.ctx, attempt: null, replace: open });
    }
  }
}
