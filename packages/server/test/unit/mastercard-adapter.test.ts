import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import {
  buildCreatePaymentBody,
  createMastercardAdapter,
  type MastercardAdapterOptions,
} from '../../src/providers/mastercard/adapter.js';
import { newCorrelationId } from '../../src/providers/mastercard/client.js';
import {
  mapFailure,
  mapStatus,
  toDecimalString,
  toMinorUnits,
  toProviderBank,
  toSnapshot,
} from '../../src/providers/mastercard/mapping.js';
import { McPaymentEnvelope, McProviderList } from '../../src/providers/mastercard/schemas.js';
import { ProviderError } from '../../src/errors.js';
import type { CreatePaymentInput } from '../../src/providers/adapter.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/mastercard', name), 'utf8'));

const CLIENT_ID = 'mc-client-id-value';
const CLIENT_SECRET = 'mc-client-secret-value-very-secret';

interface Recorded {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

function adapterWith(
  respond: (req: Recorded) => Response | Promise<Response>,
  overrides: Partial<MastercardAdapterOptions> = {},
) {
  const calls: Recorded[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const recorded = { url: request.url, method: request.method, headers: request.headers, body: await request.text() };
    calls.push(recorded);
    return respond(recorded);
  };
  const options: MastercardAdapterOptions = {
    baseUrl: 'https://mc.example',
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    accounts: {
      DKK: { kind: 'bban', bankCode: '1234', accountNumber: '0123456789' },
      EUR: { kind: 'iban', iban: 'DK5000400440116243' },
    },
    userHashSalt: 'salt',
    payeeName: 'Nordic Goods ApS',
    timeoutMs: 1000,
    fetch: fetchImpl,
    logger: silentLogger,
    ...overrides,
  };
  return { adapter: createMastercardAdapter(options), calls, options };
}

const jsonResponse = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const input: CreatePaymentInput = {
  paymentId: 'pay_AAAAAAAAAAAAAAAAAAAAAA',
  sessionId: 'cs_BBBBBBBBBBBBBBBBBBBBBB',
  amount: { value: 12500, currency: 'DKK' },
  reference: 'ORDER-1001',
  description: 'Two ceramic mugs',
  returnUrl: 'https://shop.example/checkout/return?pwb_return=t&pwb_payment=p',
  bankId: 'DK_TestBank',
  options: {},
  locale: 'en',
};

describe('money conversion', () => {
  it.each([
    [1, '0.01'],
    [100, '1.00'],
    [12500, '125.00'],
    [12345, '123.45'],
    [200, '2.00'],
    [1_000_000_000, '10000000.00'],
  ])('%i minor units is "%s"', (minor, text) => {
    expect(toDecimalString(minor, 'DKK')).toBe(text);
    expect(toMinorUnits(text, 'DKK')).toBe(minor);
    expect(toMinorUnits(Number(text), 'DKK')).toBe(minor);
  });
  it('reads the numbers Mastercard returns without float drift', () => {
    expect(toMinorUnits(0.29, 'EUR')).toBe(29);
    expect(toMinorUnits(1.005, 'EUR')).toBe(100);
    expect(() => toMinorUnits('1,00', 'EUR')).toThrow();
  });
});

describe('status mapping', () => {
  it.each([
    ['Preparing', false, 'pending'],
    ['ReadyForAuthorize', false, 'pending'],
    ['Authorizing', false, 'pending'],
    ['Pending', false, 'authorized'],
    ['Succeeded', true, 'completed'],
    ['Failed', true, 'failed'],
    ['Cancelled', true, 'cancelled'],
    ['SomethingNew', false, 'pending'],
    ['SomethingNew', true, 'failed'],
  ] as const)('%s (terminal %s) → %s', (code, terminal, status) => {
    expect(mapStatus(code, terminal)).toBe(status);
  });

  it('maps failure details to a readable failure, keeping the provider’s words', () => {
    expect(
      mapFailure('failed', {
        providerStatusCode: 'RJCT',
        reason: 'Insufficient funds on the selected account',
        providerMessage: 'AM04 InsufficientFunds',
        errorType: 'PaymentRejected',
        errorCode: 'InsufficientFunds',
      }),
    ).toEqual({
      code: 'insufficient_funds',
      message: 'The account does not have enough funds for this payment.',
      providerCode: 'InsufficientFunds',
      providerMessage: 'AM04 InsufficientFunds',
    });
    expect(
      mapFailure('failed', {
        providerStatusCode: 'RJCT',
        reason: 'The bank rejected the payment',
        providerMessage: null,
        errorType: 'PaymentRejected',
        errorCode: 'RejectedByBank',
      }),
    ).toMatchObject({
      code: 'rejected',
      message: 'The bank rejected the payment.',
      providerCode: 'RejectedByBank',
      providerMessage: 'The bank rejected the payment',
    });
    expect(mapFailure('failed', null)).toEqual({
      code: 'bank_error',
      message: 'The bank could not complete the payment.',
      providerCode: null,
      providerMessage: null,
    });
    expect(
      mapFailure('cancelled', { errorCode: 'RejectedByUser', reason: 'The payer rejected the payment at the bank' }),
    ).toMatchObject({ code: 'rejected' });
    expect(mapFailure('cancelled', { reason: 'The payer cancelled the payment in the Open Finance UI' })).toMatchObject(
      { code: 'cancelled' },
    );
    expect(mapFailure('completed', { reason: 'x' })).toBeNull();
  });

  it('reads the recorded Postman payment shapes (get and refresh)', () => {
    for (const name of ['get-payment.json', 'refresh-status.json']) {
      const { payment } = McPaymentEnvelope.parse(fixture(name));
      expect(toSnapshot(payment)).toMatchObject({
        status: 'pending',
        providerStatus: 'Preparing',
        bankId: null,
        failure: null,
      });
    }
  });
});

describe('banks', () => {
  it('maps the recorded Postman provider list: logo svg first, availability, currencies', () => {
    const providers = McProviderList.parse(fixture('providers.json'));
    const banks = providers.map((p) => toProviderBank(p, ['DKK', 'EUR']));
    expect(banks[1]).toEqual({
      id: 'DK_TestBank',
      name: 'Test Bank',
      country: 'DK',
      logoUrl: 'https://cdn.nordicapigateway.com/providers/TestBank.svg',
      available: true,
      unavailableMessage: null,
      currencies: ['DKK'],
    });
  });

  it('keeps only banks with a method for a configured currency: domestic in local currency, SEPA for EUR', () => {
    const base = {
      name: 'B',
      status: { syncMode: 'Full' },
      presentation: { logos: { large: { png: 'p.png', svg: null } } },
    };
    const dk = toProviderBank(
      {
        ...base,
        id: 'dk',
        countryCode: 'DK',
        paymentMethods: { domestic: { executionTypes: ['Normal'] }, sepa: null },
      },
      ['DKK', 'EUR', 'SEK'],
    );
    expect(dk.currencies).toEqual(['DKK']);
    expect(dk.logoUrl).toBe('p.png');
    const dkSepa = toProviderBank(
      {
        ...base,
        id: 'dk2',
        countryCode: 'DK',
        paymentMethods: { domestic: { executionTypes: ['Normal'] }, sepa: { executionTypes: ['Normal'] } },
      },
      ['DKK', 'EUR'],
    );
    expect(dkSepa.currencies).toEqual(['DKK', 'EUR']);
    const fiDomesticOnly = toProviderBank(
      {
        ...base,
        id: 'fi',
        countryCode: 'FI',
        paymentMethods: { domestic: { executionTypes: ['Normal'] }, sepa: null },
      },
      ['EUR'],
    );
    expect(fiDomesticOnly.currencies).toEqual([]);
    const down = toProviderBank(
      {
        ...base,
        id: 'x',
        countryCode: 'SE',
        status: { syncMode: 'None', message: 'Down for maintenance' },
        paymentMethods: { domestic: {} },
      },
      ['SEK'],
    );
    expect(down).toMatchObject({ available: false, unavailableMessage: 'Down for maintenance', currencies: ['SEK'] });
  });

  it('lists banks from GET /v1/providers, dropping those unusable for every configured currency', async () => {
    const { adapter, calls } = adapterWith(() => jsonResponse(fixture('providers.json')));
    const banks = await adapter.listBanks!();
    expect(calls[0]).toMatchObject({ url: 'https://mc.example/v1/providers', method: 'GET' });
    expect(banks.map((b) => b.id)).toEqual(['DemoBank', 'DK_TestBank']);
  });
});

describe('create payment', () => {
  it('builds the body like the Postman request, from the session only', () => {
    const { options } = adapterWith(() => jsonResponse({}));
    const body = buildCreatePaymentBody(options, input);
    const recorded = fixture('create-payment.request.json');
    expect(Object.keys(body).sort()).toEqual(
      expect.arrayContaining(
        Object.keys(recorded)
          .filter((k) => k !== 'issuePayerToken')
          .sort(),
      ),
    );
    expect(body).toEqual({
      userHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      redirectUrl: input.returnUrl,
      providerId: 'DK_TestBank',
      request: {
        destination: { bban: { bankCode: '1234', accountNumber: '0123456789' }, name: 'Nordic Goods ApS' },
        amount: { value: '125.00', currency: 'DKK' },
        reference: 'ORDER-1001',
        transactionText: 'Two ceramic mugs',
        message: 'Two ceramic mugs',
      },
    });
    expect(JSON.stringify(body)).not.toContain(input.sessionId);
    // Same session → same user hash; another session → another.
    expect(buildCreatePaymentBody(options, input).userHash).toBe(body.userHash);
    expect(buildCreatePaymentBody(options, { ...input, sessionId: 'cs_other' }).userHash).not.toBe(body.userHash);
  });

  it('pays EUR by SEPA to the IBAN and omits providerId when the shopper picks the bank at the provider', () => {
    const { options } = adapterWith(() => jsonResponse({}));
    const body = buildCreatePaymentBody(options, {
      ...input,
      amount: { value: 999, currency: 'EUR' },
      bankId: null,
    }) as { request: Record<string, unknown>; providerId?: string };
    expect(body.providerId).toBeUndefined();
    expect(body.request).toMatchObject({
      destination: { iban: { ibanNumber: 'DK5000400440116243' } },
      amount: { value: '9.99', currency: 'EUR' },
      paymentMethod: 'SEPA',
    });
  });

  it('POSTs with credentials and a correlation id in headers only, and reads the recorded response', async () => {
    const { adapter, calls } = adapterWith(() => jsonResponse(fixture('create-payment.json')));
    const created = await adapter.createPayment(input);
    expect(created).toMatchObject({
      providerPaymentId: '20240101.6459d4k3xjor9cusbcpcjiatuw',
      redirectUrl: expect.stringMatching(/^https:\/\/auth\.nordicapigateway\.com\/start\/payment\?startToken=/),
      snapshot: { status: 'pending', providerStatus: 'Preparing' },
    });
    const call = calls[0]!;
    expect(call.url).toBe('https://mc.example/v1/payments/create');
    expect(call.method).toBe('POST');
    expect(call.headers.get('x-client-id')).toBe(CLIENT_ID);
    expect(call.headers.get('x-client-secret')).toBe(CLIENT_SECRET);
    expect(call.headers.get('content-type')).toBe('application/json');
    expect(call.headers.get('x-correlation-id')).toMatch(/^\|[a-z0-9_-]+\.$/);
    expect(call.url).not.toContain(CLIENT_SECRET);
    expect(call.body).not.toContain(CLIENT_SECRET);
    expect(call.body).not.toContain(CLIENT_ID);
  });

  it('refuses a currency without a configured account', async () => {
    const { adapter } = adapterWith(() => jsonResponse({}));
    expect(adapter.currencies).toEqual(['DKK', 'EUR']);
    await expect(adapter.createPayment({ ...input, amount: { value: 100, currency: 'SEK' } })).rejects.toMatchObject({
      code: 'invalid_state',
    });
  });

  it('refreshes with POST /v1/payments/{id}/refresh-status and maps the result', async () => {
    const payment = fixture('refresh-status.json');
    payment.payment.status = {
      terminal: true,
      code: 'Failed',
      details: { errorCode: 'InsufficientFunds', providerMessage: 'AM04', reason: 'Insufficient funds' },
      unknownField: 1,
    };
    payment.payment.providerId = 'DK_TestBank';
    const { adapter, calls } = adapterWith(() => jsonResponse(payment));
    const snapshot = await adapter.refresh('20240101.abc/def');
    expect(calls[0]).toMatchObject({
      url: 'https://mc.example/v1/payments/20240101.abc%2Fdef/refresh-status',
      method: 'POST',
      body: '{}',
    });
    expect(snapshot).toMatchObject({
      status: 'failed',
      providerStatus: 'Failed',
      bankId: 'DK_TestBank',
      failure: { code: 'insufficient_funds', providerCode: 'InsufficientFunds' },
    });
  });
});

describe('provider errors', () => {
  const cases: [string, () => Response | Promise<Response>, string][] = [
    [
      '4xx with reason',
      () =>
        jsonResponse(
          { error: 'InvalidInput', details: { reason: 'Amount is invalid', validationErrors: { Amount: ['bad'] } } },
          400,
        ),
      'provider_error',
    ],
    ['4xx without JSON', () => new Response('nope', { status: 404 }), 'provider_error'],
    [
      '401',
      () => jsonResponse({ error: 'Unauthorized', details: { reason: 'Invalid client credentials' } }, 401),
      'provider_error',
    ],
    ['429', () => jsonResponse({}, 429), 'provider_unavailable'],
    ['500', () => jsonResponse({ error: 'InternalServerError' }, 500), 'provider_unavailable'],
    ['503', () => new Response('', { status: 503 }), 'provider_unavailable'],
    ['malformed JSON', () => new Response('{"payment":', { status: 200 }), 'provider_error'],
    ['missing required field', () => jsonResponse({ payment: { paymentId: 'x' } }), 'provider_error'],
    [
      'network error',
      () => {
        throw new TypeError('fetch failed');
      },
      'provider_unavailable',
    ],
  ];
  it.each(cases)('%s → %s', async (_name, respond, code) => {
    const { adapter } = adapterWith(respond);
    const error = await adapter.refresh('p1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).code).toBe(code);
  });

  it('passes the provider’s reason on, but never the credentials it may echo', async () => {
    const { adapter } = adapterWith(() =>
      jsonResponse(
        {
          error: 'Unauthorized',
          details: { reason: `Client ${CLIENT_ID} with secret ${CLIENT_SECRET} is not allowed` },
        },
        403,
      ),
    );
    const error = (await adapter.refresh('p1').catch((e: unknown) => e)) as ProviderError;
    expect(error.message).toContain('is not allowed');
    expect(error.message).not.toContain(CLIENT_SECRET);
    expect(error.message).not.toContain(CLIENT_ID);
    expect(JSON.stringify(error.details)).not.toContain(CLIENT_SECRET);
  });

  it('times out slow calls as provider_timeout', async () => {
    // A provider that never answers; like real fetch, the fake rejects when the signal aborts.
    const signalAware = adapterWith(() => jsonResponse({}), {
      timeoutMs: 50,
      fetch: (_input, init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal!.reason));
        }),
    });
    const started = Date.now();
    const error = (await signalAware.adapter.refresh('p1').catch((e: unknown) => e)) as ProviderError;
    expect(error.code).toBe('provider_timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('makes correlation ids in the documented format', () => {
    for (let i = 0; i < 20; i++) expect(newCorrelationId()).toMatch(/^\|[a-z0-9_-]{1,126}\.$/);
  });
});
