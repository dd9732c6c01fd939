/** Opaque page cursors for GET /v1/payments: base64url of the last item's sort key. */
import { z } from 'zod';
import { ApiError } from '../errors.js';

const CursorPayload = z.strictObject({ c: z.iso.datetime(), i: z.string().regex(/^pay_[A-Za-z0-9_-]{16,64}$/) });

export function encodeCursor(position: { createdAt: string; id: string }): string {
  return Buffer.from(JSON.stringify({ c: position.createdAt, i: position.id }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const parsed = CursorPayload.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { createdAt: parsed.c, id: parsed.i };
  } catch {
    throw new ApiError('invalid_request', 'cursor is not a cursor this server issued.', {
      issues: [{ path: 'query.cursor', message: 'must be a nextCursor value from a previous page' }],
    });
  }
}
