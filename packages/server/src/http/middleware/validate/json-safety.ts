/**
 * Checks on a parsed JSON body that no zod schema expresses, run before the schema:
 * - no `__proto__` key anywhere: JSON.parse makes it an own property, and zod's record/object
 *   output assigns it back onto a plain object, where it silently vanishes (or, merged anywhere
 *   later, would set a prototype);
 * - text is well-formed: no lone UTF-16 surrogates (not encodable as UTF-8: SQLite and providers
 *   would get U+FFFD instead of what the memory store kept) and no control characters other than
 *   tab, line feed and carriage return (NUL truncates C strings and provider fields);
 * - bounded nesting: our schemas are a few levels deep, and the walk must not recurse on
 *   attacker-chosen depth.
 */
import { ApiError } from '../../../errors.js';

export const MAX_JSON_DEPTH = 32;

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** A high surrogate not followed by a low one, or a low one not preceded by a high one (code units, no `u` flag). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function badText(value: string): string | null {
  if (LONE_SURROGATE.test(value)) return 'must not contain unpaired surrogates';
  if (FORBIDDEN_CONTROL.test(value)) return 'must not contain control characters';
  return null;
}

function reject(path: string, message: string): never {
  throw new ApiError('invalid_request', 'Invalid request body.', {
    issues: [{ path: path.slice(0, 200), message }],
  });
}

/** Throws invalid_request for the first problem found. Iterative, so depth cannot blow the stack. */
export function assertSafeJson(root: unknown): void {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: 'body', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = badText(value);
      if (problem) reject(path, problem);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) reject(path, `must not nest deeper than ${MAX_JSON_DEPTH} levels`);
    if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, path: `${path}.${index}`, depth: depth + 1 }));
      continue;
    }
    for (const key of Object.keys(value)) {
      const keyPath = `${path}.${key.slice(0, 40)}`;
      if (key === '__proto__') reject(keyPath, 'is not an allowed field name');
      const problem = badText(key);
      if (problem) reject(`${path}.(field name)`, problem);
      stack.push({ value: (value as Record<string, unknown>)[key], path: keyPath, depth: depth + 1 });
    }
  }
}
