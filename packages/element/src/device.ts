/**
 * Is the shopper on a phone or tablet? Vipps then switches to its app instead of showing the
 * desktop landing page. A heuristic: User-Agent Client Hints where available, else the UA string,
 * else a coarse pointer with touch (iPadOS reports a desktop Safari UA).
 */
export function isMobileDevice(): boolean {
  if (typeof navigator === 'undefined') return false;
  const hints = (navigator as Navigator & { userAgentData?: { mobile?: boolean } }).userAgentData;
  if (typeof hints?.mobile === 'boolean' && hints.mobile) return true;
  if (/Android|iPhone|iPod|Mobile|Windows Phone/i.test(navigator.userAgent)) return true;
  return typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches && navigator.maxTouchPoints > 1;
}
