import { RETURN_PAYMENT_PARAM, RETURN_TOKEN_PARAM } from '@pay-with-bank/protocol/paths';
import { isPaymentId, isReturnToken, readReturnState, saveReturnState, type ReturnParams } from './return-state.js';

export type { ReturnParams };

/**
 * Reads pwb_return / pwb_payment from the page URL and removes them, so the token does not linger in
 * the address bar, bookmarks or a shared link (other parameters stay). The token moves into this
 * tab's history entry (history.state, see return-state.ts), where a reload or back/forward finds it:
 * without return parameters in the URL, that entry's state is read instead.
 * Returns null when neither carries a (usable) return token; malformed URL parameters are removed
 * and not used.
 */
export function consumeReturnParams(
  win: Pick<Window, 'location' | 'history'> | undefined = globalThis.window,
): ReturnParams | null {
  if (!win) return null;
  const url = new URL(win.location.href);
  const token = url.searchParams.get(RETURN_TOKEN_PARAM);
  const paymentId = url.searchParams.get(RETURN_PAYMENT_PARAM);
  if (token === null && paymentId === null) return readReturnState(win.history);

  url.searchParams.delete(RETURN_TOKEN_PARAM);
  url.searchParams.delete(RETURN_PAYMENT_PARAM);
  if (!isReturnToken(token)) {
    win.history.replaceState(win.history.state, '', url.href);
    return null;
  }
  const params = { token, paymentId: isPaymentId(paymentId) ? paymentId : null };
  saveReturnState(win.history, params, url.href);
  return params;
}
