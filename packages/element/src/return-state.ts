/**
 * The return token kept in the tab's history entry (history.state) instead of the URL: a reload or
 * back/forward navigation to that entry finds it again, while the address bar, bookmarks and shared
 * links stay free of it. No cookies or storage are involved; a fresh tab gets the token from the URL.
 */
import { CLIENT_TOKEN_PATTERN } from '@pay-with-bank/protocol/constants';
import { PAYMENT_ID_PATTERN } from '@pay-with-bank/protocol/payment-model';
import { RETURN_STATE_KEY } from './return-hint.js';

export { RETURN_STATE_KEY };

/** What the element needs to resume after a provider redirect. */
export interface ReturnParams {
  /** The session's client token: enough to resume in a fresh browser with no cookies or storage. */
  token: string;
  /** The payment the shopper returns from, when well-formed. */
  paymentId: string | null;
}

export const isReturnToken = (value: unknown): value is string =>
  typeof value === 'string' && CLIENT_TOKEN_PATTERN.test(value);
export const isPaymentId = (value: unknown): value is string =>
  typeof value === 'string' && PAYMENT_ID_PATTERN.test(value);

type HistoryLike = Pick<History, 'state' | 'replaceState'>;

/** Only a plain object can take our key without changing what the page stored. */
function extensibleState(state: unknown): Record<string, unknown> | null {
  if (state === null || state === undefined) return {};
  if (typeof state !== 'object' || Array.isArray(state)) return null;
  const proto = Object.getPrototypeOf(state) as unknown;
  return proto === Object.prototype || proto === null ? (state as Record<string, unknown>) : null;
}

/**
 * Replaces the current entry's URL with `url` and adds the return params to its state, keeping
 * whatever the page already stored there. Returns false when the page's state is not a plain object
 * (a string, an array…): it is left exactly as it is, and only the URL changes.
 */
export function saveReturnState(history: HistoryLike, params: ReturnParams, url: string): boolean {
  const state = extensibleState(history.state);
  if (!state) {
    history.replaceState(history.state, '', url);
    return false;
  }
  history.replaceState({ ...state, [RETURN_STATE_KEY]: { token: params.token, paymentId: params.paymentId } }, '', url);
  return true;
}

/** The return params stored in the current entry's state, if well-formed. */
export function readReturnState(history: Pick<History, 'state'>): ReturnParams | null {
  const state = extensibleState(history.state);
  const stored = state?.[RETURN_STATE_KEY] as { token?: unknown; paymentId?: unknown } | undefined;
  if (!stored || typeof stored !== 'object' || !isReturnToken(stored.token)) return null;
  return { token: stored.token, paymentId: isPaymentId(stored.paymentId) ? stored.paymentId : null };
}

/** Removes our key from the current entry's state when it holds `token` (the page moved to another session). */
export function forgetReturnState(history: HistoryLike, token: string): void {
  const state = extensibleState(history.state);
  if (!state || readReturnState(history)?.token !== token) return;
  const { [RETURN_STATE_KEY]: _removed, ...rest } = state;
  history.replaceState(rest, '');
}
