import { RETURN_PAYMENT_PARAM, RETURN_TOKEN_PARAM } from '@pay-with-bank/protocol/paths';

/** What the return URL carries after a provider redirect (see the protocol's RETURN_* params). */
export interface ReturnParams {
  /** The session's client token: enough to resume in a fresh browser with no cookies or storage. */
  token: string;
  /** The payment the shopper returns from, when well-formed. */
  paymentId: string | null;
}

const PAYMENT_ID = /^pay_[A-Za-z0-9_-]{16,64}$/;
const TOKEN = /^[A-Za-z0-9._~-]{8,512}$/;

/**
 * Reads pwb_return / pwb_payment from the page URL and removes them (history.replaceState), so the
 * token does not linger in the address bar, bookmarks or a shared link. Other parameters stay.
 * Returns null when the URL carries no (usable) return token.
 */
export function consumeReturnParams(
  win: Pick<Window, 'location' | 'history'> | undefined = globalThis.window,
): ReturnParams | null {
  if (!win) return null;
  const url = new URL(win.location.href);
  const token = url.searchParams.get(RETURN_TOKEN_PARAM);
  const paymentId = url.searchParams.get(RETURN_PAYMENT_PARAM);
  if (token === null && paymentId === null) return null;

  url.searchParams.delete(RETURN_TOKEN_PARAM);
  url.searchParams.delete(RETURN_PAYMENT_PARAM);
  win.history.replaceState(win.history.state, '', url.href);

  if (token === null || !TOKEN.test(token)) return null;
  return { token, paymentId: paymentId !== null && PAYMENT_ID.test(paymentId) ? paymentId : null };
}
