/**
 * Configuration from PWB_VIPPS_* variables, the identifiers we derive (orderIds, keys, authTokens),
 * the pure status mappings and the polling policy.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadVippsConfig, vippsSecrets } from '../../src/providers/vipps/config.js';
import { ecomDetailsToSnapshot, needsTimeoutCheck } from '../../src/providers/vipps/ecom-mapping.js';
import { EcomDetails } from '../../src/providers/vipps/ecom-schemas.js';
import { epaymentToSnapshot } from '../../src/providers/vipps/epayment-mapping.js';
import { norwegianMobile, norwegianMsisdn } from '../../src/providers/vipps/format.js';
import {
  createIdempotencyKey,
  deriveAuthToken,
  deriveOrderId,
  operationKey,
  paymentKey,
  verifyAuthToken,
} from '../../src/providers/vipps/ids.js';
import { nextPollAt } from '../../src/payments/refresh-throttle.js';
import { pollingPolicy } from '../../src/providers/vipps/polling.js';
import { CALLBACK_SECRET, vippsEnv } from './helpers.js';

describe('Vipps configuration', () => {
  it('is null when no PWB_VIPPS_* variable is set', () => {
    expect(loadVippsConfig({ PWB_PORT: '4020', PWB_VIPPS_API: '  ' })).toEqual({ config: null, issues: [] });
  });

  it('loads eCom and ePayment with defaults', () => {
    const ecom = loadVippsConfig(
      vippsEnv('ecom', { PWB_VIPPS_BASE_URL: undefined, PWB_VIPPS_ORDER_PREFIX: undefined }),
    ).config!;
    expect(ecom).toMatchObject({
      api: 'ecom',
      baseUrl: 'https://apitest.vipps.no',
      orderPrefix: 'pwb',
      callbackSecrets: [CALLBACK_SECRET],
      webhookSecret: null,
      currencies: ['NOK'],
      system: { name: 'pay-with-bank', version: '0.1.0', pluginName: 'pay-with-bank-server', pluginVersion: '0.1.0' },
    });
    const epayment = loadVippsConfig(
      vippsEnv('epayment', {
        PWB_VIPPS_WEBHOOK_SECRET: 'registered-webhook-secret',
        PWB_VIPPS_BASE_URL: 'https://api.vipps.no/',
      }),
    ).config!;
    expect(epayment).toMatchObject({
      api: 'epayment',
      baseUrl: 'https://api.vipps.no',
      webhookSecret: 'registered-webhook-secret',
      currencies: ['NOK', 'DKK', 'EUR'],
      callbackSecrets: [],
    });
  });

  it('lists every problem as `NAME message` without echoing values', () => {
    const secretish = 'sekrit value with spaces';
    const { config, issues } = loadVippsConfig({
      PWB_VIPPS_API: 'classic',
      PWB_VIPPS_CLIENT_SECRET: secretish,
      PWB_VIPPS_MERCHANT_SERIAL_NUMBER: '12',
      PWB_VIPPS_ORDER_PREFIX: 'way-too-long-prefix-for-vipps',
      PWB_VIPPS_SYSTEM_NAME: 'x'.repeat(31),
      PWB_VIPPS_BASE_URL: 'ftp://vipps',
    });
    expect(config).toBeNull();
    const names = issues.map((i) => i.split(' ')[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'PWB_VIPPS_API',
        'PWB_VIPPS_CLIENT_ID',
        'PWB_VIPPS_CLIENT_SECRET',
        'PWB_VIPPS_SUBSCRIPTION_KEY',
        'PWB_VIPPS_MERCHANT_SERIAL_NUMBER',
        'PWB_VIPPS_ORDER_PREFIX',
        'PWB_VIPPS_SYSTEM_NAME',
        'PWB_VIPPS_BASE_URL',
      ]),
    );
    expect(issues.join('\n')).not.toContain(secretish);
    expect(issues.join('\n')).not.toContain('way-too-long');
  });

  it('eCom needs a callback secret of 32+ characters, a 5–6 digit MSN and NOK only', () => {
    const issues = (env: Record<string, string | undefined>) => loadVippsConfig(vippsEnv('ecom', env)).issues;
    expect(issues({ PWB_VIPPS_CALLBACK_SECRET: undefined })[0]).toMatch(/^PWB_VIPPS_CALLBACK_SECRET is required/);
    expect(issues({ PWB_VIPPS_CALLBACK_SECRET: 'short' })[0]).toMatch(/^PWB_VIPPS_CALLBACK_SECRET must be at least 32/);
    expect(issues({ PWB_VIPPS_MERCHANT_SERIAL_NUMBER: '1234' })).toEqual([
      'PWB_VIPPS_MERCHANT_SERIAL_NUMBER must be 5 or 6 digits for the eCom API',
    ]);
    expect(issues({ PWB_VIPPS_CURRENCIES: 'NOK,DKK' })).toEqual([
      'PWB_VIPPS_CURRENCIES may only be NOK for the eCom API',
    ]);
    expect(loadVippsConfig(vippsEnv('epayment', { PWB_VIPPS_MERCHANT_SERIAL_NUMBER: '1234' })).issues).toEqual([]);
    expect(loadVippsConfig(vippsEnv('epayment', { PWB_VIPPS_CURRENCIES: 'NOK,SEK' })).issues[0]).toMatch(
      /^PWB_VIPPS_CURRENCIES/,
    );
  });

  it('accepts several comma-separated callback secrets (rotation) and reports every secret for redaction', () => {
    const second = 'second-callback-secret-0123456789abcdef';
    const config = loadVippsConfig(
      vippsEnv('ecom', { PWB_VIPPS_CALLBACK_SECRET: ` ${CALLBACK_SECRET} , ${second} ` }),
    ).config!;
    expect(config.callbackSecrets).toEqual([CALLBACK_SECRET, second]);
    expect(vippsSecrets(config)).toEqual(
      expect.arrayContaining([config.clientId, config.clientSecret, config.subscriptionKey, CALLBACK_SECRET, second]),
    );
    expect(vippsSecrets(null)).toEqual([]);
  });
});

describe('derived identifiers', () => {
  const paymentIdArb = fc
    .uint8Array({ minLength: 16, maxLength: 16 })
    .map((bytes) => `pay_${Buffer.from(bytes).toString('base64url')}`);
  const prefixArb = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,14}[A-Za-z0-9])?$/);

  it('orderIds fit the eCom and ePayment patterns and are unique per payment id and per prefix', () => {
    fc.assert(
      fc.property(prefixArb, prefixArb, paymentIdArb, paymentIdArb, (p1, p2, id1, id2) => {
        const a = deriveOrderId(p1, id1);
        expect(a).toMatch(/^[a-zA-Z0-9-]{8,50}$/);
        expect(deriveOrderId(p1, id1)).toBe(a); // stable
        if (id1 !== id2) expect(deriveOrderId(p1, id2)).not.toBe(a);
        if (p1 !== p2) expect(deriveOrderId(p2, id1)).not.toBe(a);
      }),
      { numRuns: 500 },
    );
  });

  it('maps a pay_ id reversibly to hex, and any other id to a hashed key of another shape', () => {
    const id = 'pay_AAECAwQFBgcICQoLDA0ODw';
    expect(paymentKey(id)).toBe('000102030405060708090a0b0c0d0e0f');
    expect(Buffer.from(paymentKey(id), 'hex').toString('base64url')).toBe(id.slice(4));
    expect(paymentKey('pay_short')).toMatch(/^h[0-9a-f]{31}$/);
    // A non-canonical encoding of the same bytes must not share the canonical id's key.
    expect(paymentKey('pay_AAECAwQFBgcICQoLDA0ODx')).not.toBe(paymentKey(id));
    expect(deriveOrderId('a', 'pay_short')).toMatch(/^a-h[0-9a-f]{31}$/);
  });

  it('ePayment create keys are stable per payment id and ≤ 50 characters', () => {
    fc.assert(
      fc.property(paymentIdArb, paymentIdArb, (a, b) => {
        expect(createIdempotencyKey(a).length).toBeLessThanOrEqual(50);
        expect(createIdempotencyKey(a)).toBe(createIdempotencyKey(a));
        if (a !== b) expect(createIdempotencyKey(a)).not.toBe(createIdempotencyKey(b));
      }),
    );
  });

  it('operation keys pass through when they fit, are hashed to ≤ 40 characters otherwise', () => {
    expect(operationKey('op_abcDEF-123')).toBe('op_abcDEF-123');
    const long = operationKey('x'.repeat(41));
    expect(long).toMatch(/^k-[0-9a-f]{37}$/);
    expect(operationKey('with space')).toMatch(/^k-/);
    expect(operationKey('x'.repeat(41))).toBe(long);
  });

  it('authTokens are per order and per secret, verified in constant time against every configured secret', () => {
    const token = deriveAuthToken(CALLBACK_SECRET, '123456', 'shop1-abc');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verifyAuthToken([CALLBACK_SECRET], '123456', 'shop1-abc', token)).toBe(true);
    expect(verifyAuthToken([CALLBACK_SECRET], '123456', 'shop1-abd', token)).toBe(false);
    expect(verifyAuthToken([CALLBACK_SECRET], '654321', 'shop1-abc', token)).toBe(false);
    expect(
      verifyAuthToken(['other-secret-0123456789-abcdefghijklmn', CALLBACK_SECRET], '123456', 'shop1-abc', token),
    ).toBe(true);
    expect(verifyAuthToken([], '123456', 'shop1-abc', token)).toBe(false);
  });

  it('phone numbers: 8 national digits for eCom, 47 + 8 digits for ePayment', () => {
    for (const input of ['91234567', '+4791234567', '004791234567', '4791234567', '912 34 567']) {
      expect(norwegianMobile(input)).toBe('91234567');
    }
    expect(norwegianMsisdn('+47 412 34 567')).toBe('4741234567');
    for (const bad of ['1234567', '81234567', '+4591234567', '9123456789', ''])
      expect(() => norwegianMobile(bad)).toThrow(/Norwegian mobile/);
  });
});

describe('status mapping tables', () => {
  const entry = (operation: string, amount: number, operationSuccess = true) => ({
    operation,
    amount,
    operationSuccess,
    transactionText: 't',
  });
  const details = (newestFirst: ReturnType<typeof entry>[], summary?: Record<string, number>) =>
    EcomDetails.parse({
      orderId: 'shop1-x',
      transactionLogHistory: newestFirst,
      ...(summary ? { transactionSummary: summary } : {}),
    });

  it.each([
    [[entry('INITIATE', 1000)], 'pending', 'INITIATE'],
    [[entry('RESERVE', 1000), entry('INITIATE', 1000)], 'authorized', 'RESERVE'],
    [[entry('SALE', 1000), entry('INITIATE', 1000)], 'completed', 'SALE'],
    [[entry('CAPTURE', 400), entry('RESERVE', 1000), entry('INITIATE', 1000)], 'authorized', 'CAPTURE'],
    [
      [entry('CAPTURE', 600), entry('CAPTURE', 400), entry('RESERVE', 1000), entry('INITIATE', 1000)],
      'completed',
      'CAPTURE',
    ],
    [[entry('VOID', 1000), entry('RESERVE', 1000), entry('INITIATE', 1000)], 'cancelled', 'VOID'],
    [[entry('VOID', 600), entry('CAPTURE', 400), entry('RESERVE', 1000), entry('INITIATE', 1000)], 'completed', 'VOID'],
    [[entry('CANCEL', 1000), entry('INITIATE', 1000)], 'cancelled', 'CANCEL'],
    [[entry('RESERVE', 1000, false), entry('INITIATE', 1000)], 'failed', 'RESERVE_FAILED'],
    [
      [entry('REFUND', 100), entry('CAPTURE', 1000), entry('RESERVE', 1000), entry('INITIATE', 1000)],
      'completed',
      'REFUND',
    ],
    [[entry('SOMETHING_NEW', 0), entry('INITIATE', 1000)], 'pending', 'SOMETHING_NEW'],
  ])('eCom log %# → %s', (log, status, providerStatus) => {
    const snapshot = ecomDetailsToSnapshot(details(log));
    expect(snapshot.status).toBe(status);
    expect(snapshot.providerStatus).toBe(providerStatus);
  });

  it('eCom amounts come from the summary when present, the log otherwise; CANCEL before RESERVE may be a timeout', () => {
    const log = [entry('CAPTURE', 400), entry('RESERVE', 1000), entry('INITIATE', 1000)];
    expect(ecomDetailsToSnapshot(details(log))).toMatchObject({
      authorizedAmount: 1000,
      capturedAmount: 400,
      refundedAmount: 0,
      cancelledAmount: 0,
    });
    const summary = {
      capturedAmount: 400,
      refundedAmount: 100,
      remainingAmountToCapture: 600,
      remainingAmountToRefund: 300,
    };
    expect(ecomDetailsToSnapshot(details(log, summary))).toMatchObject({ capturedAmount: 400, refundedAmount: 100 });
    const cancelled = details([entry('CANCEL', 1000), entry('INITIATE', 1000)]);
    expect(needsTimeoutCheck(cancelled)).toBe(true);
    expect(needsTimeoutCheck(details(log))).toBe(false);
    expect(ecomDetailsToSnapshot(cancelled, true)).toMatchObject({
      status: 'expired',
      providerStatus: 'REJECTED',
      failure: { code: 'expired' },
    });
  });

  const payment = (state: string, authorized: number, captured = 0, cancelled = 0) => ({
    reference: 'shop1-00000000',
    state,
    amount: { currency: 'NOK', value: 1000 },
    aggregate: {
      authorizedAmount: { currency: 'NOK', value: authorized },
      capturedAmount: { currency: 'NOK', value: captured },
      refundedAmount: { currency: 'NOK', value: 0 },
      cancelledAmount: { currency: 'NOK', value: cancelled },
    },
  });
  it.each([
    [payment('CREATED', 0), 'pending'],
    [payment('AUTHORIZED', 1000), 'authorized'],
    [payment('AUTHORIZED', 1000, 400), 'authorized'],
    [payment('AUTHORIZED', 1000, 1000), 'completed'],
    [payment('AUTHORIZED', 1000, 400, 600), 'completed'],
    [payment('AUTHORIZED', 1000, 0, 1000), 'cancelled'],
    [payment('ABORTED', 0), 'cancelled'],
    [payment('EXPIRED', 0), 'expired'],
    [payment('TERMINATED', 0), 'cancelled'],
    [payment('SOMETHING_NEW', 0), 'pending'],
  ])('ePayment %# → %s', (p, status) => {
    expect(epaymentToSnapshot(p).status).toBe(status);
  });
});

describe('polling policy', () => {
  it('first poll 5 s after creation, then every 2 s', () => {
    expect(pollingPolicy).toEqual({ firstPollAfterMs: 5_000, intervalMs: 2_000 });
    expect(nextPollAt(pollingPolicy, 1_000, null)).toBe(6_000);
    expect(nextPollAt(pollingPolicy, 1_000, 6_000)).toBe(8_000);
    expect(nextPollAt(pollingPolicy, 1_000, 2_000)).toBe(6_000);
  });
});
