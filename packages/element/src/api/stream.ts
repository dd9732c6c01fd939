/**
 * The payment's live status: a streaming `fetch` of the server's `text/event-stream` (GET
 * paths.checkoutPaymentEvents), authenticated by the `Authorization` header as every other request
 * (`EventSource` cannot send one, and the token never goes into a URL). Ships in the payment chunk.
 */
import type { CheckoutPayment } from '@pay-with-bank/protocol';
import { PAYMENT_STREAM_END_REASONS, PAYMENT_STREAM_EVENTS, fillPath, paths } from '@pay-with-bank/protocol/paths';
import { isPayment } from '../shape-payment.js';
import { isObject } from '../shape.js';
import { ApiError, invalid, type ApiClientOptions } from './request.js';

export type StreamEnd = (typeof PAYMENT_STREAM_END_REASONS)[number];

/** Nothing at all (not even a heartbeat, every 15 s) for this long: the stream is dead. */
export const STREAM_IDLE_MS = 35_000;

/**
 * Reads the payment's stream until the server ends it: `onPayment` for each `payment` message (the
 * first is the current state), then the `end` reason. Rejects with an ApiError when the stream cannot
 * be opened, goes quiet for `idleMs`, breaks, or closes without `end` (then the caller polls instead).
 */
export async function watchPayment(
  options: ApiClientOptions,
  paymentId: string,
  signal: AbortSignal,
  onPayment: (payment: CheckoutPayment) => void,
  idleMs = STREAM_IDLE_MS,
): Promise<StreamEnd> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  signal.addEventListener('abort', abort, { once: true });
  let idle: ReturnType<typeof setTimeout> | undefined;
  let quiet = false;
  const awake = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      quiet = true;
      controller.abort();
    }, idleMs);
  };
  const broken = () =>
    quiet
      ? new ApiError('timeout', 'The live status went quiet', true)
      : new ApiError('network_error', 'The live status stream broke', true);
  try {
    awake();
    let response: Response;
    try {
      response = await fetch(
        options.serverUrl.replace(/\/+$/, '') + fillPath(paths.checkoutPaymentEvents, { paymentId }),
        {
          headers: { Accept: 'text/event-stream', Authorization: `Bearer ${options.token}` },
          credentials: 'omit',
          signal: controller.signal,
        },
      );
    } catch (cause) {
      if (signal.aborted) throw cause;
      throw broken();
    }
    if (!response.ok || !response.body || !/^text\/event-stream/.test(response.headers.get('content-type') ?? '')) {
      response.body?.cancel().catch(() => undefined);
      throw new ApiError(
        response.ok ? 'invalid_response' : 'network_error',
        `HTTP ${response.status}`,
        true,
        response.status,
      );
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      let chunk: ReadableStreamReadResult<string>;
      try {
        chunk = await reader.read();
      } catch (cause) {
        if (signal.aborted) throw cause;
        throw broken();
      }
      if (chunk.done) throw broken(); // closed without `end`
      awake();
      buffer += chunk.value;
      // Messages end with a blank line; keep an incomplete one for the next chunk.
      const messages = buffer.split(/\r?\n\r?\n/);
      buffer = messages.pop()!;
      for (const message of messages) {
        let event = 'message';
        let data = '';
        for (const line of message.split(/\r?\n/)) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data += line.slice(5).trimStart();
        }
        if (!data) continue; // a heartbeat (a comment line) or an empty message
        let body: unknown;
        try {
          body = JSON.parse(data);
        } catch {
          throw invalid('stream');
        }
        if (event === PAYMENT_STREAM_EVENTS.payment) {
          if (!isObject(body) || !isPayment(body.payment) || body.payment.id !== paymentId) throw invalid('stream');
          onPayment(body.payment);
        } else if (event === PAYMENT_STREAM_EVENTS.end) {
          const reason = isObject(body) ? body.reason : undefined;
          if (!PAYMENT_STREAM_END_REASONS.includes(reason as StreamEnd)) throw invalid('stream');
          reader.cancel().catch(() => undefined);
          return reason as StreamEnd;
        }
      }
    }
  } finally {
    clearTimeout(idle);
    signal.removeEventListener('abort', abort);
    controller.abort();
  }
}
