/**
 * Network and payload faults shared by the emulators: what a fault can be, its zod schemas (HTTP
 * body and programmatic input), and the provider-neutral effects (connection reset, hang,
 * truncated body, missing fields). The 429/5xx and malformed answers are provider-specific and
 * live in each emulator's fault middleware.
 *
 * A connection reset destroys the Node socket when the sandbox runs on a port (`c.env.incoming`,
 * @hono/node-server). In-process (`app.fetch`) there is no socket: the sandbox answers a marked
 * 502 instead, which `inProcessFetch` turns into the same `TypeError('fetch failed')` a real
 * fetch throws.
 */
import type { Context } from 'hono';
import { z } from 'zod';

export const FAULT_STATUSES = [429, 500, 502, 503, 504] as const;
export type FaultStatus = (typeof FAULT_STATUSES)[number];

/** What one injected fault does to the API call it hits. */
export type FaultEffect =
  /** Answer this status in the API's error format, unprocessed (429: `Retry-After: 1` unless set). */
  | { kind: 'status'; status: FaultStatus; retryAfterSeconds?: number }
  /** 200 with a body that is not JSON, unprocessed. */
  | { kind: 'malformed' }
  /** Processed; the real 2xx JSON body is cut in the middle (a valid prefix, not valid JSON). */
  | { kind: 'truncated' }
  /** Processed; these keys (default: the emulator's identifying and status fields) are removed at any depth. */
  | { kind: 'missing-fields'; fields?: readonly string[] }
  /** The connection is dropped without an answer: before processing, or after (the answer is lost). */
  | { kind: 'reset'; afterProcessing?: boolean }
  /** The call is held this long (real time), then processed as usual: longer than a client's timeout. */
  | { kind: 'hang'; ms: number };

/** An injected fault: its effect and, optionally, the API path prefix it is limited to. */
export type InjectedFault = FaultEffect & { pathPrefix?: string };

const FaultStatusSchema = z.literal(FAULT_STATUSES);
const FieldName = z.string().regex(/^[A-Za-z0-9_.-]{1,60}$/, 'must be a JSON key');
const RetryAfterSeconds = z.number().int().min(0).max(3600);
const HangMs = z.number().int().min(1).max(120_000);

/** Validates programmatic input (controls.injectFaults) the same way as the HTTP body. */
export const FaultEffectSchema: z.ZodType<FaultEffect> = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('status'),
    status: FaultStatusSchema,
    retryAfterSeconds: RetryAfterSeconds.optional(),
  }),
  z.strictObject({ kind: z.literal('malformed') }),
  z.strictObject({ kind: z.literal('truncated') }),
  z.strictObject({ kind: z.literal('missing-fields'), fields: z.array(FieldName).min(1).max(20).optional() }),
  z.strictObject({ kind: z.literal('reset'), afterProcessing: z.boolean().optional() }),
  z.strictObject({ kind: z.literal('hang'), ms: HangMs }),
]) as z.ZodType<FaultEffect>;

export const FaultCount = z.number().int().min(1).max(1000);

const EFFECT_KEYS = ['status', 'malformed', 'truncated', 'missingFields', 'reset', 'hangMs'] as const;

/**
 * The HTTP body of `POST /__sandbox/{provider}/faults`: exactly one of `status` (+ `retryAfter`
 * seconds), `malformed: true`, `truncated: true`, `missingFields: true | [keys]`, `reset: true`
 * (+ `afterProcessing`), `hangMs`; plus `count` (default 1) and `pathPrefix`.
 */
export function faultBodySchema(pathPrefix: z.ZodType<string>) {
  return z
    .strictObject({
      status: FaultStatusSchema.optional(),
      retryAfter: RetryAfterSeconds.optional(),
      malformed: z.literal(true).optional(),
      truncated: z.literal(true).optional(),
      missingFields: z.union([z.literal(true), z.array(FieldName).min(1).max(20)]).optional(),
      reset: z.literal(true).optional(),
      afterProcessing: z.boolean().optional(),
      hangMs: HangMs.optional(),
      count: FaultCount.default(1),
      pathPrefix: pathPrefix.optional(),
    })
    .refine((b) => EFFECT_KEYS.filter((k) => b[k] !== undefined).length === 1, {
      message: `give exactly one of ${EFFECT_KEYS.join(', ')}`,
      path: ['status'],
    })
    .refine((b) => b.retryAfter === undefined || b.status !== undefined, {
      message: 'only with status',
      path: ['retryAfter'],
    })
    .refine((b) => b.afterProcessing === undefined || b.reset !== undefined, {
      message: 'only with reset',
      path: ['afterProcessing'],
    });
}

export type FaultBody = z.infer<ReturnType<typeof faultBodySchema>>;

/** The parsed HTTP body → the programmatic fault. */
export function faultFromBody(body: FaultBody): InjectedFault {
  const where = body.pathPrefix !== undefined ? { pathPrefix: body.pathPrefix } : {};
  if (body.status !== undefined) {
    return {
      kind: 'status',
      status: body.status,
      ...(body.retryAfter !== undefined ? { retryAfterSeconds: body.retryAfter } : {}),
      ...where,
    };
  }
  if (body.malformed) return { kind: 'malformed', ...where };
  if (body.truncated) return { kind: 'truncated', ...where };
  if (body.missingFields !== undefined) {
    return { kind: 'missing-fields', ...(body.missingFields === true ? {} : { fields: body.missingFields }), ...where };
  }
  if (body.reset) {
    return {
      kind: 'reset',
      ...(body.afterProcessing !== undefined ? { afterProcessing: body.afterProcessing } : {}),
      ...where,
    };
  }
  return { kind: 'hang', ms: body.hangMs!, ...where };
}

