import { describe, expect, it } from 'vitest';
import {
  admitReturnUrl,
  buildProviderReturnUrl,
  isReturnUrlAllowed,
  parseReturnUrlRule,
} from '../../src/security/return-url.js';

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
    // Double (and deeper) encoded dot segments and slashes.
    'https://shop.example/checkout/%252e%252e/evil',
    'https://shop.example/checkout/%25252e%25252e/evil',
    'https://shop.example/checkout/%252F..%252Fadmin',
    'https://shop.example/checkout/%255c..%255cadmin',
    'https://shop.example/checkout/a%25/%252e%252e/evil',
    // Userinfo of any kind, even empty (the URL parser drops it silently).
    'https://:@shop.example/checkout',
    'https://@shop.example/checkout',
    'https://:@shop.example:443/checkout',
    'javascript:alert(1)',
    'not a url',
  ])('refuses %s', (url) => expect(isReturnUrlAllowed(url, rules)).toBe(false));

  it.each([
    ['https://SHOP.example:443/checkout/a/../b', 'https://shop.example/checkout/b'],
    ['https://shop.example/checkout/./done?x=1#top', 'https://shop.example/checkout/done?x=1#top'],
    ['https://shop.example/checkout/100%25-off', 'https://shop.example/checkout/100%25-off'],
  ])('stores %s as the URL the shopper is sent to (%s)', (input, stored) => {
    expect(admitReturnUrl(input, rules)).toBe(stored);
  });

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
