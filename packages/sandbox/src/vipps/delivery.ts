/** Outbound HTTP (eCom callbacks, express calls, webhooks) through the injected fetch, with a clock-driven timeout. */
import type { VippsContext } from './context.js';
import type { DeliveryAttempt } from './state.js';

export interface PostResult extends DeliveryAttempt {
  ok: boolean;
}

export interface SendResult extends PostResult {
  /** The answer's body (cut at `maxBodyBytes`), null without an answer. */
  body: string | null;
  /** The request was given up because it took longer than the timeout. */
  timedOut: boolean;
}

export interface SendInit {
  method: 'POST' | 'DELETE';
  url: string;
  body: string | null;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Read (and keep) the answer's body up to this many bytes; default: drain it. */
  maxBodyBytes?: number;
}

/**
 * Sends one request. Never throws: network errors, timeouts and non-2xx answers are reported.
 * Redirects are not followed (Vipps does not follow them either). The timeout covers the body too.
 */
export async function sendOnce(ctx: VippsContext, init: SendInit): Promise<SendResult> {
  const at = new Date(ctx.clock.now()).toISOString();
  const controller = new AbortController();
  const timer = ctx.clock.setTimeout(
    () => controller.abort(new Error(`timed out after ${init.timeoutMs} ms`)),
    init.timeoutMs,
  );
  try {
    const response = await ctx.config.fetch(init.url, {
      method: init.method,
      headers: init.body === null ? init.headers : { 'content-type': 'application/json', ...init.headers },
      ...(init.body === null ? {} : { body: init.body }),
      redirect: 'manual',
      signal: controller.signal,
    });
    let body: string | null = null;
    if (init.maxBodyBytes === undefined) {
      // Drain the body so the connection is released; its content does not matter to Vipps.
      await response.arrayBuffer().catch(() => undefined);
    } else {
      const bytes = new Uint8Array(await response.arrayBuffer());
      body = new TextDecoder().decode(bytes.subarray(0, init.maxBodyBytes));
    }
    const ok = response.status >= 200 && response.status < 300;
    return { ok, at, httpStatus: response.status, error: ok ? null : `HTTP ${response.status}`, body, timedOut: false };
  } catch (error) {
    const timedOut = controller.signal.aborted;
    const reason = timedOut ? controller.signal.reason : error;
    return {
      ok: false,
      at,
      httpStatus: null,
      error: reason instanceof Error ? reason.message : String(reason),
      body: null,
      timedOut,
    };
  } finally {
    ctx.clock.clearTimeout(timer);
  }
}

/** POSTs `body` once and ignores the answer's content (callbacks, webhooks). */
export async function postOnce(
  ctx: VippsContext,
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<PostResult> {
  const { ok, at, httpStatus, error } = await sendOnce(ctx, { method: 'POST', url, body, headers, timeoutMs });
  return { ok, at, httpStatus, error };
}
