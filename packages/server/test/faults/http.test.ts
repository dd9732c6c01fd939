/**
 * The shared provider HTTP helper (src/providers/http.ts) on its own: which outcomes are retried,
 * for which calls, how long it waits (full jitter, Retry-After, the time cap) and what it throws
 * when no answer came. Waits are recorded, not slept. No server and no store here, so, unlike the
 * other fault suites, it runs once, not once per store.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { ProviderError } from '../../src/errors.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, ProviderHttp, type ProviderRequest } from '../../src/providers/http.js';
import { captureLogs } from '../helpers/logs.js';

type Step = Response | Error | 'hang' | (() => Response);

function harness(steps: Step[], options: { timeoutMs?: number; random?: number; maxTotalMs?: number } = {}) {
  const waits: number[] = [];
  let clock = 0;
  let calls = 0;
  const logs = captureLogs();
  const fetchImpl: typeof fetch = (_input, init) => {
    const step = steps[Math.min(calls++, steps.length - 1)]!;
    if (step === 'hang') {
      return new Promise<Response>((_resolve, reject) => {
        init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason), { once: true });
      });
    }
    if (step instanceof Error) return Promise.reject(step);
    return Promise.resolve(typeof step === 'function' ? step() : step.clone());
  };
  const http = new ProviderHttp({
    fetch: fetchImpl,
    timeoutMs: options.timeoutMs ?? 1_000,
    logger: createLogger({ level: 'debug', sink: logs.sink }),
    random: () => options.random ?? 0.5,
    clock: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
    ...(options.maxTotalMs !== undefined ? { retry: { maxTotalMs: options.maxTotalMs } } : {}),
  });
  return { http, waits, calls: () => calls, logs, advance: (ms: number) => (clock += ms) };
}

const request = (idempotent: boolean): ProviderRequest => ({
  method: 'POST',
  url: 'https://provider.test/v1/thing?secret=no',
  headers: { 'X-Client-Secret': 'top-secret-value' },
  body: '{}',
  idempotent,
  logPath: '/v1/thing',
  messages: { timeout: 'Timed out.', unreachable: 'Unreachable.' },
});

const status = (code: number, headers: Record<string, string> = {}) =>
  new Response(`{"s":${code}}`, { status: code, headers });
const reset = () => new TypeError('fetch failed');

describe('which outcomes are retried', () => {
  it.each([502, 503, 504, 429])('HTTP %i on a safe call: retried, then the answer is returned', async (code) => {
    const h = harness([status(code), status(200)]);
    const response = await h.http.send(request(true));
    expect([response.status, response.attempts, h.calls()]).toEqual([200, 2, 2]);
    expect(response.text).toBe('{"s":200}');
  });

  it.each([500, 400, 401, 404, 409, 422])('HTTP %i is never retried', async (code) => {
    const h = harness([status(code), status(200)]);
    const response = await h.http.send(request(true));
    expect([response.status, h.calls()]).toEqual([code, 1]);
  });

  it('a network error on a safe call is retried; the third failure throws provider_unavailable', async () => {
    const recovered = harness([reset(), status(200)]);
    expect((await recovered.http.send(request(true))).status).toBe(200);
    const down = harness([reset()]);
    const error = await down.http.send(request(true)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'provider_unavailable', message: 'Unreachable.' });
    expect(down.calls()).toBe(DEFAULT_RETRY_POLICY.maxAttempts);
  });

  it('a call that is not safe is sent once after a reset, a 5xx or a timeout (the provider may have acted)', async () => {
    for (const step of [reset(), status(503), status(502), 'hang' as const]) {
      const h = harness([step, status(200)], { timeoutMs: 20 });
      const outcome = await h.http.send(request(false)).catch((e: unknown) => e);
      expect(h.calls()).toBe(1);
      expect(h.waits).toEqual([]);
      if (step instanceof Response) expect((outcome as { status: number }).status).toBe(step.status);
      else expect(outcome).toBeInstanceOf(ProviderError);
    }
  });

  it('a call that is not safe is retried after a 429 (the provider did not process it), honouring Retry-After', async () => {
    const h = harness([status(429, { 'retry-after': '1' }), status(200)], { random: 0 });
    const response = await h.http.send(request(false));
    expect([response.status, h.calls()]).toEqual([200, 2]);
    expect(h.waits).toEqual([1000]);
    // …but not when the provider asks for longer than the call's budget allows: it reports it instead.
    const long = harness([status(429, { 'retry-after': '60' }), status(200)]);
    const busy = await long.http.send(request(false));
    expect([busy.status, busy.retryAfterSeconds, long.calls()]).toEqual([429, 60, 1]);
  });

  it('a timeout on every attempt throws provider_timeout after three attempts', async () => {
    const h = harness(['hang'], { timeoutMs: 20 });
    const error = await h.http.send(request(true)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'provider_timeout', message: 'Timed out.' });
    expect(h.calls()).toBe(3);
  });

  it('a body that fails mid-read counts as a network error (retried)', async () => {
    const broken = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"par'));
            controller.error(new TypeError('terminated'));
          },
        }),
        { status: 200 },
      );
    const h = harness([broken, status(200)]);
    const response = await h.http.send(request(true));
    expect([response.status, h.calls()]).toEqual([200, 2]);
  });
});

describe('how long it waits', () => {
  it('full jitter: random below base × 2^(n−1), capped at maxDelayMs', () => {
    const high = harness([], { random: 0.999 });
    expect([1, 2, 3, 4, 5, 6].map((n) => high.http.backoffMs(n))).toEqual([199, 399, 799, 1598, 1998, 1998]);
    const low = harness([], { random: 0 });
    expect(low.http.backoffMs(3)).toBe(0);
  });

  it('the waits between attempts follow the backoff', async () => {
    const h = harness([reset(), reset(), status(200)], { random: 0.5 });
    await h.http.send(request(true));
    expect(h.waits).toEqual([100, 200]);
  });

  it('honours Retry-After on 429 and 503 when it is longer than the backoff', async () => {
    const h = harness([status(429, { 'retry-after': '2' }), status(503, { 'retry-after': '1' }), status(200)]);
    const response = await h.http.send(request(true));
    expect(response.status).toBe(200);
    expect(h.waits).toEqual([2_000, 1_000]);
  });

  it('a Retry-After beyond the cap ends the retries and is reported', async () => {
    const h = harness([status(429, { 'retry-after': '60' }), status(200)]);
    const response = await h.http.send(request(true));
    expect([response.status, response.retryAfterSeconds, h.calls()]).toEqual([429, 60, 1]);
  });

  it('never goes past the total time cap', async () => {
    const h = harness([status(503, { 'retry-after': '4' }), status(503, { 'retry-after': '4' }), status(200)], {
      maxTotalMs: 6_000,
    });
    const response = await h.http.send(request(true));
    // One wait of 4 s fits in 6 s; a second would not.
    expect([response.status, h.calls(), h.waits]).toEqual([503, 2, [4_000]]);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after': '7' }), now)).toBe(7);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Tue, 01 Jan 2030 00:00:30 GMT' }), now)).toBe(30);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), now)).toBeNull();
    expect(parseRetryAfter(new Headers(), now)).toBeNull();
  });
});

describe('logging', () => {
  it('logs each failed attempt by method and path only: no query, headers or body', async () => {
    const h = harness([reset(), status(503), status(200)]);
    await h.http.send(request(true));
    const text = h.logs.text();
    expect(text).toContain('provider call failed; retrying');
    expect(text).toContain('/v1/thing');
    expect(text).not.toContain('secret');
  });
});
