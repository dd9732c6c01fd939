/**
 * body-limit: a request body may hold at most `maxBytes` bytes (`payload_too_large`, 413).
 * A declared Content-Length over the limit is refused before anything else runs; the body itself is
 * counted as it is read (chunked bodies, or a length that lies), and reading stops at the first
 * chunk past the limit, so a huge upload is never buffered.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../../../errors.js';

export const DEFAULT_BODY_LIMIT_BYTES = 16 * 1024;

function tooLarge(maxBytes: number): ApiError {
  return new ApiError('payload_too_large', `The request body must be at most ${maxBytes} bytes.`);
}

/** The same bytes, erroring with payload_too_large once more than `maxBytes` have passed. */
function counted(body: ReadableStream<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let size = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        size += value.byteLength;
        if (size > maxBytes) {
          await reader.cancel().catch(() => {});
          return controller.error(tooLarge(maxBytes));
        }
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

export function bodyLimit(maxBytes: number): MiddlewareHandler {
  return async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > maxBytes) throw tooLarge(maxBytes);
    const request = c.req.raw;
    if (request.body) {
      c.req.raw = new Request(request, { body: counted(request.body, maxBytes), duplex: 'half' });
    }
    await next();
  };
}