/** The Retry-After value of a status fault, if it has one. */
export function retryAfterOf(fault: { status: FaultStatus; retryAfterSeconds?: number }): string | null {
  if (fault.retryAfterSeconds !== undefined) return String(fault.retryAfterSeconds);
  return fault.status === 429 ? '1' : null;
}

// ---------------------------------------------------------------------------------------------
// Connection reset

/** Marks the in-process stand-in for a reset connection. */
export const CONNECTION_RESET_HEADER = 'x-pwb-sandbox-fault';
const CONNECTION_RESET = 'connection-reset';

interface NodeBindings {
  incoming?: { socket?: { destroy(): void } };
}

/**
 * Drop the connection without an answer. On a port the socket is destroyed (the client sees a
 * reset); the returned response is never sent. In-process it is the marked stand-in.
 */
export function resetConnection(c: Context): Response {
  (c.env as NodeBindings | undefined)?.incoming?.socket?.destroy();
  return new Response('connection reset (sandbox fault)', {
    status: 502,
    headers: { [CONNECTION_RESET_HEADER]: CONNECTION_RESET, 'content-type': 'text/plain' },
  });
}

export function isConnectionReset(response: Response): boolean {
  return response.headers.get(CONNECTION_RESET_HEADER) === CONNECTION_RESET;
}

/** What Node's fetch (undici) throws when the other side closes the socket. */
export function connectionResetError(): TypeError {
  const cause = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
  return new TypeError('fetch failed', { cause });
}

/**
 * A `fetch` that calls an in-process handler (e.g. `sandbox.fetch`) like a network client would:
 * it gives up when the caller's signal aborts (timeouts) even though the handler keeps running,
 * and a reset connection rejects with `TypeError('fetch failed')`.
 */
export function inProcessFetch(handler: (request: Request) => Response | Promise<Response>): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : null);
    if (signal?.aborted) throw signal.reason;
    const answer = Promise.resolve().then(() => handler(request));
    const response = signal
      ? await new Promise<Response>((resolve, reject) => {
          const onAbort = () => reject(signal.reason);
          signal.addEventListener('abort', onAbort, { once: true });
          answer.then(
            (r) => {
              signal.removeEventListener('abort', onAbort);
              resolve(r);
            },
            (e: unknown) => {
              signal.removeEventListener('abort', onAbort);
              reject(e);
            },
          );
        })
      : await answer;
    if (isConnectionReset(response)) {
      await response.body?.cancel();
      throw connectionResetError();
    }
    return response;
  };
}

// ---------------------------------------------------------------------------------------------
// Hang and payload faults

/** Real time, not the sandbox clock: this is about a client's network timeout. */
export function hang(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const isJson = (response: Response) => /json/i.test(response.headers.get('content-type') ?? '');

function withBody(response: Response, body: string): Response {
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/** A 2xx JSON answer cut in the middle: a prefix of the real body that does not parse. */
export async function truncateResponse(response: Response): Promise<Response> {
  if (!response.ok || !isJson(response)) return response;
  const text = await response.text();
  let cut = Math.max(1, Math.floor(text.length / 2));
  // A prefix of an object or array never parses, but be sure (a bare number could).
  while (cut > 1 && parses(text.slice(0, cut))) cut--;
  return withBody(response, text.slice(0, cut));
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A 2xx JSON answer without the given keys, wherever they occur. */
export async function dropFieldsResponse(response: Response, fields: readonly string[]): Promise<Response> {
  if (!response.ok || !isJson(response)) return response;
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return withBody(response, text);
  }
  return withBody(response, JSON.stringify(dropFields(json, new Set(fields))));
}

export function dropFields(value: unknown, fields: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => dropFields(item, fields));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !fields.has(key))
        .map(([key, item]) => [key, dropFields(item, fields)]),
    );
  }
  return value;
}

/**
 * Replace the response a handler produced (after `await next()`). Hono copies the old response's
 * headers onto a new one (content-length included), so clear it first.
 */
export function replaceResponse(c: Context, response: Response): void {
  c.res = undefined;
  c.res = response;
}

/**
 * The provider-neutral part of a fault middleware: runs the effects that need no provider error
 * format. Returns false for `status` and `malformed`, which the caller answers itself.
 */
export async function applyNeutralFault(
  c: Context,
  fault: FaultEffect,
  next: () => Promise<void>,
  defaultMissingFields: readonly string[],
): Promise<boolean> {
  switch (fault.kind) {
    case 'hang':
      await hang(fault.ms);
      await next();
      return true;
    case 'reset':
      if (fault.afterProcessing) await next();
      replaceResponse(c, resetConnection(c));
      return true;
    case 'truncated':
      await next();
      replaceResponse(c, await truncateResponse(c.res));
      return true;
    case 'missing-fields':
      await next();
      replaceResponse(c, await dropFieldsResponse(c.res, fault.fields ?? defaultMissingFields));
      return true;
    default:
      return false;
  }
}
