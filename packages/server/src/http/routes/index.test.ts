/** The route table's own rules: what every route of a kind must declare, so a new route cannot forget it. */
import { describe, expect, it } from 'vitest';
import { routes } from './index.js';

describe('route table', () => {
  it('has one route per operation id and per method and path', () => {
    expect(new Set(routes.map((r) => r.operationId)).size).toBe(routes.length);
    expect(new Set(routes.map((r) => `${r.method} ${r.path}`)).size).toBe(routes.length);
  });

  it('spends the checkout budget on every browser route and counts refused merchant keys on every merchant route', () => {
    for (const route of routes) {
      const expected = { client: 'checkout', merchant: 'failed-auth', none: undefined, provider: undefined }[
        route.auth
      ];
      expect(route.rateLimit, route.operationId).toBe(expected);
    }
  });

  it('replays Idempotency-Key answers on the merchant operations; sessions keep their key with the session', () => {
    const withKey = routes.filter((r) => r.headers && 'idempotency-key' in r.headers.shape).map((r) => r.operationId);
    expect(withKey).toEqual(['createSession', 'capturePayment', 'cancelPayment', 'refundPayment']);
    expect(routes.filter((r) => r.idempotent).map((r) => r.operationId)).toEqual(withKey.slice(1));
  });

  it('declares a query schema on every route but provider callbacks (unknown parameters are refused)', () => {
    expect(routes.filter((r) => !r.query).map((r) => r.operationId)).toEqual([
      'providerCallback',
      'providerCallbackDelete',
    ]);
  });
});
