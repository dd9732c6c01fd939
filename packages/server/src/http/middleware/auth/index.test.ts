import { ApiErrorBody } from '@pay-with-bank/protocol';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../errors.js';
import type { SessionRecord } from '../../../store/store.js';
import type { AuthKind } from '../../route.js';
import type { HttpEnv } from '../env.js';
import { auth, bearerToken } from './index.js';

const KEY = 'mk_test_0123456789abcdefghijklmnopqrstuv';
const TOKEN = `pwb_ct_${'A'.repeat(43)}`;
// The middleware hands on whatever the session service found; only the identity matters here.
const SESSION = { id: 'cs_AAAAAAAAAAAAAAAAAAAAAA' } as SessionRecord;

function appWith(kind: AuthKind) {
  const looked: string[] = [];
  const refused: string[] = [];
  const sessions = {
    authenticate: async (token: string) => {
      looked.push(token);
      return token === TOKEN ? SESSION : null;
    },
  };
  const app = new Hono<HttpEnv>();
  app.get(
    '/',
    auth(
      kind,
      { merchantApiKeys: ['another-key', KEY], sessions },
      { onRefused: (c) => void refused.push(c.req.path) },
    ),
    (c) => c.json(c.get('auth')),
  );
  app.onError((error, c) =>
    error instanceof ApiError ? c.json(error.toBody(), 401, error.headers) : c.text(String(error), 500),
  );
  const get = (authorization?: string) =>
    app.request('/', { headers: authorization === undefined ? {} : { authorization } });
  return { get, looked, refused };
}

describe('auth middleware', () => {
  it('merchant: a configured key gives the merchant context with the key; anything else is 401', async () => {
    const { get, refused } = appWith('merchant');
    expect(await (await get(`Bearer ${KEY}`)).json()).toEqual({ kind: 'merchant', apiKey: KEY });
    expect(await (await get(`bearer   ${KEY}  `)).json()).toEqual({ kind: 'merchant', apiKey: KEY });
    expect(refused).toEqual([]);
    for (const bad of [undefined, '', `Basic ${KEY}`, 'Bearer ', `Bearer ${KEY}x`, `Bearer ${TOKEN}`]) {
      const res = await get(bad);
      expect(res.status, String(bad)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(ApiErrorBody.parse(await res.json()).error.message).toBe(
        'A valid merchant API key is required (Authorization: Bearer <key>).',
      );
    }
    expect(refused).toHaveLength(6);
  });

  it('client: a session token gives its session; unknown tokens are 401 and no header means no lookup', async () => {
    const { get, looked, refused } = appWith('client');
    expect(await (await get(`Bearer ${TOKEN}`)).json()).toEqual({
      kind: 'client',
      session: SESSION,
      clientToken: TOKEN,
    });
    const res = await get(`Bearer pwb_ct_${'B'.repeat(43)}`);
    expect(res.status).toBe(401);
    expect(ApiErrorBody.parse(await res.json()).error.message).toBe(
      'A valid session token is required (Authorization: Bearer <token>).',
    );
    expect((await get()).status).toBe(401);
    expect((await get(`Bearer ${'y'.repeat(600)}`)).status).toBe(401);
    expect(looked).toEqual([TOKEN, `pwb_ct_${'B'.repeat(43)}`]);
    expect(refused).toHaveLength(3);
  });

  it('none and provider: nothing is asked of the caller', async () => {
    for (const kind of ['none', 'provider'] as const) {
      const { get, looked } = appWith(kind);
      expect(await (await get(`Bearer ${TOKEN}`)).json()).toEqual({ kind: 'none' });
      expect(await (await get()).json()).toEqual({ kind: 'none' });
      expect(looked).toEqual([]);
    }
  });

  it('reads only a Bearer token of printable characters, at most 512 characters of header', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('BEARER\tabc ')).toBe('abc');
    for (const bad of [undefined, '', 'Bearer', 'Bearer a b', 'Token abc', `Bearer ${'x'.repeat(510)}`, 'Bearer ü']) {
      expect(bearerToken(bad), String(bad)).toBeNull();
    }
  });
});
