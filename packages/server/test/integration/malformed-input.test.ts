/**
 * Bad input to EVERY route of the route table (and so of the OpenAPI document): bad JSON, wrong
 * types, missing and extra fields, huge bodies, wrong content types, bad or missing credentials,
 * bad ids, bad query parameters, bad headers, wrong methods. Each must get a typed 4xx JSON error,
 * never a 5xx, and must change nothing (store, provider). A new route is covered automatically.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- walks JSON documents loosely */
import { ApiErrorBody, ERROR_STATUS } from '@pay-with-bank/protocol';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../src/http/openapi.js';
import type { AnyRoute } from '../../src/http/route.js';
import { routes } from '../../src/http/routes/index.js';
import { MERCHANT_KEY, RETURN_URL } from '../helpers/config.js';
import { BASE, json } from '../helpers/harness.js';
import { makeWorld, type World } from '../helpers/sandbox.js';

type JsonSchema = Record<string, any>;
const doc = buildOpenApiDocument() as {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, JsonSchema> };
};

function resolve(schema: JsonSchema | undefined): JsonSchema | undefined {
  if (schema && typeof schema.$ref === 'string') return resolve(doc.components.schemas[schema.$ref.split('/').pop()!]);
  return schema;
}

function operationOf(route: AnyRoute) {
  return doc.paths[route.path.replace(/\/\*$/, '/{callbackPath}')]![route.method.toLowerCase()];
}

/** A valid body per operation (where one exists), so single-field mutations isolate one problem each. */
const VALID_BODIES: Record<string, Record<string, unknown>> = {
  createSession: { amount: { value: 100, currency: 'DKK' }, reference: 'R-1', description: 'd', returnUrl: RETURN_URL },
  startCheckoutPayment: { method: 'bank', attemptId: 'attempt-fresh-0001', bankId: 'DK_TestBank' },
  capturePayment: { amount: 100 },
  refundPayment: { amount: 100 },
};

/** A value of the wrong JSON type for a property schema. */
function wrongTypeFor(schema: JsonSchema | undefined): unknown[] {
  const s = resolve(schema) ?? {};
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return [12345, { nested: true }, ['a'], '', 'x'.repeat(2000)];
    case 'integer':
    case 'number':
      return ['12', 1.5, -1, 1e12, null, { n: 1 }];
    case 'boolean':
      return ['true', 1, null];
    case 'array':
      return ['not-an-array', {}, [{ deep: [1, 2] }], Array(50).fill('x')];
    case 'object':
      return ['not-an-object', [1], 7, { unknownKey: 1 }];
    default:
      return s.enum ? ['not-one-of-them', 42] : [{ nested: { deep: true } }, 'x'.repeat(2000)];
  }
}

interface Case {
  name: string;
  method?: string;
  path?: string;
  headers?: Record<string, string | null>;
  body?: string | ReadableStream<Uint8Array>;
  expected?: number[];
}

