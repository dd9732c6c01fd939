/**
 * The request body as its route declares it: raw text for `rawBody` routes, otherwise JSON only
 * (`unsupported_media_type` for anything else), well-formed UTF-8, safe (json-safety.ts), and
 * valid against the route's schema; a route without a body schema accepts nothing but `{}`.
 * The byte limit is the body-limit middleware's: reading its stream fails past the limit.
 */
import { ApiError } from '../../../errors.js';
import type { AnyRoute } from '../../route.js';
import { invalid, invalidInput } from './issues.js';
import { assertSafeJson } from './json-safety.js';

/** The body as UTF-8 text (malformed UTF-8 is refused, not replaced). */
async function readText(request: Request): Promise<string> {
  const bytes = await request.arrayBuffer();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError('invalid_request', 'The request body is not valid UTF-8.');
  }
}

/** `application/json`, with no charset or UTF-8's (other parameters are ignored). */
function isJsonContentType(value: string | null): boolean {
  if (!value) return false;
  const [type, ...parameters] = value.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return parameters.every((p) => !p.startsWith('charset=') || p === 'charset=utf-8' || p === 'charset="utf-8"');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalidInput('The request body is not valid JSON.', 'body', 'must be a JSON document');
  }
}

const isEmptyObject = (json: unknown) =>
  json !== null && typeof json === 'object' && !Array.isArray(json) && Object.keys(json).length === 0;

/** Read and validate the body: `body` for the handler, `text` as received. */
export async function readBody(route: AnyRoute, request: Request): Promise<{ body: unknown; text: string }> {
  if (route.method === 'GET') return { body: undefined, text: '' };
  const text = await readText(request);
  if (route.rawBody) return { body: undefined, text };
  if (text.trim() === '') {
    if (route.body && route.bodyRequired !== false) {
      throw invalidInput('A JSON request body is required.', 'body', 'is required');
    }
    return { body: route.body ? undefined : {}, text };
  }
  if (!isJsonContentType(request.headers.get('content-type'))) {
    throw new ApiError('unsupported_media_type', 'Send the request body as JSON (Content-Type: application/json).');
  }
  const json = parseJson(text);
  assertSafeJson(json);
  if (!route.body) {
    // Routes without a body accept `{}` (some clients always send one) and nothing else.
    if (!isEmptyObject(json)) throw invalidInput('This endpoint takes no request body.', 'body', 'must be empty or {}');
    return { body: {}, text };
  }
  const parsed = route.body.safeParse(json);
  if (!parsed.success) throw invalid('body', parsed.error, 'request body', json);
  return { body: parsed.data, text };
}
