/**
 * The wire between an adapter and its in-process sandbox, shared by the adapter worlds: every API
 * call recorded with its answer, plus the two things no sandbox does by itself: answer with fields
 * the adapter has never seen, and refuse one call in the provider's own error dialect.
 */
import { inProcessFetch } from '@pay-with-bank/sandbox';

export interface RecordedCall {
  method: string;
  /** Path and query below the sandbox origin. */
  path: string;
  headers: Headers;
  body: string;
  /** The answer as the adapter received it (after any transformation below); 0 when none came. */
  status: number;
  response: string;
}

export interface Transport {
  /** The adapter's fetch. */
  fetch: typeof fetch;
  calls: RecordedCall[];
  /** When on, every JSON object in every 2xx answer carries fields no provider documents. */
  unknownFields: boolean;
  /** Answer the next API call with this instead of asking the sandbox (one shot). */
  refuseNext: Response | null;
}

export const UNKNOWN_FIELD = 'x_pwb_field_from_the_future';

/** Adds a field the adapter cannot know to every object, at any depth; an extra object at the top. */
export function withUnknownFields(value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) return value.map((item) => withUnknownFields(item, depth + 1));
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = withUnknownFields(item, depth + 1);
    copy[UNKNOWN_FIELD] = 'added by the adapter contract';
    if (depth === 0) copy.x_pwb_object_from_the_future = { list: [1, 'two', { three: true }], at: null };
    return copy;
  }
  return value;
}

/**
 * A recording fetch to `origin`, answered in-process by `handler` the way a network client would be
 * (timeouts abort, a reset connection is `TypeError('fetch failed')`). Requests elsewhere fail.
 */
export function createTransport(
  origin: string,
  handler: (request: Request) => Response | Promise<Response>,
): Transport {
  const sandboxFetch = inProcessFetch(handler);
  const transport: Transport = {
    calls: [],
    unknownFields: false,
    refuseNext: null,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      if (url.origin !== origin) throw new TypeError(`fetch failed: no route to ${url.origin}`);
      const call: RecordedCall = {
        method: request.method,
        path: url.pathname + url.search,
        headers: request.headers,
        body: await request.clone().text(),
        status: 0,
        response: '',
      };
      transport.calls.push(call);
      const refusal = transport.refuseNext;
      transport.refuseNext = null;
      const answer = refusal ?? (await sandboxFetch(input, init));
      let text = await answer.text();
      if (transport.unknownFields && answer.ok && /json/i.test(answer.headers.get('content-type') ?? '')) {
        try {
          text = JSON.stringify(withUnknownFields(JSON.parse(text)));
        } catch {
          // Not JSON after all: pass it on as it came.
        }
      }
      call.status = answer.status;
      call.response = text;
      const headers = new Headers(answer.headers);
      headers.delete('content-length');
      return new Response(answer.status === 204 ? null : text, {
        status: answer.status,
        statusText: answer.statusText,
        headers,
      });
    },
  };
  return transport;
}

/** What a provider delivered to the merchant (an eCom callback, an ePayment webhook), as it arrived. */
export interface Delivery {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

export async function recordDelivery(request: Request): Promise<Delivery> {
  return {
    url: request.url,
    method: request.method,
    headers: new Headers(request.headers),
    body: request.method === 'GET' ? '' : await request.text(),
  };
}