describe('malformed input to every route', () => {
  let world: World;
  let clientToken: string;
  let sessionId: string;
  let paymentId: string;

  beforeAll(async () => {
    // Hundreds of requests share one token here; the rate limit has its own tests.
    world = makeWorld({ env: { PWB_RATE_LIMIT_PER_MINUTE: '0' } });
    const created = await world.createSession();
    clientToken = created.clientToken;
    sessionId = created.session.id;
    const started = await json(
      await world.client(clientToken, 'POST', '/v1/checkout/payments', {
        method: 'bank',
        attemptId: 'attempt-0001',
        bankId: 'DK_TestBank',
      }),
    );
    paymentId = started.payment.id;
  });

  const validParams = (): Record<string, string> => ({ sessionId, paymentId, provider: 'mastercard' });
  const authFor = (route: AnyRoute): Record<string, string> =>
    route.auth === 'merchant'
      ? { authorization: `Bearer ${MERCHANT_KEY}` }
      : route.auth === 'client'
        ? { authorization: `Bearer ${clientToken}` }
        : {};
  const pathFor = (route: AnyRoute, params: Record<string, string> = validParams()) =>
    route.path
      .replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(params[n]!))
      .replace(/\/\*$/, '/v2/payments/x');

  async function stateSnapshot() {
    const store = world.server.services.store;
    return JSON.stringify({
      stats: await store.stats(),
      payments: await store.listPayments({ limit: 100 }),
      sessions: await store.getSession(sessionId),
      atProvider: world.sandbox.controls.mastercard.listPayments().map((p) => [p.paymentId, p.status.code]),
      providerCalls: world.providerCalls.length,
    });
  }

  async function send(route: AnyRoute, c: Case): Promise<Response> {
    const headers = new Headers();
    for (const [k, v] of Object.entries({ ...authFor(route), 'content-type': 'application/json', ...c.headers })) {
      if (v !== null && v !== undefined) headers.set(k, v);
    }
    const method = c.method ?? route.method;
    const init: RequestInit & { duplex?: string } = { method, headers };
    if (c.body !== undefined && method !== 'GET' && method !== 'HEAD') {
      init.body = c.body;
      if (typeof c.body !== 'string') init.duplex = 'half';
    }
    return world.server.fetch(new Request(`${BASE}${c.path ?? pathFor(route)}`, init));
  }

  async function expectTypedRejection(route: AnyRoute, c: Case): Promise<void> {
    const before = await stateSnapshot();
    const res = await send(route, c);
    const label = `${route.method} ${route.path} — ${c.name} → ${res.status}`;
    expect(res.status, label).toBeGreaterThanOrEqual(400);
    expect(res.status, label).toBeLessThan(500);
    if (c.expected) expect(c.expected, label).toContain(res.status);
    expect(res.headers.get('content-type'), label).toMatch(/^application\/json/);
    const body = ApiErrorBody.safeParse(await res.json());
    expect(body.success, label).toBe(true);
    if (body.success) {
      expect(ERROR_STATUS[body.data.error.code], label).toBe(res.status);
      expect(body.data.error.message.length, label).toBeGreaterThan(0);
      expect(JSON.stringify(body.data), label).not.toContain(MERCHANT_KEY);
    }
    expect(await stateSnapshot(), `${label}: state changed`).toBe(before);
  }

  function casesFor(route: AnyRoute): Case[] {
    const cases: Case[] = [];
    const op = operationOf(route);

    // Credentials
    if (route.auth === 'merchant' || route.auth === 'client') {
      cases.push(
        { name: 'no authorization', headers: { authorization: null }, expected: [401] },
        { name: 'basic scheme', headers: { authorization: `Basic ${btoa('user:pass')}` }, expected: [401] },
        { name: 'empty bearer', headers: { authorization: 'Bearer ' }, expected: [401] },
        { name: 'wrong bearer', headers: { authorization: `Bearer ${'x'.repeat(40)}` }, expected: [401] },
        { name: 'huge authorization', headers: { authorization: `Bearer ${'y'.repeat(5000)}` }, expected: [401] },
        {
          name: 'the other side’s credential',
          headers: { authorization: route.auth === 'merchant' ? `Bearer ${clientToken}` : `Bearer ${MERCHANT_KEY}` },
          expected: [401],
        },
      );
    }

    // Methods
    // (Except a method another route of the same path takes: the provider callbacks are POST and DELETE.)
    const taken = new Set(routes.filter((r) => r.path === route.path).map((r) => r.method as string));
    for (const method of ['PATCH', 'DELETE', 'PUT'].filter((m) => !taken.has(m))) {
      cases.push({ name: `method ${method}`, method, expected: [405] });
    }

    // Path ids
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    for (const name of pathParams) {
      for (const bad of [
        'bad',
        'x'.repeat(300),
        "pay_'; DROP TABLE payments;--",
        '..',
        '%00',
        'pay_AAAAAAAAAAAAAAAAAAAAAA',
        'cs_AAAAAAAAAAAAAAAAAAAAAA',
      ]) {
        cases.push({ name: `${name}=${bad.slice(0, 20)}`, path: pathFor(route, { ...validParams(), [name]: bad }) });
      }
    }

    // Query parameters: unknown, duplicated, and an invalid value for each documented one.
    const queryParams = (op.parameters ?? []).filter((p: any) => p.in === 'query');
    cases.push({
      name: 'unknown query parameter',
      path: `${pathFor(route)}?zzz=1`,
      expected: route.auth === 'provider' ? undefined : [400],
    });
    for (const p of queryParams) {
      for (const bad of ['!!', '', 'x'.repeat(400), '{"$gt":""}']) {
        cases.push({
          name: `query ${p.name}=${bad.slice(0, 10)}`,
          path: `${pathFor(route)}?${p.name}=${encodeURIComponent(bad)}`,
        });
      }
      cases.push({ name: `query ${p.name} twice`, path: `${pathFor(route)}?${p.name}=a&${p.name}=b`, expected: [400] });
    }

    // Declared headers (e.g. Idempotency-Key)
    for (const p of (op.parameters ?? []).filter((x: any) => x.in === 'header')) {
      for (const bad of ['', 'has spaces in it', 'x'.repeat(100), 'ünïcode-key']) {
        cases.push({ name: `header ${p.name}=${bad.slice(0, 10)}`, headers: { [p.name]: bad }, body: '{}' });
      }
    }

    // Bodies (every POST route; GET bodies cannot be sent)
    if (route.method === 'POST') {
      const valid = VALID_BODIES[route.operationId];
      cases.push(
        { name: 'broken JSON', body: '{"amount": ', expected: route.rawBody ? undefined : [400] },
        {
          name: 'huge body',
          body: JSON.stringify({ pad: 'x'.repeat(20_000) }),
          expected: [413, ...(route.auth === 'provider' ? [] : [])],
        },
        {
          name: 'huge streamed body without length',
          body: new ReadableStream<Uint8Array>({
            start(controller) {
              for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
              controller.close();
            },
          }),
          expected: [413],
        },
      );
      if (!route.rawBody) {
        cases.push(
          {
            name: 'text/plain body',
            body: JSON.stringify(valid ?? { a: 1 }),
            headers: { 'content-type': 'text/plain' },
            expected: [415],
          },
          {
            name: 'form body',
            body: 'a=1&b=2',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            expected: [415],
          },
          {
            name: 'no content type',
            body: JSON.stringify(valid ?? { a: 1 }),
            headers: { 'content-type': null },
            expected: [415],
          },
          { name: 'invalid UTF-8', body: '{"a":"\udc00"}', expected: [400] },
        );
        for (const [name, value] of [
          ['array', '[]'],
          ['string', '"text"'],
          ['number', '42'],
          ['null', 'null'],
          ['boolean', 'true'],
        ]) {
          cases.push({ name: `JSON ${name}`, body: value, expected: [400] });
        }
        cases.push({ name: 'unknown field', body: JSON.stringify({ ...(valid ?? {}), zzz: 1 }), expected: [400] });
        cases.push({
          name: 'prototype pollution',
          body: `{"__proto__":{"admin":true}${valid ? `,${JSON.stringify(valid).slice(1, -1)}` : ''}}`,
          expected: [400],
        });
        if (route.body) {
          const schema = resolve(op.requestBody.content['application/json'].schema)!;
          for (const field of schema.required ?? []) {
            const partial = { ...(valid ?? {}) };
            delete partial[field];
            cases.push({ name: `missing ${field}`, body: JSON.stringify(partial), expected: [400] });
          }
          for (const [field, propSchema] of Object.entries<JsonSchema>(schema.properties ?? {})) {
            for (const wrong of wrongTypeFor(propSchema)) {
              cases.push({
                name: `${field}=${JSON.stringify(wrong)?.slice(0, 20)}`,
                body: JSON.stringify({ ...(valid ?? {}), [field]: wrong }),
              });
            }
          }
        } else {
          cases.push({ name: 'body on a no-body route', body: JSON.stringify({ something: 1 }), expected: [400] });
        }
      }
    }
    return cases;
  }

  for (const route of routes) {
    it(`${route.method} ${route.path} rejects bad input with a typed 4xx and changes nothing`, async () => {
      const cases = casesFor(route);
      expect(cases.length).toBeGreaterThan(3);
      for (const c of cases) await expectTypedRejection(route, c);
    });
  }

  it('every route of the OpenAPI document was exercised', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented).toHaveLength(routes.length);
  });

  it('property: arbitrary JSON bodies never cause a 5xx or a change', async () => {
    const postRoutes = routes.filter((r) => r.method === 'POST');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...postRoutes), fc.jsonValue({ maxDepth: 4 }), async (route, value) => {
        // `{}` is the one valid body of a no-body route (e.g. refresh): not malformed.
        const emptyObject =
          value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
        fc.pre(!(emptyObject && !route.body));
        const before = await stateSnapshot();
        const res = await send(route, { name: 'fuzz', body: JSON.stringify(value) });
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect(ApiErrorBody.safeParse(await res.json()).success).toBe(true);
        else await res.text();
        // Random JSON is never a complete valid request, so nothing may change.
        expect(await stateSnapshot()).toBe(before);
      }),
      { numRuns: 150 },
    );
  });

  it('property: arbitrary query strings and path segments never cause a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.string({ maxLength: 60 }),
        fc.string({ maxLength: 30 }),
        async (route, query, segment) => {
          const path = pathFor(route, {
            sessionId: segment || 'x',
            paymentId: segment || 'x',
            provider: segment || 'x',
          });
          let url: string;
          try {
            url = `${path}?${encodeURIComponent(query)}=${encodeURIComponent(segment)}`;
          } catch {
            return; // lone surrogates cannot be URL-encoded by the test itself
          }
          const res = await send(route, { name: 'fuzz-query', path: url });
          expect(res.status).toBeLessThan(500);
          await res.text();
        },
      ),
      { numRuns: 150 },
    );
  });
});
