/**
 * What each state asks of the outside world, as data: the requests, timers and navigations the
 * CheckoutController runs. An effect runs while its key is wanted; a key that disappears is aborted
 * (its answer, if any, is never delivered). Also pure: the screen a state shows and what a transition
 * announces to screen readers.
 */
import type { CheckoutPayment, StartPaymentRequest } from '@pay-with-bank/protocol';
import type { Screen } from '../events.js';
import type { MessageKey } from '../i18n/index.js';
import { methodModule } from '../methods/index.js';
import type { Outcome, State } from './state.js';

export type Effect =
  /** Wait for a session token, then give up (missing_token). */
  | { key: string; type: 'token-timeout' }
  | { key: string; type: 'session' }
  /** Data for the method's form (a country's banks). */
  | { key: string; type: 'data'; method: StartPaymentRequest['method']; dataKey: string }
  | { key: string; type: 'start'; request: StartPaymentRequest }
  /** Fetch the payment the server kept open (payment_in_progress names it in `details.paymentId`). */
  | { key: string; type: 'find-open'; attemptId: string; paymentId: string | null }
  /** Check the payment once, after `delay` ms. */
  | { key: string; type: 'refresh'; paymentId: string; check: number; delay: number }
  /** Top-level navigation to the provider (once). */
  | { key: string; type: 'navigate'; url: string }
  /** Remember the method's choice on this device (once; only with `remember-bank`). */
  | { key: string; type: 'remember'; method: StartPaymentRequest['method']; value: unknown }
  /** Tell the page how the payment ended: pwb-complete, pwb-failed or pwb-cancel (once per payment and status). */
  | { key: string; type: 'report'; payment: CheckoutPayment; outcome: Outcome };

/** Effects that run once in an element's life, however often their state comes back. */
export const ONCE: ReadonlySet<Effect['type']> = new Set(['navigate', 'remember', 'report']);

/**
 * Milliseconds before status check number `check` (the first goes at once): the server's
 * `pollAfterMs`, and never sooner than `interval`, backing off after five checks to 5× `interval`.
 */
export function pollDelay(check: number, interval: number, payment: CheckoutPayment | null): number {
  if (check === 0) return 0;
  const backoff = Math.min(interval * 1.5 ** Math.max(0, check - 5), interval * 5);
  return Math.max(backoff, payment?.next.type === 'wait' ? payment.next.pollAfterMs : 0);
}

export function effects(state: State): Effect[] {
  switch (state.kind) {
    case 'no-token':
      return [{ key: 'token-timeout', type: 'token-timeout' }];
    case 'loading':
      return [{ key: 'session', type: 'session' }];
    case 'form':
    case 'starting':
    case 'opening': {
      const { ctx, method } = state;
      const module = methodModule(method);
      const form = ctx.forms[method];
      const list: Effect[] = (form !== undefined ? (module.needs?.(form, ctx) ?? []) : [])
        .filter((dataKey) => !ctx.data[dataKey])
        .map((dataKey) => ({ key: `data:${dataKey}`, type: 'data', method, dataKey }));
      if (state.kind === 'starting') {
        list.push({ key: `start:${state.attempt.id}`, type: 'start', request: state.attempt.request });
      }
      if (state.kind === 'opening') {
        const named = state.refusal.details?.paymentId;
        list.push({
          key: `find-open:${state.attemptId}`,
          type: 'find-open',
          attemptId: state.attemptId,
          paymentId: typeof named === 'string' ? named : null,
        });
      }
      return list;
    }
    case 'redirecting': {
      const { ctx, payment, url } = state;
      const list: Effect[] = [{ key: `navigate:${payment.id}`, type: 'navigate', url }];
      const memo = ctx.setup.remember ? methodModule(payment.method).memo?.(ctx, payment) : null;
      if (memo) list.push({ key: `remember:${payment.id}`, type: 'remember', method: payment.method, value: memo });
      return list;
    }
    case 'waiting':
      return [
        {
          key: `refresh:${state.paymentId}:${state.checks}`,
          type: 'refresh',
          paymentId: state.paymentId,
          check: state.checks,
          delay: pollDelay(state.checks, state.ctx.setup.polling.interval, state.payment),
        },
      ];
    case 'result':
      return state.outcome === 'processing'
        ? []
        : [
            {
              key: `report:${state.payment.id}:${state.payment.status}`,
              type: 'report',
              payment: state.payment,
              outcome: state.outcome,
            },
          ];
    default:
      return [];
  }
}

/** The screen a state shows (the name in pwb-state-change). */
export function screenOf(state: State): Screen {
  switch (state.kind) {
    case 'no-token':
    case 'loading':
      return 'loading';
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
