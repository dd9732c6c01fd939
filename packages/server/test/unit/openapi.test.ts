/* eslint-disable @typescript-eslint/no-explicit-any -- walks JSON documents loosely */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ERROR_STATUS } from '@pay-with-bank/protocol';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../src/http/openapi.js';
import { routes } from '../../src/http/routes/index.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';
import { json, makeHarness } from '../helpers/harness.js';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, unknown> };
};
const doc = buildOpenApiDocument() as unknown as Doc;

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and documents every route of the table', () => {
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const served = routes.map((r) => `${r.method} ${r.path.replace(/\/\*$/, '/{callbackPath}')}`);
    expect(documented.sort()).toEqual(served.sort());
  });

  it('resolves every $ref to a component', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(20);
    for (const ref of all) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas, ref).toHaveProperty(ref.slice('#/components/schemas/'.length));
    }
    expect(JSON.stringify(doc)).not.toContain('$defs');
  });

  it('lists parameters, bodies, responses, errors and security per operation', () => {
    for (const route of routes) {
      const op = doc.paths[route.path.replace(/\/\*$/, '/{callbackPath}')]![route.method.toLowerCase()];
      const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const name of pathParams) {
        expect(
          op.parameters.some((p: any) => p.in === 'path' && p.name === name && p.required),
          `${route.operationId} ${name}`,
        ).toBe(true);
      }
      const media = route.response.events ? 'text/event-stream' : 'application/json';
      expect(op.responses[String(route.response.status)].content[media].schema).toBeTruthy();
      if (route.response.events) {
        const events = op.responses[String(route.response.status)].content[media]['x-events'];
        expect(Object.keys(events), route.operationId).toEqual(Object.keys(route.response.events));
      }
      for (const code of op['x-error-codes'] as (keyof typeof ERROR_STATUS)[]) {
        expect(op.responses[String(ERROR_STATUS[code])].content['application/json'].schema).toEqual({
          $ref: '#/components/schemas/Error',
        });
      }
      if (route.body) expect(op.requestBody.content['application/json'].schema).toBeTruthy();
      expect(op.security).toEqual(
        route.auth === 'merchant' ? [{ merchantApiKey: [] }] : route.auth === 'client' ? [{ clientToken: [] }] : [],
      );
    }
    const list = doc.paths['/v1/payments']!.get;
    expect(list.parameters.map((p: any) => p.name).sort()).toEqual([
      'cursor',
      'from',
      'limit',
      'reference',
      'status',
      'to',
    ]);
    const capture = doc.paths['/v1/payments/{paymentId}/capture']!.post;
    expect(capture.parameters.find((p: any) => p.in === 'header')).toMatchObject({
      name: 'Idempotency-Key',
      required: false,
    });
    expect(doc.components.schemas).toHaveProperty('CreateSessionRequest');
    expect(doc.components.schemas).toHaveProperty('Error');
  });

  it('declares what the middlewares answer: 429 to a caller whose merchant keys keep failing, 413 to a GET declaring a large body', async () => {
    const h = makeHarness({
      deps: { adapters: [new FakeAdapter()] },
      env: { PWB_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '3', PWB_TRUSTED_PROXY_HEADER: 'x-forwarded-for' },
    });
    const declared = (path: string, method: string) => doc.paths[path]![method].responses as Record<string, unknown>;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await h.request('GET', '/v1/payments/pay_unknown', {
        headers: { authorization: 'Bearer wrong-key-wrong-key', 'x-forwarded-for': '203.0.113.9' },
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(declared('/v1/payments/{paymentId}', 'get')).toHaveProperty('429');
    const large = await h.merchant('GET', '/v1/payments', undefined, { 'content-length': String(10 * 1024 * 1024) });
    expect(large.status).toBe(413);
    expect(declared('/v1/payments', 'get')).toHaveProperty('413');
  });

  it('is served at /openapi.json with the public URL as server', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter()] }, env: { PWB_PUBLIC_URL: 'https://pay.example' } });
    const served = await json(await h.request('GET', '/openapi.json'));
    expect(served).toEqual(buildOpenApiDocument({ serverUrl: 'https://pay.example' }));
    expect(served.servers).toEqual([{ url: 'https://pay.example' }]);
  });

  it('is printed by the openapi CLI', () => {
    const root = join(import.meta.dirname, '../..');
    const out = execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/openapi-cli.ts'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual(buildOpenApiDocument());
  });
});
