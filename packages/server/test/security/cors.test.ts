/**
 * CORS: only the browser API (/v1/checkout/*) answers cross-origin requests, and only for the
 * configured origins (exact match: scheme, host and port). The merchant API, provider callbacks
 * and system routes never answer CORS, so a page on any origin cannot read them even if it holds
 * a credential. Credentials (cookies) are never allowed: the API uses bearer tokens only.
 */
import { describe, expect, it } from 'vitest';
import { routes } from '../../src/http/routes/index.js';
import { MERCHANT_KEY, SHOP_ORIGIN } from '../helpers/config.js';
import { securityWorld } from './helpers.js';

/** Origins that must not be mistaken for https://shop.example. */
const LOOKALIKE_ORIGINS = [
  'https://evil.example',
  'null',
  'https://shop.example.evil.example',
  'https://evilshop.example',
  'https://shop.example:8443',
  'http://shop.example',
  'https://shop.example.',
  'https://sub.shop.example',
  'https://xn--shp-sna.example',
  'https://shop.example/',
  'https://shop.example%60evil.example',
  'file://',
  '*',
];

function fill(path: string, ids: { paymentId: string; sessionId: string }): string {
  return path
    .replace('{paymentId}', ids.paymentId)
    .replace('{sessionId}', ids.sessionId)
    .replace('{provider}', 'fake')
    .replace('/*', '/events');
}

describe('CORS', () => {
  it('lets the configured origin call every browser route, preflight and request, without credentials', async () => {
    const world = securityWorld();
    const a = await world.shopper('ORDER-A');
    const browserRoutes = routes.filter((r) => r.auth === 'client');
    expect(browserRoutes.length).toBeGreaterThanOrEqual(4);
    for (const route of browserRoutes) {
      const path = fill(route.path, a);
      expect(path.startsWith('/v1/checkout/'), `${route.operationId} is a browser route outside /v1/checkout/`).toBe(
        true,
      );
      const preflight = await world.h.request('OPTIONS', path, {
        headers: {
          origin: SHOP_ORIGIN,
          'access-control-request-method': route.method,
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(preflight.status, route.operationId).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
      expect(preflight.headers.get('access-control-allow-methods')).toContain(route.method);
      expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
      const actual = await world.h.client(a.token, route.method, path, undefined, { origin: SHOP_ORIGIN });
      expect(actual.headers.get('access-control-allow-origin'), route.operationId).toBe(SHOP_ORIGIN);
      expect(actual.headers.get('access-control-allow-credentials')).toBeNull();
      await actual.body?.cancel(); // not read: the live status route streams
    }
  });

  it('gives look-alike and foreign origins nothing on browser routes', async () => {
    const world = securityWorld();
    const a = await world.shopper('ORDER-A');
    for (const route of routes.filter((r) => r.auth === 'client')) {
      const path = fill(route.path, a);
      for (const origin of LOOKALIKE_ORIGINS) {
        const preflight = await world.h.request('OPTIONS', path, {
          headers: { origin, 'access-control-request-method': route.method },
        });
        expect(
          preflight.headers.get('access-control-allow-origin'),
          `${route.operationId} preflight ${origin}`,
        ).toBeNull();
        const actual = await world.h.client(a.token, route.method, path, undefined, { origin });
        expect(actual.headers.get('access-control-allow-origin'), `${route.operationId} ${origin}`).toBeNull();
        await actual.body?.cancel();
      }
    }
  });

  it('never answers CORS on merchant, callback or system routes, even for the configured origin', async () => {
    const world = securityWorld();
    const a = await world.shopper('ORDER-A');
    const others = routes.filter((r) => r.auth !== 'client');
    expect(others.map((r) => r.operationId)).toEqual(
      expect.arrayContaining(['createSession', 'capturePayment', 'providerCallback', 'health']),
    );
    for (const route of others) {
      const path = fill(route.path, a);
      for (const origin of [SHOP_ORIGIN, 'https://evil.example']) {
        const preflight = await world.h.request('OPTIONS', path, {
          headers: {
            origin,
            'access-control-request-method': route.method,
            'access-control-request-headers': 'authorization',
          },
        });
        expect(preflight.status, `${route.operationId} preflight`).toBeGreaterThanOrEqual(400);
        expect(preflight.headers.get('access-control-allow-origin'), route.operationId).toBeNull();
        expect(preflight.headers.get('access-control-allow-methods'), route.operationId).toBeNull();
        const actual = await world.h.request(route.method, path, {
          headers: { origin, ...(route.auth === 'merchant' ? { authorization: `Bearer ${MERCHANT_KEY}` } : {}) },
        });
        expect(actual.headers.get('access-control-allow-origin'), `${route.operationId} ${origin}`).toBeNull();
        await actual.text();
      }
    }
  });
});
