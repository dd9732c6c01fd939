import { describe, expect, it } from 'vitest';
import { CreateSessionRequest, StartPaymentRequest, errorBody, fillPath, paths } from './index.js';

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
});
