/**
 * The flow from Pay on: the start request's answer, a payment kept open by another tab, leaving for
 * the provider, checking the payment until it is final, the result and what follows it. Success is
 * the server's `settled` and the next step its `next`: nothing here asks which method or provider
 * it is. Ships in the after-redirect chunk (see `core.ts`).
 */
import type { CheckoutPayment } from '@pay-with-bank/protocol';
import { isTerminal } from '@pay-with-bank/protocol/payment-model';
import type { MessageKey } from '../i18n/index.js';
import { methodModule } from '../methods/index.js';
import { choose, newContext, offeredMethods } from './core.js';
import type { Context, Effect, Event, Outcome, Problem, State } from './state.js';

export const MISSING_TOKEN: Problem = {
  code: 'missing_token',
  message: 'No session token: set the session-token attribute, or open the page from the return URL (pwb_return).',
  retryable: false,
};

/** Results that offer "Try again" and "Choose another way to pay". */
export const RETRYABLE_OUTCOMES: readonly Outcome[] = ['failed', 'cancelled', 'expired'];

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

function waiting(ctx: Context, paymentId: string, payment: CheckoutPayment | null, note = false): State {
  return { kind: 'waiting', ctx, paymentId, payment, checks: 0, note };
}

function show(ctx: Context, payment: CheckoutPayment, note = false): State {
  return isFinal(payment)
    ? { kind: 'result', ctx, payment, outcome: outcomeOf(payment) }
    : waiting(ctx, payment.id, payment, note);
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

/** The flow from Pay on, and the missing token. Other events leave the state as it is. */
export function paymentTransition(state: State, event: Event): State {
  switch (event.type) {
    // No token came in time (the controller waits for this part's English before saying so).
    case 'token-timeout':
      return state.kind === 'no-token' ? { kind: 'failed', error: MISSING_TOKEN, retry: null } : state;

    case 'session': {
      if (state.kind !== 'loading' || !(state.returning || event.session.payment)) return state;
      const ctx = newContext(event.session, state.setup);
      const payment = event.session.payment;
      // Back from the provider: check the payment the return URL names until it is final.
      if (state.returning) return waiting(ctx, state.returning, payment?.id === state.returning ? payment : null);
      return show(ctx, payment!);
    }
    case 'started':
      if (state.kind !== 'starting' || state.attempt.id !== event.attemptId) return state;
      return {
        kind: 'redirecting',
        ctx: { ...state.ctx, attempt: null, replace: false },
        payment: event.payment,
        url: event.url,
      };
    case 'open-payment': {
      if (state.kind !== 'opening' || state.attemptId !== event.attemptId) return state;
      const ctx: Context = {
        ...state.ctx,
        session: event.session,
        methods: offeredMethods(event.session, state.ctx.setup),
        replace: false,
      };
      if (!event.payment) return { kind: 'form', ctx, method: state.method, startError: state.refusal };
      return show(ctx, event.payment, true);
    }
    case 'open-payment-failed':
      if (state.kind !== 'opening' || state.attemptId !== event.attemptId) return state;
      return { kind: 'form', ctx: state.ctx, method: state.method, startError: state.refusal };

    case 'refreshed':
      if (state.kind !== 'waiting' || state.paymentId !== event.paymentId || state.checks !== event.check) return state;
      return isFinal(event.payment) ? show(state.ctx, event.payment) : checked(state, event.payment, event.at)!;
    case 'streamed':
      if (state.kind !== 'waiting' || state.paymentId !== event.paymentId || state.polling) return state;
      return isFinal(event.payment) ? show(state.ctx, event.payment) : { ...state, payment: event.payment };
    case 'stream-ended':
      if (state.kind !== 'waiting' || state.paymentId !== event.paymentId || state.polling) return state;
      // `final` always follows the final payment (shown already); if not, the checks find it.
      if (event.reason === 'final') return { ...state, polling: true };
      return { ...state, streams: (state.streams ?? 0) + 1 };
    case 'stream-failed':
      if (state.kind !== 'waiting' || state.paymentId !== event.paymentId || state.polling) return state;
      return { ...state, polling: true };
    case 'refresh-failed': {
      if (state.kind !== 'waiting' || state.paymentId !== event.paymentId || state.checks !== event.check) return state;
      // Transient: the next check may succeed.
      const next = event.error.retryable ? checked(state, state.payment, event.at) : null;
      if (next) return next;
      const { ctx, paymentId, payment } = state;
      return { kind: 'failed', error: event.error, retry: { kind: 'check', ctx, paymentId, payment } };
    }

    case 'retry':
      if (state.kind !== 'failed' || !state.error.retryable || state.retry?.kind !== 'check') return state;
      return waiting(state.retry.ctx, state.retry.paymentId, state.retry.payment);
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
    default:
      return state;
  }
}

/**
 * Milliseconds before status check number `check` (the first goes at once): the server's
 * `pollAfterMs`, and never sooner than `interval`, backing off after five checks to 5× `interval`.
 */
export function pollDelay(check: number, interval: number, payment: CheckoutPayment | null): number {
  if (check === 0) return 0;
  const backoff = Math.min(interval * 1.5 ** Math.max(0, check - 5), interval * 5);
  return Math.max(backoff, payment?.next.type === 'wait' ? payment.next.pollAfterMs : 0);
}

/** The I/O the states from Pay on ask for. */
export function paymentEffects(state: State): Effect[] {
  switch (state.kind) {
    case 'starting':
      return [{ key: `start:${state.attempt.id}`, type: 'start', request: state.attempt.request }];
    case 'opening': {
      const named = state.refusal.details?.paymentId;
      const paymentId = typeof named === 'string' ? named : null;
      return [{ key: `find-open:${state.attemptId}`, type: 'find-open', attemptId: state.attemptId, paymentId }];
    }
    case 'redirecting': {
      const { ctx, payment, url } = state;
      const list: Effect[] = [{ key: `navigate:${payment.id}`, type: 'navigate', url }];
      const memo = ctx.setup.remember ? methodModule(payment.method).memo?.(ctx, payment) : null;
      if (memo) list.push({ key: `remember:${payment.id}`, type: 'remember', method: payment.method, value: memo });
      return list;
    }
    case 'waiting': {
      const { paymentId, checks: check } = state;
      if (state.ctx.setup.live && !state.polling) {
        // One stream at a time; a reconnect waits a moment (the server may be stopping).
        const streams = state.streams ?? 0;
        return [{ key: `watch:${paymentId}:${streams}`, type: 'watch', paymentId, delay: streams ? 1000 : 0 }];
      }
      const delay = pollDelay(check, state.ctx.setup.polling.interval, state.payment);
      return [{ key: `refresh:${paymentId}:${check}`, type: 'refresh', paymentId, check, delay }];
    }
    case 'result': {
      const { payment, outcome } = state;
      if (outcome === 'processing') return [];
      const { reference } = state.ctx.session;
      return [{ key: `report:${payment.id}:${payment.status}`, type: 'report', payment, outcome, reference }];
    }
    default:
      return [];
  }
}

/** What the live region says after a transition, or null to leave it as it is. */
export function announcement(prev: State, next: State): MessageKey | null {
  if (next.kind === 'redirecting' && prev.kind !== 'redirecting') {
    return methodModule(next.payment.method).texts.redirecting;
  }
  if (next.kind === 'result' && (prev.kind !== 'result' || prev.outcome !== next.outcome)) {
    return `result.${next.outcome}.heading`;
  }
  if (next.kind !== 'waiting') return null;
  if (next.note && !(prev.kind === 'waiting' && prev.note)) return 'waiting.openPayment';
  const before = prev.kind === 'waiting' && prev.paymentId === next.paymentId ? prev.payment?.status : undefined;
  const status = next.payment?.status;
  if (status !== before && (status === 'pending' || status === 'authorized')) return `status.${status}`;
  return null;
}
