/** Outbound HTTP (eCom callbacks, webhooks) through the injected fetch, with a clock-driven timeout. */
import type { VippsContext } from './context.js';
import type { DeliveryAttempt } from './state.js';

export interface PostResult extends DeliveryAttempt {
  ok: boolean;
}

/**
 * POSTs `body` once. Never throws: network errors, timeouts and non-2xx answers are reported.
 * Redirects are not followed (Vipps does not follow them either).
 */
export async function postOnce(
  ctx: VippsContext,
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<PostResult> {
  const at = new Date(ctx.clock.now()).toISOString();
  const controller = new AbortController();
  const timer = ctx.clock.setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  try {
    const response = await ctx.config.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      redirect: 'manual',
      signal: controller.signal,
    });
    // Drain the body so the connection is released; its content does not matter to Vipps.
    await response.arrayBuffer().catch(() => undefined);
    const ok = response.status >= 200 && response.status < 300;
    return { ok, at, httpStatus: response.status, error: ok ? null : `HTTP ${response.status}` };
  } catch (error) {
    const reason = controller.signal.aborted ? controller.signal.reason : error;
    return { ok: false, at, httpStatus: null, error: reason instanceof Error ? reason.message : String(reason) };
  } finally {
    ctx.clock.clearTimeout(timer);
  }
}
