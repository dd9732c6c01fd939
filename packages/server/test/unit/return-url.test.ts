import { describe, expect, it } from 'vitest';
import { buildProviderReturnUrl, isReturnUrlAllowed, parseReturnUrlRule } from '../../src/security/return-url.js';

const rules = ['https://shop.example/checkout', 'http://localhost:4030'].map(parseReturnUrlRule);

describe('return URL allow-list', () => {
  it.each([
    'https://shop.example/checkout',
    'https://shop.example/checkout/',
    'https://shop.example/checkout/return?order=1#top',
    'http://localhost:4030/',
    'http://localhost:4030/anything/at/all',
  ])('admits %s', (url) => expect(isReturnUrlAllowed(url, rules)).toBe(true));

  it.each([
    'https://shop.example/checkout-evil',
    'https://shop.example/',
    'https://shop.example/other/checkout',
    'http://shop.example/checkout',
    'https://shop.example:8443/checkout',
    'https://shop.example.evil.com/checkout',
    'https://evil.com/https://shop.example/checkout',
    'https://user@shop.example/checkout',
    'https://user:pw@shop.example/checkout',
    'http://localhost:4031/',
    'http://127.0.0.1:4030/',
    'https://shop.example/checkout/../admin',
    'https://shop.example/checkout/%2e%2e/admin',
    'javascript:alert(1)',
    'not a url',
  ])('refuses %s', (url) => expect(isReturnUrlAllowed(url, rules)).toBe(false));

  it('adds the return parameters, replacing any already there', () => {
    const url = new URL(
      buildProviderReturnUrl('https://shop.example/checkout?order=7&pwb_return=forged#x', 'pwb_ct_abc', 'pay_123'),
    );
    expect(url.searchParams.get('order')).toBe('7');
    expect(url.searchParams.getAll('pwb_return')).toEqual(['pwb_ct_abc']);
    expect(url.searchParams.get('pwb_payment')).toBe('pay_123');
    expect(url.hash).toBe('#x');
  });
});
