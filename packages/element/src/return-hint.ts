/**
 * Whether this page is a return from a provider: return parameters in the URL, or a return token kept
 * in this tab's history entry (see return-state.ts). The script-tag entry checks this before anything
 * starts and takes the parameters out of the address bar at once, before any request could carry them
 * in a `Referer`; checking them and keeping them in the history entry is the payment chunk's
 * (`consumeReturnParams`).
 */
import type * as protocolPaths from '@pay-with-bank/protocol/paths';

// Written out (checked against the protocol's by their types) so that the entry does not carry the
// protocol's whole path table.
const RETURN_TOKEN_PARAM: typeof protocolPaths.RETURN_TOKEN_PARAM = 'pwb_return';
const RETURN_PAYMENT_PARAM: typeof protocolPaths.RETURN_PAYMENT_PARAM = 'pwb_payment';

/** Our key in history.state, namespaced so it does not clash with the page's (or its router's) own keys. */
export const RETURN_STATE_KEY = '@pay-with-bank/return';

/** The return parameters as they came in the URL, unchecked. */
export interface RawReturnParams {
  token: string | null;
  paymentId: string | null;
}

type Win = Pick<Window, 'location' | 'history'> | undefined;

let taken: RawReturnParams | null = null;

/** The return parameters in the URL, or null when it has none. */
export function returnParamsInUrl(win: Win = globalThis.window): RawReturnParams | null {
  const params = win ? new URL(win.location.href).searchParams : null;
  const token = params?.get(RETURN_TOKEN_PARAM) ?? null;
  const paymentId = params?.get(RETURN_PAYMENT_PARAM) ?? null;
  return token === null && paymentId === null ? null : { token, paymentId };
}

export function hasReturnParams(win: Win = globalThis.window): boolean {
  const state: unknown = win?.history.state;
  return !!returnParamsInUrl(win) || (typeof state === 'object' && state !== null && RETURN_STATE_KEY in state);
}

/**
 * Like {@link hasReturnParams}, and removes the return parameters from the URL (other parameters
 * stay), keeping them for {@link takenReturnParams}.
 */
export function takeReturnParams(win: Win = globalThis.window): boolean {
  const found = returnParamsInUrl(win);
  if (found && win) {
    taken = found;
    const url = new URL(win.location.href);
    url.searchParams.delete(RETURN_TOKEN_PARAM);
    url.searchParams.delete(RETURN_PAYMENT_PARAM);
    win.history.replaceState(win.history.state, '', url.href);
  }
  return hasReturnParams(win) || !!found;
}

/** The parameters {@link takeReturnParams} took out of the URL (once). */
export function takenReturnParams(): RawReturnParams | null {
  const params = taken;
  taken = null;
  return params;
}
