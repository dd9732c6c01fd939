import { RETURN_PAYMENT_PARAM, RETURN_TOKEN_PARAM } from '@pay-with-bank/protocol/paths';
import { returnParamsInUrl, takenReturnParams } from './return-hint.js';
import { isPaymentId, isReturnToken, readReturnState, saveReturnState, type ReturnParams } from './return-state.js';

export type { ReturnParams };

/**
 * Reads pwb_return / pwb_payment from the page URL and removes them, so the token does not linger in
 * the address bar, bookmarks or a shared link (other parameters stay). The token moves into this
 * tab's history entry (history.state, see return-state.ts), where a reload or back/forward finds it:
 * without return parameters in the URL, that entry's state is read instead.
 * Returns null when neither carries a (usable) return token; malformed URL parameters are removed
 * and not used. Parameters the script-tag entry already took out of the URL (`takeReturnParams`)
 * count as the URL's.
 */
export function consumeReturnParams(
  win: Pick<Window, 'location' | 'history'> | undefined = globalThis.window,
): ReturnParams | null {
  if (!win) return null;
  const url = new URL(win.location.href);
  const found = returnParamsInUrl(win) ?? takenReturnParams();
  if (!found) return readReturnState(win.history);
  const { token, paymentId } = found;

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
