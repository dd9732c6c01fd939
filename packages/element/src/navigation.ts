/** Leaving the page for a provider (the payment chunk's): only to http(s) URLs, and always the top window. */

/** Only http(s) URLs may be followed or linked (never javascript: or data:). */
export function safeHttpUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url, globalThis.location?.href);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * A top-level navigation, also from inside a frame (provider pages are never framed): what the
 * element's `navigate` does unless a subclass changes it.
 */
export function leave(url: string): void {
  const top = window.top;
  if (top && top !== window) {
    try {
      top.location.href = url; // the one Location member a cross-origin frame may set
    } catch {
      window.open(url, '_top'); // the redirecting screen's link remains as a last resort
    }
    return;
  }
  window.location.assign(url);
}
