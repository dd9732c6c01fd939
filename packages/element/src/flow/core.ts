/**
 * The flow up to Pay: loading the session, the method choice, a method's form, and starting the
 * payment. With `payment.ts` it makes the one transition function (`flow/index.ts`); this part ships
 * in the script-tag entry, the other with the after-redirect chunk (its events only arrive once that
 * chunk has loaded: they are answers to its effects, or come from its screens).
 */
import type { CheckoutPayment, CheckoutSession, PaymentMethod } from '@pay-with-bank/protocol';
import type { Screen } from '../events.js';
import { METHODS, methodModule } from '../methods/index.js';
import type { Attempt, Context, Effect, Event, Loaded, Setup, State } from './state.js';

/**
 * Start errors after which the server has recorded the attempt as failed at the provider: repeating
 * its id would only replay the failure, so the next Pay is a new attempt. After a network error or a
 * timeout nobody knows, so the id is kept and the server replays whatever happened.
 */
const ATTEMPT_ENDING_ERRORS: readonly string[] = ['provider_unavailable', 'provider_timeout', 'provider_error'];

/** The methods the shopper can choose: the session's that the element knows, limited by the `methods` attribute. */
export function offeredMethods(session: CheckoutSession, setup: Setup): PaymentMethod[] {
  const wanted = setup.methods;
  return session.methods.filter((m) => METHODS[m] && (wanted.length === 0 || wanted.includes(m)));
}

export function newContext(session: CheckoutSession, setup: Setup): Context {
  const data: Record<string, Loaded> = {};
  for (const method of session.methods) {
    for (const [key, value] of Object.entries(METHODS[method]?.seed?.(session) ?? {})) data[key] = { ok: true, value };
  }
  return { session, setup, methods: offeredMethods(session, setup), data, forms: {}, attempt: null, replace: false };
}

/** The method choice, or straight to `method`'s screen (when offered), or the only method's. */
export function choose(ctx: Context, method?: PaymentMethod, retry?: CheckoutPayment): State {
  const methods = ctx.methods;
  const next = method && methods.includes(method) ? method : methods.length === 1 ? methods[0] : undefined;
  if (!next) return { kind: 'methods', ctx };
  const form = methodModule(next).form(ctx, ctx.forms[next], retry);
  return { kind: 'form', ctx: { ...ctx, forms: { ...ctx.forms, [next]: form } }, method: next, startError: null };
}

/** Pay on a method's form: its request, or the form again showing what is missing. */
function pay(state: Extract<State, { kind: 'form' }>, attemptId: string, mobile: boolean): State {
  const { ctx, method } = state;
  const submitted = methodModule(method).submit(ctx.forms[method], ctx, { mobile });
  if ('form' in submitted) return { ...state, ctx: { ...ctx, forms: { ...ctx.forms, [method]: submitted.form } } };
  return start(state, attemptId, { ...submitted.request, method, attemptId });
}

/**
 * Express mode, the session just read: straight on with its (express) method, as if Pay had been
 * pressed on its form; a session offering no method the element knows shows the method choice.
 */
