/**
 * The return-URL allow-list (no open redirect). An entry is an origin (`https://shop.example`) or a
 * URL prefix (`https://shop.example/checkout`). A return URL matches when scheme, host and port are
 * exactly equal, it carries no userinfo, and its path is the entry's path or below it on a segment
 * boundary (`/checkout` admits `/checkout` and `/checkout/done`, not `/checkout-evil`).
 */
import { RETURN_PAYMENT_PARAM, RETURN_TOKEN_PARAM } from '@pay-with-bank/protocol';

export interface ReturnUrlRule {
  protocol: string;
  hostname: string;
  port: string;
  /** Normalised path prefix without trailing slash ('' for a whole origin). */
  pathPrefix: string;
}

/** Parse one allow-list entry; throws with a readable reason when it is not an acceptable entry. */
export function parseReturnUrlRule(entry: string): ReturnUrlRule {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new Error('is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('must use http or https');
  if (url.username || url.password) throw new Error('must not contain userinfo');
  if (url.search || url.hash) throw new Error('must not contain a query or fragment');
  return {
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port,
    pathPrefix: url.pathname.replace(/\/+$/, ''),
  };
}

export function isReturnUrlAllowed(candidate: string, rules: readonly ReturnUrlRule[]): boolean {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  // Encoded dots and (back)slashes survive URL parsing (`/checkout/..%2Fadmin` is "below" /checkout)
  // but servers that decode them walk out of the allowed prefix: no legitimate return URL needs them.
  if (/%2e|%2f|%5c/i.test(url.pathname)) return false;
  return rules.some((rule) => {
    if (url.protocol !== rule.protocol || url.hostname !== rule.hostname || url.port !== rule.port) return false;
    if (rule.pathPrefix === '') return true;
    return url.pathname === rule.pathPrefix || url.pathname.startsWith(`${rule.pathPrefix}/`);
  });
}

/** The URL the provider sends the shopper back to: the session's return URL plus our return parameters. */
export function buildProviderReturnUrl(returnUrl: string, clientToken: string, paymentId: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set(RETURN_TOKEN_PARAM, clientToken);
  url.searchParams.set(RETURN_PAYMENT_PARAM, paymentId);
  return url.toString();
}
