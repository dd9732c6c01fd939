/**
 * The payment chunk (a file next to the script-tag entry, loaded on demand from the entry's URL:
 * prefetched when the browser is idle on the method choice or a method's screen, at once on a return
 * from a provider): the flow from Pay on, the I/O of its effects, the screens that show a payment,
 * reading the return URL, and their English and styles.
 */
import { readSession, refreshPayment, startPayment } from './api/payments.js';
import { ApiError, type ApiClientOptions } from './api/request.js';
import { watchPayment } from './api/stream.js';
import type { PwbEventDetailMap, PwbEventName } from './events.js';
import type { Effect, Event } from './flow/state.js';
import { writeMemory } from './memory-write.js';
import { safeHttpUrl } from './navigation.js';
import { wait } from './util.js';

export { announcement, effects, transition } from './flow/index.js';
export { enPayment as texts } from './i18n/en-payment.js';
export { leave } from './navigation.js';
export { consumeReturnParams } from './return.js';
export { forgetReturnState } from './return-state.js';
export { paymentStyles as styles } from './screens/payment.styles.js';
export { isPayment } from './shape-payment.js';
export { renderRedirecting } from './screens/redirecting.js';
export { renderResult } from './screens/result.js';
export { counting, renderWaiting } from './screens/waiting.js';

/** What the payment effects need from the controller. */
export interface PaymentIO {
  api: ApiClientOptions;
  navigate(url: string): void;
  emit<K extends PwbEventName>(type: K, detail: PwbEventDetailMap[K]): void;
  error(error: ApiError): void;
  /** An answer before the effect's last one (each message of a stream). */
  dispatch(event: Event): void;
}

const asApiError = (error: unknown): ApiError =>
  error instanceof ApiError
    ? error
    : new ApiError('invalid_response', error instanceof Error ? error.message : String(error), true);

/** Runs a one-shot effect: leave for the provider, remember a choice, report how the payment ended. */
export function once(effect: Effect, io: PaymentIO): void {
  if (effect.type === 'navigate') io.navigate(effect.url);
  if (effect.type === 'remember') writeMemory(effect.method, effect.value);
  if (effect.type !== 'report') return;
  const { payment, outcome, reference } = effect;
  const base = { paymentId: payment.id, method: payment.method, amount: payment.amount, reference };
  if (outcome === 'completed' || outcome === 'authorized') io.emit('pwb-complete', { ...base, status: outcome });
  if (outcome === 'failed') io.emit('pwb-failed', { ...base, status: 'failed', failure: payment.failure });
  if (outcome === 'cancelled' || outcome === 'expired') io.emit('pwb-cancel', { ...base, status: outcome });
}

/** Runs a request effect; its answer as an event, or null when aborted. */
export async function run(effect: Effect, io: PaymentIO, signal: AbortSignal): Promise<Event | null> {
  const { api } = io;
  try {
    switch (effect.type) {
      case 'start': {
        const { payment, redirectUrl } = await startPayment(api, effect.request, signal);
        const url = safeHttpUrl(redirectUrl);
        if (!url) throw new ApiError('invalid_response', 'The redirect URL is not an http(s) URL', false);
        return { type: 'started', attemptId: effect.request.attemptId, payment, url };
      }
      case 'find-open': {
        const session = await readSession(api, signal);
        let payment = session.payment;
        // Normally the open payment is the latest; if not, ask for the one the server named.
        if (effect.paymentId && payment?.id !== effect.paymentId) {
          payment = await refreshPayment(api, effect.paymentId, signal);
        }
        return { type: 'open-payment', attemptId: effect.attemptId, session, payment };
      }
      case 'watch': {
        if (!(await wait(effect.delay, signal))) return null;
        const { paymentId } = effect;
        const reason = await watchPayment(api, paymentId, signal, (payment) =>
          io.dispatch({ type: 'streamed', paymentId, payment }),
        );
        return { type: 'stream-ended', paymentId, reason };
      }
      case 'refresh': {
        if (!(await wait(effect.delay, signal))) return null;
        const payment = await refreshPayment(api, effect.paymentId, signal);
        return { type: 'refreshed', paymentId: effect.paymentId, check: effect.check, payment, at: Date.now() };
      }
      default:
        return null;
    }
  } catch (error) {
    if (signal.aborted) return null;
    const problem = asApiError(error);
    switch (effect.type) {
      case 'start':
        io.error(problem);
        return { type: 'start-failed', attemptId: effect.request.attemptId, error: problem };
      case 'find-open':
        return { type: 'open-payment-failed', attemptId: effect.attemptId };
      case 'watch':
        // Polling takes over (it also says what a lost session or payment means).
        return { type: 'stream-failed', paymentId: effect.paymentId, error: problem };
      case 'refresh':
        return {
          type: 'refresh-failed',
          paymentId: effect.paymentId,
          check: effect.check,
          error: problem,
          at: Date.now(),
        };
      default:
        return null;
    }
  }
}
