/**
 * Keyset pagination for list routes (GET /v1/payments): a page is `limit` items after a position,
 * and its `nextCursor` is an opaque base64url of the last item's sort key (creation time, id), or
 * null on the last page. One extra row is fetched to know whether another page follows.
 */
import { z } from 'zod';
import { ApiError } from '../errors.js';

export const DEFAULT_PAGE_SIZE = 50;

export interface CursorPosition {
  createdAt: string;
  id: string;
}

const CursorPayload = z.strictObject({ c: z.iso.datetime(), i: z.string().regex(/^pay_[A-Za-z0-9_-]{16,64}$/) });

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify({ c: position.createdAt, i: position.id }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const parsed = CursorPayload.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { createdAt: parsed.c, id: parsed.i };
  } catch {
    throw new ApiError('invalid_request', 'cursor is not a cursor this server issued.', {
      issues: [{ path: 'query.cursor', message: 'must be a nextCursor value from a previous page' }],
    });
  }
}

export interface Page {
  /** What to ask the store for: rows after `after`, one more than the page holds. */
  window: { after?: CursorPosition; limit: number };
  /** The rows fetched → this page's items and the cursor of the next page. */
  cut<T extends CursorPosition>(rows: readonly T[]): { items: T[]; nextCursor: string | null };
}

/** The page a list query asks for; a cursor this server did not issue is `invalid_request`. */
export function pageOf(query: { limit?: number | undefined; cursor?: string | undefined }): Page {
  const size = query.limit ?? DEFAULT_PAGE_SIZE;
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  return {
    window: { ...(after ? { after } : {}), limit: size + 1 },
    cut(rows) {
      const items = rows.slice(0, size);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > size && last ? encodeCursor(last) : null };
    },
  };
}
