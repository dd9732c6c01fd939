import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { decodeCursor, encodeCursor, pageOf } from './pagination.js';

const row = (i: number) => ({ id: `pay_${String(i).padStart(22, 'A')}`, createdAt: `2030-01-15T12:00:0${i}.000Z` });

describe('pagination', () => {
  it('round-trips a position through an opaque base64url cursor', () => {
    const cursor = encodeCursor(row(3));
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(row(3));
  });

  it('refuses a cursor this server did not issue as invalid_request on query.cursor', () => {
    const foreign = [
      'abc',
      Buffer.from('{"c":"2030-01-15T12:00:00Z","i":"cs_AAAAAAAAAAAAAAAAAAAAAA"}').toString('base64url'),
      Buffer.from('{"c":"yesterday","i":"pay_AAAAAAAAAAAAAAAAAAAAAA"}').toString('base64url'),
    ];
    for (const cursor of foreign) {
      const error = (() => {
        try {
          decodeCursor(cursor);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({
        code: 'invalid_request',
        details: { issues: [{ path: 'query.cursor', message: 'must be a nextCursor value from a previous page' }] },
      });
    }
  });

  it('asks for one row more than the page and cuts it off, with the next cursor only when more follow', () => {
    const first = pageOf({ limit: 2 });
    expect(first.window).toEqual({ limit: 3 });
    const cut = first.cut([row(5), row(4), row(3)]);
    expect(cut.items).toEqual([row(5), row(4)]);
    expect(decodeCursor(cut.nextCursor!)).toEqual(row(4));

    const next = pageOf({ limit: 2, cursor: cut.nextCursor! });
    expect(next.window).toEqual({ after: row(4), limit: 3 });
    expect(next.cut([row(3)])).toEqual({ items: [row(3)], nextCursor: null });
    expect(pageOf({}).window).toEqual({ limit: 51 });
    expect(pageOf({}).cut([])).toEqual({ items: [], nextCursor: null });
  });
});
