/**
 * The session read, started by the script-tag entry as the first thing it does, before Lit and the
 * element are even defined: for the page's first `<pay-with-bank>` that has a `session-token`, unless
 * the page is a return from a provider (then the token may come from the return URL). The element's
 * controller takes the read over when it starts with the same token and server, instead of sending a
 * second one; otherwise it is never used.
 */
import { SESSION_PATH, request, type ApiClientOptions } from './api/request.js';
import { hasReturnParams } from './return-hint.js';

let early: { key: string; body: Promise<unknown>; abort: () => void } | null = null;

const keyOf = (token: string, serverUrl: string) => `${token}\n${serverUrl}`;

export function startSessionRead(): void {
  const el = globalThis.document?.querySelector('pay-with-bank');
  const token = el?.getAttribute('session-token');
  if (!token || hasReturnParams()) return;
  const serverUrl = el!.getAttribute('server-url') ?? '';
  const controller = new AbortController();
  const body = request({ serverUrl, token }, 'GET', SESSION_PATH, undefined, controller.signal);
  body.catch(() => undefined); // whoever takes it over sees the failure
  early = { key: keyOf(token, serverUrl), body, abort: () => controller.abort() };
}

/** The read started for this token and server (once), or undefined; `signal` aborts it from now on. */
export function takeSessionRead(options: ApiClientOptions, signal: AbortSignal): Promise<unknown> | undefined {
  if (early?.key !== keyOf(options.token, options.serverUrl)) return undefined;
  const { body, abort } = early;
  early = null;
  signal.addEventListener('abort', abort, { once: true });
  return body;
}

/**
 * A page's first Intl number format costs 15–20 ms of main thread in Chromium (ICU's data, measured
 * with `bench/bank-list.mjs`' page): paid here, while the session read is on the network, rather than
 * when the bank list renders its Pay button's amount. The locale the element will most likely use.
 */
export function warmNumberFormat(): void {
  const page = globalThis.document;
  const tag = page?.querySelector('pay-with-bank')?.getAttribute('locale') || page?.documentElement.lang || 'en';
  try {
    Intl.NumberFormat.supportedLocalesOf(tag);
    new Intl.NumberFormat(tag, { style: 'currency', currency: 'EUR' }).format(0);
  } catch {
    // Not a BCP 47 tag: the element formats in English then, and English needs no warming here.
  }
}
