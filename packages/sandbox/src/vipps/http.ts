/** Small request helpers shared by the API modules. */
import type { Context } from 'hono';

export type JsonBody = { ok: true; value: unknown } | { ok: false; message: string };

/** Reads a JSON body; an empty body reads as `undefined` (some endpoints take none). */
export async function readJsonBody(c: Context): Promise<JsonBody> {
  let text: string;
  try {
    text = await c.req.text();
  } catch {
    return { ok: false, message: 'The request body could not be read.' };
  }
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, message: 'The request body is not valid JSON.' };
  }
}

/** Stable JSON (sorted keys) to compare two requests for idempotency. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** http(s) URL check for merchant-supplied URLs (the sandbox accepts http for local development). */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Schemes a return URL must never have: they would run or read something instead of navigating. */
const UNSAFE_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:']);

/** An absolute URL with an app's custom scheme (`myapp://…`) or http(s), as return URLs may be. */
export function isAbsoluteUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return /^[a-z][a-z0-9+.-]*:$/i.test(protocol) && !UNSAFE_SCHEMES.has(protocol.toLowerCase());
  } catch {
    return false;
  }
}
