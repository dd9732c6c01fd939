import { loadConfig, type Config, type Env } from '../../src/config.js';

export const MERCHANT_KEY = 'mk_test_0123456789abcdefghijklmnopqrstuv';
export const SECOND_MERCHANT_KEY = 'mk_test_second_key_zyxwvutsrqponmlkjihgf';
export const MC_CLIENT_ID = 'sandbox-client-id';
export const MC_CLIENT_SECRET = 'sandbox-client-secret';
export const WEBHOOK_SECRET = 'whsec_test_super_secret_value_42';
export const SHOP_ORIGIN = 'https://shop.example';
export const RETURN_URL = 'https://shop.example/checkout/return';
export const SANDBOX_BASE = 'http://sandbox.test';

export function baseEnv(overrides: Env = {}): Env {
  return {
    PWB_MERCHANT_API_KEYS: `${MERCHANT_KEY},${SECOND_MERCHANT_KEY}`,
    PWB_PAYEE_NAME: 'Nordic Goods ApS',
    PWB_ALLOWED_ORIGINS: SHOP_ORIGIN,
    PWB_RETURN_URL_ALLOWLIST: `${SHOP_ORIGIN}/checkout`,
    PWB_DATABASE: ':memory:',
    PWB_LOG_LEVEL: 'silent',
    PWB_MASTERCARD_BASE_URL: `${SANDBOX_BASE}/mastercard`,
    PWB_MASTERCARD_CLIENT_ID: MC_CLIENT_ID,
    PWB_MASTERCARD_CLIENT_SECRET: MC_CLIENT_SECRET,
    PWB_MASTERCARD_ACCOUNT_DKK: 'bban:1234:0123456789',
    PWB_MASTERCARD_ACCOUNT_EUR: 'iban:DK5000400440116243',
    ...overrides,
  };
}

export function testConfig(overrides: Env = {}): Config {
  return loadConfig(baseEnv(overrides));
}
