/**
 * The checkout's behaviour: one pure function from a state and an event to the next state, and the
 * I/O each state asks for. An event that does not apply to the current state (a second click, an
 * answer to a request the shopper has since left behind) returns the state unchanged, the same object.
 *
 * It is written in two parts so that the script-tag entry carries only the part up to Pay
 * (`core.ts`); the part from Pay on (`payment.ts`) comes with the after-redirect chunk.
 */
import { coreEffects, coreTransition } from './core.js';
import { paymentEffects, paymentTransition } from './payment.js';
import type { Effect, Event, State } from './state.js';

export function transition(state: State, event: Event): State {
  const next = paymentTransition(state, event);
  return next === state ? coreTransition(state, event) : next;
}

export function effects(state: State): Effect[] {
  return [...coreEffects(state), ...paymentEffects(state)];
}

export { screenOf } from './core.js';
export { MISSING_TOKEN, RETRYABLE_OUTCOMES, announcement, isFinal, outcomeOf, pollDelay } from './payment.js';
export type * from './state.js';
