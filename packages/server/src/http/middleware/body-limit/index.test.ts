import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../errors.js';
import { bodyLimit } from './index.js';

const LIMIT = 1024;

/** A body limit, then a handler that reads the body (or not) and echoes its size. */
function appWith(options: { read: boolean }) {
  const reached: string[] = [];
  const app = new Hono();
  app.post('/', bodyLimit(LIMIT), async (c) => {
    reached.push('handler');
    return c.json({ bytes: options.read ? (await c.req.arrayBuffer()).byteLength : null });
  });
  app.onError((error, c) =>
    c.json({ code: error instanceof ApiError ? error.code : 'unexpected', message: error.message }, 413),
  );
  return { app, reached };
}

/** A length-less body of `total` bytes that counts what was pulled from it. */
function countingStream(total: number, chunk = 256) {
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const n = Math.min(chunk, total - sent);
      sent += n;
      controller.enqueue(new Uint8Array(n).fill(0x20));
    },
  });
  return { stream, pulled: () => sent };
}

const post = (body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  new Request('http://pwb.test/', { method: 'POST', body, headers, duplex: 'half' });

describe('body-limit middleware', () => {
  it('refuses a declared Content-Length over the limit before anything else runs', async () => {
    const { app, reached } = appWith({ read: false });
    // A fetch Request carries no Content-Length of its own: declare it as a client would.
    const res = await app.request(post('x', { 'content-length': String(LIMIT + 1) }));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      code: 'payload_too_large',
      message: `The request body must be at most ${LIMIT} bytes.`,
    });
    expect(reached).toEqual([]);
  });

  it('counts a streamed body as it is read and stops reading past the limit', async () => {
    const { app, reached } = appWith({ read: true });
    const { stream, pulled } = countingStream(1024 * 1024);
    const res = await app.request(post(stream));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'payload_too_large' });
    expect(reached).toEqual(['handler']);
    expect(pulled()).toBeLessThan(LIMIT + 4 * 256);
  });

  it('counts bytes, not characters, and passes a body of exactly the limit through unchanged', async () => {
    const { app } = appWith({ read: true });
    const emoji = '😀'.repeat(LIMIT / 4); // 4 bytes each
    expect(await (await app.request(post(emoji))).json()).toEqual({ bytes: LIMIT });
    const over = await app.request(post(countingStream(LIMIT + 1).stream));
    expect(await over.json()).toMatchObject({ code: 'payload_too_large' });
  });

  it('lets a handler that never reads the body answer, and ignores a malformed Content-Length', async () => {
    const { app } = appWith({ read: false });
    const { stream, pulled } = countingStream(1024 * 1024);
    expect((await app.request(post(stream))).status).toBe(200);
    expect(pulled()).toBeLessThan(LIMIT);
    expect((await app.request(post('{}', { 'content-length': '2' }))).status).toBe(200);
  });
});
