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

/**
 * The return URL exactly as the shopper will be sent to it (the WHATWG serialisation), or null when
 * it is not admitted. Refused besides the allow-list: userinfo of any kind (even an empty `:@`, which
 * parsing silently drops), and percent-encoded dots, slashes or backslashes at any depth of encoding
 * (`%2e`, `%252e`, …): servers that decode them walk out of the allowed prefix, and no legitimate
 * return URL needs them.
 */
export function admitReturnUrl(candidate: string, rules: readonly ReturnUrlRule[]): string | null {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password || hasUserinfo(candidate)) return null;
  if (hasEncodedPathTricks(url.pathname)) return null;
  const allowed = rules.some((rule) => {
    if (url.protocol !== rule.protocol || url.hostname !== rule.hostname || url.port !== rule.port) return false;
    if (rule.pathPrefix === '') return true;
    return url.pathname === rule.pathPrefix || url.pathname.startsWith(`${rule.pathPrefix}/`);
  });
  return allowed ? url.href : null;
}

export function isReturnUrlAllowed(candidate: string, rules: readonly ReturnUrlRule[]): boolean {
  return admitReturnUrl(candidate, rules) !== null;
}

/** An `@` in the authority as written (the parser drops an empty `:@`, so the parsed URL cannot tell). */
function hasUserinfo(raw: string): boolean {
  const afterScheme = raw.trim().replace(/^[a-z][a-z0-9+.-]*:[\\/]*/i, '');
  const authority = afterScheme.split(/[\\/?#]/, 1)[0] ?? '';
  return authority.includes('@');
}

/** Encoded `.`, `/` or `\\` in the path, or dot segments that appear once it is decoded, at any depth. */
function hasEncodedPathTricks(pathname: string): boolean {
  let path = pathname;
  for (let depth = 0; depth < 8; depth++) {
    if (/%2e|%2f|%5c/i.test(path)) return true;
    // Only ASCII escapes matter here (dots, slashes, `%` itself); decoding them alone never throws.
    const decoded = path.replace(/%([0-7][0-9a-f])/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (decoded === path) return false;
    if (/(^|[\\/])\.{1,2}([\\/]|$)/.test(decoded) || decoded.includes('\\')) return true;
    path = decoded;
  }
  return true; // encoded eight times over: nobody means that
}

/** The URL the provider sends the shopper back to: the session's return URL plus our return parameters. */
export function buildProviderReturnUrl(returnUrl: string, clientToken: string, paymentId: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set(RETURN_TOKEN_PARAM, clientToken);
  url.searchParams.set(RETURN_PAYMENT_PARAM, paymentId);
  return url.toString();
}
