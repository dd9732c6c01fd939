/**
 * The start policy as a pure function: given what the store says about a checkout, what does a
 * "Pay" (a start request) do? Replay the attempt, continue the open payment, create a new provider
 * payment (superseding the open ones when the shopper chose to pay another way), or refuse.
 * Design invariant 5: one provider payment per attempt; a double click, a retry or a second tab
 * never makes a second one; a new attempt after a failure is explicit. Tested as a table in
 * test/unit/start-decision.test.ts.
 */
import { isTerminal } from '@pay-with-bank/protocol';
import { ApiError } from '../errors.js';
import type { PaymentRecord } from '../store/store.js';

export interface StartRequestFacts {
  method: string;
  bankId: string | null;
  /** The shopper explicitly chose to abandon the open payment and pay another way. */
  replace: boolean;
}

export interface StartFacts {
  /** The payment already made for this attempt id, if any. */
  sameAttempt: PaymentRecord | null;
  sessionState: 'open' | 'paid' | 'expired';
  /** Why the chosen bank cannot take the payment, if it cannot (checked before deciding). */
  bankProblem: ApiError | null;
  /** The session's other payments that are still open after a provider check, newest first. */
  open: readonly PaymentRecord[];
  /** The session's payments that created (or may still create) a provider payment. */
  providerPayments: number;
  /** Provider payments allowed per session (0 = unlimited). */
  maxAttempts: number;
  request: StartRequestFacts;
}

export type StartDecision =
  /** The same attempt again: its payment, no provider call. */
  | { kind: 'replay'; payment: PaymentRecord }
  /** Another tab or a double click with a new attempt id, same choice: the open payment. */
  | { kind: 'continue'; payment: PaymentRecord }
  /**
   * The payment of this attempt, or the open one with the same choice, is still being created: wait
   * for that create where it runs in this process, then decide again; `otherwise` is the answer when
   * it does not (another process, or a create interrupted by a crash).
   */
  | { kind: 'await-create'; payment: PaymentRecord; otherwise: ApiError }
  /** A new provider payment; `supersede` lists the open payments the shopper replaces. */
  | { kind: 'create'; supersede: PaymentRecord[] }
  | { kind: 'refuse'; error: ApiError };

const refuse = (error: ApiError): StartDecision => ({ kind: 'refuse', error });

export function decideStart(facts: StartFacts): StartDecision {
  const { sameAttempt, request } = facts;
  if (sameAttempt) return replayAttempt(sameAttempt, request.method);

  if (facts.sessionState === 'paid') return refuse(new ApiError('conflict', 'This checkout has already been paid.'));
  if (facts.sessionState === 'expired') return refuse(new ApiError('session_expired', 'This checkout has expired.'));
  if (facts.bankProblem) return refuse(facts.bankProblem);

  const authorised = facts.open.find((p) => p.status === 'authorized');
  if (authorised) {
    return refuse(
      new ApiError(
        'payment_in_progress',
        'A payment for this checkout has been authorised and is being completed; it cannot be replaced.',
        { paymentId: authorised.id },
      ),
    );
  }

  // Without the shopper's explicit choice to replace it, the open payment stands. One the shopper
  // already replaced (and the provider could not cancel) is still reconciled, but no longer stands.
  const standing = request.replace ? undefined : facts.open.find((p) => !p.supersededBy);
  if (standing) {
    const sameChoice = standing.method === request.method && (standing.bankId ?? null) === request.bankId;
    if (sameChoice && standing.providerPaymentId !== null && standing.redirectUrl) {
      return { kind: 'continue', payment: standing };
    }
    const inProgress = new ApiError(
      'payment_in_progress',
      'Another payment for this checkout is still open: continue it, or choose to pay another way.',
      { paymentId: standing.id },
    );
    if (sameChoice && standing.providerPaymentId === null) {
      return { kind: 'await-create', payment: standing, otherwise: inProgress };
    }
    return refuse(inProgress);
  }

  // The limit bounds provider payments: continuing creates none, and an attempt the provider
  // refused (busy, rate limited, timed out: no provider payment) must not use up the checkout.
  if (facts.maxAttempts > 0 && facts.providerPayments >= facts.maxAttempts) {
    return refuse(
      new ApiError(
        'attempt_limit_reached',
        'This checkout has reached its limit of payment attempts; start a new checkout.',
        { maxAttempts: facts.maxAttempts },
      ),
    );
  }
  return { kind: 'create', supersede: facts.open.filter((p) => !p.supersededBy) };
}

/** The same attempt id again: its own payment, whatever happened since, or why it cannot be. */
export function replayAttempt(existing: PaymentRecord, method: string): StartDecision {
  if (existing.method !== method) {
    return refuse(
      new ApiError(
        'idempotency_key_reused',
        'This attemptId was already used for a different payment request; use a new attemptId.',
      ),
    );
  }
  if (existing.redirectUrl) return { kind: 'replay', payment: existing };
  if (isTerminal(existing.status)) {
    return refuse(
      new ApiError('invalid_state', 'This attempt could not be started at the provider; start a new attempt.', {
        paymentId: existing.id,
      }),
    );
  }
  return {
    kind: 'await-create',
    payment: existing,
    otherwise: new ApiError('payment_in_progress', 'This attempt is still being started; try again shortly.', {
      paymentId: existing.id,
    }),
  };
}

/** Payments that created, or may still create, a provider payment (what the attempt limit counts). */
export function countProviderPayments(payments: readonly PaymentRecord[]): number {
  return payments.filter((p) => p.providerPaymentId !== null || !isTerminal(p.status)).length;
}
