/**
 * Request bodies are capped (16 KB): a larger body is answered 413 payload_too_large before it is
 * parsed, whether its size is declared (Content-Length) or not (chunked / streamed), on every POST
 * route, in-process and over real HTTP; the server stops reading once over the limit, and nothing
 * changes.
 */
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BODY_LIMIT_BYTES } from '../../src/http/middleware/body-limit/index.js';
import { routes } from '../../src/http/routes/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import { MERCHANT_KEY } from '../helpers/config.js';
import { BASE, json } from '../helpers/harness.js';
import { overHttp, securityWorld, stateOf, type Shopper } from './helpers.js';

const LIMIT = DEFAULT_BODY_LIMIT_BYTES;

function pathFor(path: string, shopper: Shopper): string {
  return path
    .replace('{paymentId}', shopper.paymentId)
    .replace('{sessionId}', shopper.sessionId)
    .replace('{provider}', 'fake')
    .replace('/*', '/events');
}

/** A body stream that counts what the server pulled from it. */
function countingStream(total: number, chunk = 1024): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let sent = 0;
  return {
    stream: new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= total) return controller.close();
        const n = Math.min(chunk, total - sent);
        sent += n;
        controller.enqueue(new Uint8Array(n).fill(0x20));
      },
    }),
    pulled: () => sent,
  };
}

describe('body size limit', () => {
  it('answers 413 on every POST route, declared or streamed, and changes nothing', async () => {
    const world = securityWorld({ PWB_RATE_LIMIT_PER_MINUTE: '0' });
    const shopper = await world.shopper('ORDER-A');
    const post = routes.filter((r) => r.method === 'POST');
    expect(post.length).toBeGreaterThanOrEqual(7);
    const before = await stateOf(world);
    for (const route of post) {
      const auth =
        route.auth === 'merchant' ? `Bearer ${MERCHANT_KEY}` : route.auth === 'client' ? `Bearer ${shopper.token}` : '';
      const headers = {
        'content-type': 'application/json',
        ...(auth ? { authorization: auth } : {}),
        'x-fake-auth': 'good',
      };
      const url = `${BASE}${pathFor(route.path, shopper)}`;
      // Declared: refused from the header alone.
      const declared = await world.h.server.fetch(
        new Request(url, { method: 'POST', headers, body: JSON.stringify({ pad: 'x'.repeat(LIMIT) }) }),
      );
      expect(declared.status, `${route.operationId} declared`).toBe(413);
      expect((await json(declared)).error.code).toBe('payload_too_large');
      // Streamed without a length: refused once the limit is crossed, without reading the rest.
      const { stream, pulled } = countingStream(10 * 1024 * 1024);
      const streamed = await world.h.server.fetch(
        new Request(url, { method: 'POST', headers, body: stream, duplex: 'half' } as RequestInit),
      );
      expect(streamed.status, `${route.operationId} streamed`).toBe(413);
      expect((await json(streamed)).error.code).toBe('payload_too_large');
      expect(pulled(), `${route.operationId} kept reading`).toBeLessThan(LIMIT + 64 * 1024);
    }
    expect(await stateOf(world)).toBe(before);
  });

  it('counts bytes, not characters: multi-byte text past the limit is refused, a body at the limit is read', async () => {
    const world = securityWorld();
    const send = (body: string) =>
      world.h.request('POST', '/v1/sessions', {
        rawBody: body,
        headers: { authorization: `Bearer ${MERCHANT_KEY}`, 'content-type': 'application/json' },
      });
    // 6,000 × "😀" is 12,000 UTF-16 units but 24,000 bytes.
    const overInBytes = await send(JSON.stringify({ description: '😀'.repeat(6000) }));
    expect(overInBytes.status).toBe(413);
    // Exactly the limit: read and validated (a field error, not a size error).
    const exact = JSON.stringify({ zz: '' });
    const atLimit = await send(exact.replace('""', `"${'x'.repeat(LIMIT - exact.length)}"`));
    expect(atLimit.status).toBe(400);
    expect((await json(atLimit)).error.code).toBe('invalid_request');
  });

  it('over real HTTP: chunked bodies without Content-Length get 413 and the server stays up', async () => {
    const store = new MemoryStore();
    await overHttp(
      {},
      async (base) => {
        const url = new URL(`${base}/v1/sessions`);
        const status = await new Promise<{ status: number; body: string; chunked: boolean }>((resolve, reject) => {
          const req = httpRequest(
            {
              host: url.hostname,
              port: url.port,
              path: url.pathname,
              method: 'POST',
              headers: { authorization: `Bearer ${MERCHANT_KEY}`, 'content-type': 'application/json' },
            },
            (res) => {
              let body = '';
              res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
              res.on('end', () => resolve({ status: res.statusCode!, body, chunked: sentChunked }));
            },
          );
          // No Content-Length: Node sends Transfer-Encoding: chunked.
          const sentChunked = !req.hasHeader('content-length');
          req.on('error', (error: NodeJS.ErrnoException) => {
            // The server may close the socket while we are still uploading; the response is what counts.
            if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
          });
          let written = 0;
          const writeMore = () => {
            while (written < 1024 * 1024) {
              written += 8192;
              if (!req.write('x'.repeat(8192))) return void req.once('drain', writeMore);
            }
            req.end();
          };
          writeMore();
        });
        expect(status.chunked).toBe(true);
        expect(status.status).toBe(413);
        expect(JSON.parse(status.body).error.code).toBe('payload_too_large');
        expect((await store.stats()).sessions).toBe(0);
        const health = await fetch(`${base}/healthz`);
        expect(health.status).toBe(200);
        await health.text();
      },
      store,
    );
  });
});
