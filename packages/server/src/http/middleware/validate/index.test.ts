import { ApiErrorBody } from '@pay-with-bank/protocol';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError } from '../../../errors.js';
import { defineRoute, NoQuery, toHonoPath, type AnyRoute } from '../../route.js';
import type { HttpEnv } from '../env.js';
import { validate } from './index.js';

const Ack = z.object({ ok: z.boolean() });
const base = {
  operationId: 'op',
  tags: [],
  summary: '',
  errors: [],
  response: { status: 200 as const, description: '', schema: Ack },
};
const noop = async () => ({ body: { ok: true } });

const create = defineRoute({
  ...base,
  auth: 'none',
  method: 'POST',
  path: '/things/{thingId}',
  params: z.strictObject({ thingId: z.string().regex(/^t_\d+$/, 'must be a thing id') }),
  query: NoQuery,
  headers: z.strictObject({ 'idempotency-key': z.string().min(8, 'too short').optional() }),
  body: z.strictObject({ name: z.string(), count: z.number().int().min(1, 'must be positive').optional() }),
  handler: noop,
});
const optionalBody = defineRoute({ ...create, path: '/optional', params: undefined, bodyRequired: false });
const noBody = defineRoute({ ...base, auth: 'none', method: 'POST', path: '/poke', query: NoQuery, handler: noop });
const list = defineRoute({
  ...base,
  auth: 'none',
  method: 'GET',
  path: '/things',
  query: z.strictObject({ limit: z.coerce.number().int().min(1).optional() }),
  handler: noop,
});
const callback = defineRoute({
  ...base,
  auth: 'none',
  method: 'POST',
  path: '/hooks/{p}/*',
  rawBody: true,
  handler: noop,
});

/** Mount routes with validate only; the handler answers the validated input. */
function appWith(...routes: AnyRoute[]) {
  const app = new Hono<HttpEnv>();
  for (const route of routes) {
    app.on(route.method, [toHonoPath(route.path)], validate(route), async (c) => {
      const { request, body, ...input } = c.get('input');
      const requestBody = route.rawBody ? await request.text() : null;
      return c.json({ ...input, body: body === undefined ? 'absent' : body, requestBody });
    });
  }
  app.onError((error, c) =>
    error instanceof ApiError
      ? c.json(error.toBody(), error.code === 'invalid_request' ? 400 : 415)
      : c.text(String(error), 500),
  );
  return (path: string, init: RequestInit = {}) => app.request(`http://pwb.test${path}`, init);
}

const json = (body: string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  body,
  headers: { 'content-type': 'application/json', ...headers },
});

async function issues(res: Response) {
  const { error } = ApiErrorBody.parse(await res.json());
  const { issues } = z.object({ issues: z.array(z.unknown()).optional() }).parse(error.details ?? {});
  return { code: error.code, message: error.message, issues };
}

