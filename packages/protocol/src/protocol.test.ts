import { describe, expect, it } from 'vitest';
import { CreateSessionRequest, ShippingResponse, StartPaymentRequest, errorBody, fillPath, paths } from './index.js';

describe('protocol schemas', () => {
  it('accepts a well-formed session request and refuses a fractional amount', () => {
    const ok = {
      amount: { value: 12_500, currency: 'DKK' },
      reference: 'order-1001',
      description: 'Two mugs',
      returnUrl: 'https://shop.example/checkout',
    };
    expect(CreateSessionRequest.safeParse(ok).success).toBe(true);
    expect(CreateSessionRequest.safeParse({ ...ok, amount: { value: 1.5, currency: 'DKK' } }).success).toBe(false);
    expect(CreateSessionRequest.safeParse({ ...ok, returnUrl: 'javascript:alert(1)' }).success).toBe(false);
    expect(CreateSessionRequest.safeParse({ ...ok, extra: 1 }).success).toBe(false);
  });

  it('never lets the browser name an amount', () => {
    const r = StartPaymentRequest.safeParse({
      method: 'bank',
      attemptId: 'abcdefgh',
      amount: { value: 1, currency: 'DKK' },
    });
    expect(r.success).toBe(false);
  });

  it('takes an explicit replace flag on a start, and only a boolean', () => {
    const base = { method: 'bank', attemptId: 'abcdefgh', bankId: 'DK_TestBank' };
    expect(StartPaymentRequest.parse({ ...base, replace: true }).replace).toBe(true);
    expect(StartPaymentRequest.parse(base).replace).toBeUndefined();
    for (const replace of ['true', 1, null]) {
      expect(StartPaymentRequest.safeParse({ ...base, replace }).success).toBe(false);
    }
  });

  it('marks provider errors retryable and input errors not', () => {
    expect(errorBody('provider_unavailable', 'x').error.retryable).toBe(true);
    expect(errorBody('invalid_request', 'x').error.retryable).toBe(false);
  });

  it('fills path parameters with encoding', () => {
    expect(fillPath(paths.checkoutPaymentRefresh, { paymentId: 'pay_a/b' })).toBe(
      '/v1/checkout/payments/pay_a%2Fb/refresh',
    );
    expect(() => fillPath(paths.merchantSession, {})).toThrow(/sessionId/);
  });

  describe('express sessions', () => {
    const base = {
      amount: { value: 12_500, currency: 'NOK' },
      reference: 'order-1001',
      description: 'Two mugs',
      returnUrl: 'https://shop.example/checkout',
    };
    const option = { id: 'posten', name: 'Posten Servicepakke', amount: 9900 };

    it('takes static options or a shipping URL, not both and not neither', () => {
      expect(CreateSessionRequest.safeParse({ ...base, express: { shipping: { options: [option] } } }).success).toBe(
        true,
      );
      expect(
        CreateSessionRequest.safeParse({
          ...base,
          express: { shipping: { url: 'https://shop.example/shipping' }, confirmAddress: false },
        }).success,
      ).toBe(true);
      for (const shipping of [{}, { options: [option], url: 'https://shop.example/shipping' }, { options: [] }]) {
        expect(CreateSessionRequest.safeParse({ ...base, express: { shipping } }).success).toBe(false);
      }
      expect(
        CreateSessionRequest.safeParse({ ...base, express: { shipping: { url: 'javascript:alert(1)' } } }).success,
      ).toBe(false);
    });

    it('refuses malformed options: duplicate ids, two defaults, fractional or negative prices, odd ids', () => {
      const bad = [
        [option, { ...option, name: 'Again' }],
        [
          { ...option, default: true },
          { ...option, id: 'other', default: true },
        ],
        [{ ...option, amount: 99.5 }],
        [{ ...option, amount: -1 }],
        [{ ...option, id: 'has space' }],
        [{ ...option, name: '' }],
        [{ ...option, priority: 1001 }],
        [{ ...option, extra: 1 }],
        Array.from({ length: 21 }, (_, i) => ({ ...option, id: `o${i}` })),
      ];
      for (const options of bad) {
        expect(ShippingResponse.safeParse({ options }).success, JSON.stringify(options)).toBe(false);
      }
      expect(
        ShippingResponse.safeParse({ options: [{ ...option, amount: 0, default: true, priority: 3 }] }).success,
      ).toBe(true);
    });
  });
});