function expressStart(session: CheckoutSession, setup: Setup, express: { attemptId: string; mobile: boolean }): State {
  const next = choose(newContext(session, setup), session.methods[0]);
  return next.kind === 'form' ? pay(next, express.attemptId, express.mobile) : next;
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

export const withForm = (state: State): state is Extract<State, { kind: 'form' | 'starting' | 'opening' }> =>
  state.kind === 'form' || state.kind === 'starting' || state.kind === 'opening';

function withData(state: State, key: string, entry: Loaded): State {
  if (!('ctx' in state)) return state;
  let ctx: Context = { ...state.ctx, data: { ...state.ctx.data, [key]: entry } };
  if (withForm(state)) {
    const sync = methodModule(state.method).sync;
    const form = ctx.forms[state.method];
    if (sync && form !== undefined) ctx = { ...ctx, forms: { ...ctx.forms, [state.method]: sync(form, ctx) } };
  }
  return { ...state, ctx };
}

/** The flow up to Pay and a start that failed. Other events leave the state as it is. */
export function coreTransition(state: State, event: Event): State {
  switch (event.type) {
    case 'await-token':
      return { kind: 'no-token' };
    case 'load':
      return {
        kind: 'loading',
        setup: event.setup,
        returning: event.returning,
        ...(event.express ? { express: event.express } : {}),
      };
    case 'express-ready':
      return { kind: 'express', error: null };
    case 'buy':
      return state.kind === 'express'
        ? { kind: 'creating-session', start: { attemptId: event.attemptId, mobile: event.mobile } }
        : state;
    case 'express-unavailable':
      return state.kind === 'express' ? { kind: 'failed', error: event.error, retry: { kind: 'express' } } : state;
    case 'session-not-created':
      return state.kind === 'creating-session' ? { kind: 'express', error: event.error } : state;
    case 'configure':
      if (state.kind === 'loading') return { ...state, setup: event.setup };
      if (!('ctx' in state)) return state;
      return {
        ...state,
        ctx: { ...state.ctx, setup: event.setup, methods: offeredMethods(state.ctx.session, event.setup) },
      };

    case 'session':
      // A payment to show (or one the return URL names) is the payment part's.
      if (state.kind !== 'loading' || state.returning || event.session.payment) return state;
      if (state.express) return expressStart(event.session, state.setup, state.express);
      return choose(newContext(event.session, state.setup));
    case 'session-failed':
      if (state.kind !== 'loading') return state;
      return {
        kind: 'failed',
        error: event.error,
        retry: { kind: 'load', setup: state.setup, returning: state.returning },
      };
    case 'retry':
      if (state.kind !== 'failed' || !state.error.retryable) return state;
      if (state.retry?.kind === 'express') return { kind: 'express', error: null };
      if (state.retry?.kind !== 'load') return state;
      return { kind: 'loading', setup: state.retry.setup, returning: state.retry.returning };

    case 'data':
      return withData(state, event.key, { ok: true, value: event.value });
    case 'data-failed':
      return withData(state, event.key, { ok: false, error: event.error });
    case 'retry-data': {
      if (!withForm(state) || !(event.key in state.ctx.data)) return state;
      const { [event.key]: _failed, ...data } = state.ctx.data;
      return { ...state, ctx: { ...state.ctx, data } };
    }

    case 'choose':
      return state.kind === 'methods' ? choose(state.ctx, event.method) : state;
    case 'input': {
      if (!withForm(state) || state.method !== event.method) return state;
      const form = methodModule(state.method).input(state.ctx.forms[state.method], event.input, state.ctx);
      return { ...state, ctx: { ...state.ctx, forms: { ...state.ctx.forms, [state.method]: form } } };
    }
    case 'back':
      return withForm(state) && state.ctx.methods.length > 1 ? { kind: 'methods', ctx: state.ctx } : state;

    case 'pay':
      // starting, opening: one request per Pay
      return state.kind === 'form' ? pay(state, event.attemptId, event.mobile) : state;
    case 'retry-start':
      return state.kind === 'form' && state.ctx.attempt
        ? start(state, event.attemptId, state.ctx.attempt.request)
        : state;
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
    default:
      return state;
  }
}

/** The I/O the states up to Pay ask for (the start request is the payment part's). */
export function coreEffects(state: State): Effect[] {
  if (state.kind === 'no-token') return [{ key: 'token-timeout', type: 'token-timeout' }];
  if (state.kind === 'creating-session')
    return [{ key: `create-session:${state.start.attemptId}`, type: 'create-session' }];
  if (state.kind === 'loading') return [{ key: 'session', type: 'session' }];
  if (!withForm(state)) return [];
  const { ctx, method } = state;
  const form = ctx.forms[method];
  return (form === undefined ? [] : (methodModule(method).needs?.(form, ctx) ?? []))
    .filter((dataKey) => !ctx.data[dataKey])
    .map((dataKey) => ({ key: `data:${dataKey}`, type: 'data', method, dataKey }));
}

/** The screen a state shows (the name in pwb-state-change). */
export function screenOf(state: State): Screen {
  switch (state.kind) {
    case 'no-token':
    case 'loading':
      return 'loading';
    case 'express':
    case 'creating-session':
      return 'express';
    case 'failed':
      return 'error';
    case 'methods':
      return 'method-choice';
    case 'form':
    case 'starting':
    case 'opening':
      return methodModule(state.method).screen;
    default:
      return state.kind;
  }
}
