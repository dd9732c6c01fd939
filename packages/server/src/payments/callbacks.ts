/**
 * Provider callbacks and webhooks: the adapter authenticates the request first (nothing is parsed
 * before that), then what it says is applied replay-safely (its event key), or — where the body is
 * not signed and so not believed — it only prompts a refresh. Express checkouts add two requests the
 * core answers itself: the provider asking for shipping options for the shopper's address (the
 * session's options, or the merchant's shipping URL's), and the shopper withdrawing consent (their
 * details are erased from every payment of theirs).
 */
import { isTerminal, type ShippingOption } from '@pay-with-bank/protocol';
import { crashPoint } from '../crash-points.js'; // test hook (test/crash): no-op unless PWB_CRASH_AT is set
import { ApiError, toApiError } from '../errors.js';
import type { CallbackResult } from '../providers/adapter.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { ShippingQuoter } from '../sessions/shipping.js';
import type { PaymentRecord, Store } from '../store/store.js';
import { providerUserKey } from './express-rules.js';
import type { PaymentLedger } from './ledger.js';
import type { PaymentRefresher } from './refresher.js';

export interface CallbackOptions {
  store: Store;
  providers: ProviderRegistry;
  ledger: PaymentLedger;
  refresher: PaymentRefresher;
  shipping: ShippingQuoter;
}

export interface CallbackOutcome {
  /** The payment the callback concerned, as stored after it. */
  payment: PaymentRecord | null;
  /** The body the provider expects in answer (its own format), or undefined for a plain acknowledgement. */
  reply?: unknown;
  /** The HTTP status of `reply` when it is not 200 (a provider's own "no shipping options here"). */
  replyStatus?: 400 | 404 | 409 | 422;
}

export async function handleCallback(
  options: CallbackOptions,
  adapterId: string,
  request: Request,
  subPath: string,
): Promise<CallbackOutcome> {
  const adapter = options.providers.byId(adapterId);
  if (!adapter?.handleCallback) {
    throw new ApiError('not_found', 'No such callback endpoint.');
  }
  let result: CallbackResult;
  try {
    result = await adapter.handleCallback(request, subPath);
  } catch (error) {
    throw toApiError(error);
  }
  const payment = await options.store.findPaymentByProviderId(adapter.id, result.providerPaymentId);
  if (!payment) throw new ApiError('not_found', 'No such payment.');
  if (result.kind === 'shipping-quote') {
    const session = await options.store.getSession(payment.sessionId);
    if (!session?.express) throw new ApiError('invalid_state', 'This payment is not an express checkout.');
    if (isTerminal(payment.status) || payment.status === 'authorized') {
      throw new ApiError('invalid_state', 'The shipping of this payment is settled already.');
    }
    let offered: ShippingOption[];
    try {
      offered = await options.shipping.optionsFor(session, result.address);
    } catch (error) {
      // Some providers take "no shipping here" as an answer of their own, not as an error.
      const declined =
        result.decline && error instanceof ApiError && error.code === 'shipping_unavailable' ? result.decline() : null;
      if (!declined) throw error;
      return { payment, reply: declined.body, replyStatus: declined.status };
    }
    // Stored before the provider hears them: the shopper's choice is checked against these.
    await options.ledger.recordShippingQuote(payment, offered);
    return { payment, reply: result.reply(offered, session.currency) };
  }
  if (result.kind === 'consent-removal') {
    const known = payment.providerUserKey ?? null;
    // The request came through this payment's credentials: it may only speak for that payment's user.
    if (known !== null && known !== providerUserKey(adapter.id, result.providerUserId)) {
      throw new ApiError('unauthorized', 'This consent removal does not concern the payment it came through.');
    }
    // A payment of theirs whose details have not arrived yet must not store them when they do.
    const session = known === null ? await options.store.getSession(payment.sessionId) : null;
    const alsoThis = session?.express ? payment.id : undefined;
    const erased = await options.ledger.eraseShopper(adapter.id, result.providerUserId, alsoThis);
    return { payment: erased.find((p) => p.id === payment.id) ?? payment };
  }
  crashPoint('callback:before-apply'); // test hook: see crash-points.ts
  if (result.snapshot) {
    return {
      payment: await options.ledger.applySnapshot(payment.id, result.snapshot, {
        source: 'callback',
        type: 'callback',
        dedupeKey: result.eventKey,
      }),
    };
  }
  return { payment: await options.refresher.refresh(payment.id, 'callback') };
}