describe('validate middleware', () => {
  const send = appWith(create, optionalBody, noBody, list, callback);

  it('hands on params, query, declared headers and the parsed body, with a fingerprint of the request', async () => {
    const res = await send('/things/t_1', json('{"name":"a"}', { 'idempotency-key': 'key-00001', 'x-other': '1' }));
    const input = await res.json();
    const fingerprint = (value: unknown) => z.object({ fingerprint: z.string() }).parse(value).fingerprint;
    expect(input).toMatchObject({
      params: { thingId: 't_1' },
      query: {},
      headers: { 'idempotency-key': 'key-00001' },
      body: { name: 'a' },
      wildcard: '',
    });
    expect(fingerprint(input)).toMatch(/^POST \/things\/t_1 [0-9a-f]{64}$/);
    const same = await (await send('/things/t_1', json('{ "name": "a" }'))).json();
    const other = await (await send('/things/t_1', json('{"name":"b"}'))).json();
    expect(fingerprint(same)).toBe(fingerprint(input));
    expect(fingerprint(other)).not.toBe(fingerprint(input));
  });

  it('refuses bad params, query and headers with their location in the issue path', async () => {
    expect(await issues(await send('/things/nope', json('{"name":"a"}')))).toEqual({
      code: 'invalid_request',
      message: 'Invalid path parameters.',
      issues: [{ path: 'params.thingId', message: 'must be a thing id' }],
    });
    expect(await issues(await send('/things/t_1?zzz=1&yyy=2', json('{"name":"a"}')))).toEqual({
      code: 'invalid_request',
      message: 'Invalid query parameters.',
      issues: [{ path: 'query', message: 'unknown fields: zzz, yyy' }],
    });
    expect((await issues(await send('/things/t_1?__proto__=1', json('{"name":"a"}')))).issues).toEqual([
      { path: 'query', message: 'unknown field: __proto__' },
    ]);
    expect((await issues(await send('/things?limit=1&limit=2'))).issues).toEqual([
      { path: 'query.limit', message: 'must appear at most once' },
    ]);
    expect(await (await send('/things?limit=3')).json()).toMatchObject({ query: { limit: 3 } });
    expect(await issues(await send('/things/t_1', json('{"name":"a"}', { 'idempotency-key': 'short' })))).toEqual({
      code: 'invalid_request',
      message: 'Invalid request headers.',
      issues: [{ path: 'headers.idempotency-key', message: 'too short' }],
    });
  });

  it('takes JSON only, as UTF-8', async () => {
    for (const type of ['text/plain', 'application/json; charset=latin1', undefined]) {
      const res = await send('/things/t_1', {
        method: 'POST',
        body: '{"name":"a"}',
        headers: type ? { 'content-type': type } : {},
      });
      expect(await issues(res), String(type)).toEqual({
        code: 'unsupported_media_type',
        message: 'Send the request body as JSON (Content-Type: application/json).',
        issues: undefined,
      });
    }
    expect(
      (await send('/things/t_1', json('{"name":"a"}', { 'content-type': 'application/json; charset="UTF-8"' }))).status,
    ).toBe(200);
    expect(await issues(await send('/things/t_1', json('{"name": ')))).toEqual({
      code: 'invalid_request',
      message: 'The request body is not valid JSON.',
      issues: [{ path: 'body', message: 'must be a JSON document' }],
    });
    const latin1 = await send('/things/t_1', {
      method: 'POST',
      body: new Uint8Array([0x7b, 0xff, 0x7d]),
      headers: { 'content-type': 'application/json' },
    });
    expect(await issues(latin1)).toEqual({
      code: 'invalid_request',
      message: 'The request body is not valid UTF-8.',
      issues: undefined,
    });
  });

  it('refuses JSON no schema can express: __proto__ keys, lone surrogates, control characters, deep nesting', async () => {
    const cases: [string, { path: string; message: string }][] = [
      ['{"name":"a","__proto__":{"x":1}}', { path: 'body.__proto__', message: 'is not an allowed field name' }],
      ['{"name":"\\ud800"}', { path: 'body.name', message: 'must not contain unpaired surrogates' }],
      ['{"name":"a\\u0000"}', { path: 'body.name', message: 'must not contain control characters' }],
      ['{"\\u0007":1}', { path: 'body.(field name)', message: 'must not contain control characters' }],
      [
        `{"name":${'['.repeat(40)}${']'.repeat(40)}}`,
        { path: `body.name${'.0'.repeat(31)}`, message: 'must not nest deeper than 32 levels' },
      ],
    ];
    for (const [body, issue] of cases) {
      expect(await issues(await send('/things/t_1', json(body))), body.slice(0, 30)).toEqual({
        code: 'invalid_request',
        message: 'Invalid request body.',
        issues: [issue],
      });
    }
  });

  it('validates the body against the schema, with required and unknown fields named', async () => {
    expect(await issues(await send('/things/t_1', json('{"count":0,"zzz":1}')))).toEqual({
      code: 'invalid_request',
      message: 'Invalid request body.',
      issues: [
        { path: 'body.name', message: 'is required' },
        { path: 'body.count', message: 'must be positive' },
        { path: 'body', message: 'unknown field: zzz' },
      ],
    });
    for (const empty of ['', '  ']) {
      expect(await issues(await send('/things/t_1', json(empty)))).toEqual({
        code: 'invalid_request',
        message: 'A JSON request body is required.',
        issues: [{ path: 'body', message: 'is required' }],
      });
    }
  });

  it('a field of the wrong type says which type it must be, never "is required", and never echoes the value', async () => {
    expect(await issues(await send('/things/t_1', json('{"name":4242,"count":"secret-ish"}')))).toEqual({
      code: 'invalid_request',
      message: 'Invalid request body.',
      issues: [
        { path: 'body.name', message: 'must be a string' },
        { path: 'body.count', message: 'must be a number' },
      ],
    });
    expect(await issues(await send('/things/t_1', json('{"name":null}')))).toEqual({
      code: 'invalid_request',
      message: 'Invalid request body.',
      issues: [{ path: 'body.name', message: 'must be a string' }],
    });
    expect(await issues(await send('/things/t_1', json('[1]')))).toEqual({
      code: 'invalid_request',
      message: 'Invalid request body.',
      issues: [{ path: 'body', message: 'must be an object' }],
    });
  });

  it('an optional body may be left out; a route without a body takes nothing but {}', async () => {
    expect(await (await send('/optional', { method: 'POST' })).json()).toMatchObject({ body: 'absent' });
    expect(await (await send('/poke', { method: 'POST' })).json()).toMatchObject({ body: {} });
    expect(await (await send('/poke', json('{}'))).json()).toMatchObject({ body: {} });
    for (const body of ['{"a":1}', '[]', 'null', '"x"']) {
      expect(await issues(await send('/poke', json(body))), body).toEqual({
        code: 'invalid_request',
        message: 'This endpoint takes no request body.',
        issues: [{ path: 'body', message: 'must be empty or {}' }],
      });
    }
  });

  it('raw-body routes get the exact bytes, whatever their type, and the wildcard of the path', async () => {
    const raw = '{"sig": "x",  "a":1}\n';
    const res = await send('/hooks/acme/v2/payments/order-1', {
      method: 'POST',
      body: raw,
      headers: { 'content-type': 'text/plain' },
    });
    expect(await res.json()).toMatchObject({
      params: {},
      body: 'absent',
      requestBody: raw,
      wildcard: 'v2/payments/order-1',
    });
  });
});
