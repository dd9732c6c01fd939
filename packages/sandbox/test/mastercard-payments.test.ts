import { describe, expect, it } from 'vitest';
import {
  PUBLIC_URL,
  paymentBody,
  postmanExample,
  postmanRequestBody,
  setup,
  shapeDiff,
  type Json,
} from './mastercard-helpers.js';

describe('Mastercard emulator: POST /v1/payments/create', () => {
  it('accepts the Postman "Create payment" body and answers with the example shape', async () => {
    const { api } = setup();
    const body = postmanRequestBody('Payments', 'Create payment');
    const res = await api.post('/v1/payments/create', body);
    expect(res.status).toBe(200);
    expect(shapeDiff(res.json, postmanExample('Payments', 'Create payment'))).toEqual([]);
    expect(res.json.paymentId).toMatch(/^20240101\.[0-9a-z]{26}$/);
    expect(res.json.sessionId).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const redirect = new URL(res.json.redirectUrl);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(`${PUBLIC_URL}/mastercard/auth/start/payment`);
    expect(redirect.searchParams.get('paymentId')).toBe(res.json.paymentId);
    expect(redirect.searchParams.get('startToken')).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect([...redirect.searchParams.keys()]).toEqual(['startToken', 'paymentId']);
  });

  it('accepts the Postman "Create session payment" body', async () => {
    const { api } = setup();
    const res = await api.post('/v1/payments/create', postmanRequestBody('Payments', 'Create session payment'));
    expect(res.status).toBe(200);
    expect(shapeDiff(res.json, postmanExample('Payments', 'Create session payment'))).toEqual([]);
  });

  it('mints a new payment id, token and session for every call', async () => {
    const { api } = setup();
    const a = await api.create();
    const b = await api.create();
    expect(a.paymentId).not.toBe(b.paymentId);
    expect(a.sessionId).not.toBe(b.sessionId);
    expect(new URL(a.redirectUrl).searchParams.get('startToken')).not.toBe(
      new URL(b.redirectUrl).searchParams.get('startToken'),
    );
  });

  it('creates with a providerId, with SEPA in EUR, with an IBAN and with every optional field', async () => {
    const { api } = setup();
    const created = await api.create(
      { providerId: 'FI_TestBank' },
      {
        destination: { iban: { ibanNumber: 'FI2112345600000785' }, name: 'Kauppa Oy', address: { city: 'Helsinki' } },
        amount: { value: '1499.5', currency: 'EUR' },
        paymentMethod: 'SEPA',
        execution: { type: 'SpecificDate', date: '2024-01-05' },
        message: 'Order A-17',
        transactionText: 'Kauppa order',
        endToEndId: 'E2E-17',
        reference: 'A-17',
        identifiers: { orderId: 'A-17' },
        sourceAccountId: 'savings',
      },
    );
    const payment = await api.payment(created.paymentId);
    expect(payment).toMatchObject({
      providerId: 'FI_TestBank',
      request: {
        sourceAccountId: 'savings',
        destination: {
          iban: { ibanNumber: 'FI2112345600000785' },
          bban: null,
          name: 'Kauppa Oy',
          address: { city: 'Helsinki' },
        },
        amount: { value: 1499.5, currency: 'EUR' },
        execution: { type: 'SpecificDate', date: '2024-01-05' },
        message: 'Order A-17',
        transactionText: 'Kauppa order',
        endToEndId: 'E2E-17',
        reference: 'A-17',
        identifiers: { orderId: 'A-17' },
        paymentMethod: 'SEPA',
      },
      execution: { type: 'SpecificDate', date: '2024-01-05', fee: 'Unknown', feeAmount: null },
      message: 'Order A-17',
      transactionText: 'Kauppa order',
      identifiers: { orderId: 'A-17' },
      status: { code: 'Preparing', terminal: false },
    });
  });

  it.each([
    ['DK_TestBank', 'DKK'],
    ['SE_TestBank', 'SEK'],
    ['NO_TestBank', 'NOK'],
    ['FI_TestBank', 'EUR'],
    ['DE_TestBank', 'EUR'],
  ])('domestic payments at %s are in %s', async (providerId, currency) => {
    const { api } = setup();
    const ok = await api.post(
      '/v1/payments/create',
      paymentBody({ providerId }, { amount: { value: '10', currency } }),
    );
    expect(ok.status).toBe(200);
    const wrong = currency === 'DKK' ? 'SEK' : 'DKK';
    const bad = await api.post(
      '/v1/payments/create',
      paymentBody({ providerId }, { amount: { value: '10', currency: wrong } }),
    );
    expect(bad.status).toBe(400);
    expect(bad.json.details.validationErrors['request.amount.currency'][0]).toContain(`must be in ${currency}`);
  });

  describe('validation errors: 400 InvalidInput, nothing stored', () => {
    const cases: [string, Record<string, unknown>, Record<string, unknown>, string, string][] = [
      [
        'amount with three decimals',
        {},
        { amount: { value: '2.001', currency: 'DKK' } },
        'request.amount.value',
        'at most two decimals',
      ],
      ['amount as a number', {}, { amount: { value: 2, currency: 'DKK' } }, 'request.amount.value', 'decimal string'],
      [
        'amount with a comma',
        {},
        { amount: { value: '2,00', currency: 'DKK' } },
        'request.amount.value',
        'decimal string',
      ],
      [
        'negative amount',
        {},
        { amount: { value: '-1.00', currency: 'DKK' } },
        'request.amount.value',
        'decimal string',
      ],
      ['zero amount', {}, { amount: { value: '0.00', currency: 'DKK' } }, 'request.amount.value', 'greater than zero'],
      [
        'lower-case currency',
        {},
        { amount: { value: '1.00', currency: 'dkk' } },
        'request.amount.currency',
        'ISO 4217',
      ],
      [
        'SEPA with DKK',
        {},
        { paymentMethod: 'SEPA', amount: { value: '1.00', currency: 'DKK' } },
        'request.amount.currency',
        'must be EUR',
      ],
      [
        'SEPA to a BBAN',
        {},
        { paymentMethod: 'SEPA', amount: { value: '1.00', currency: 'EUR' } },
        'request.destination.iban',
        'required for SEPA',
      ],
      ['relative redirectUrl', { redirectUrl: '/return' }, {}, 'redirectUrl', 'absolute http(s) URL'],
      ['javascript: redirectUrl', { redirectUrl: 'javascript:alert(1)' }, {}, 'redirectUrl', 'absolute http(s) URL'],
      ['empty userHash', { userHash: '' }, {}, 'userHash', 'must not be empty'],
      ['unknown field', { colour: 'red' }, {}, 'colour', 'is not a known field'],
      [
        'both iban and bban',
        {},
        {
          destination: {
            iban: { ibanNumber: 'DK5000400440116243' },
            bban: { bankCode: '1', accountNumber: '2' },
            name: 'X',
          },
        },
        'request.destination.iban',
        'exactly one',
      ],
      ['neither iban nor bban', {}, { destination: { name: 'X' } }, 'request.destination.iban', 'exactly one'],
      [
        'bad IBAN check digits',
        {},
        { destination: { iban: { ibanNumber: 'DK5100400440116243' }, name: 'X' } },
        'request.destination.iban.ibanNumber',
        'check digits',
      ],
      [
        'missing payee name',
        {},
        { destination: { bban: { bankCode: '1234', accountNumber: '1' } } },
        'request.destination.name',
        'is required',
      ],
      ['unknown payment method', {}, { paymentMethod: 'Card' }, 'request.paymentMethod', 'Invalid option'],
      [
        'SpecificDate without date',
        {},
        { execution: { type: 'SpecificDate' } },
        'request.execution.date',
        'is required',
      ],
      [
        'date without SpecificDate',
        {},
        { execution: { type: 'Normal', date: '2024-02-01' } },
        'request.execution.date',
        'only allowed',
      ],
      [
        'date in the past',
        {},
        { execution: { type: 'SpecificDate', date: '2023-12-31' } },
        'request.execution.date',
        'past',
      ],
      ['unknown provider', { providerId: 'DK_NoSuchBank' }, {}, 'providerId', 'not a known provider'],
      [
        'International (not offered)',
        {},
        { paymentMethod: 'International' },
        'request.paymentMethod',
        'no provider takes',
      ],
      ['USD', {}, { amount: { value: '1.00', currency: 'USD' } }, 'request.amount.currency', 'no provider takes'],
      [
        'Instant at a bank without it',
        { providerId: 'DK_Havnebanken' },
        { execution: { type: 'Instant' } },
        'request.execution.type',
        'does not offer Instant',
      ],
      [
        'SEPA at a bank without it',
        { providerId: 'DK_TestBank' },
        {
          paymentMethod: 'SEPA',
          destination: { iban: { ibanNumber: 'DK5000400440116243' }, name: 'X' },
          amount: { value: '1.00', currency: 'EUR' },
        },
        'request.paymentMethod',
        'does not offer SEPA',
      ],
      ['payer token', { payerToken: 'abc' }, {}, 'payerToken', 'not supported'],
    ];

    it.each(cases)('%s', async (_label, overrides, request, field, message) => {
      const { api, sandbox } = setup();
      const res = await api.post('/v1/payments/create', paymentBody(overrides, request));
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('InvalidInput');
      expect(typeof res.json.details.reason).toBe('string');
      expect(Object.keys(res.json.details.validationErrors)).toContain(field);
      expect(res.json.details.validationErrors[field].join(' ')).toContain(message);
      expect(sandbox.controls.mastercard.listPayments()).toEqual([]);
    });

    it('reports every missing required field at once', async () => {
      const { api } = setup();
      const res = await api.post('/v1/payments/create', { request: { destination: {}, amount: {} } });
      expect(res.status).toBe(400);
      expect(res.json.details.validationErrors).toMatchObject({
        userHash: ['is required'],
        redirectUrl: ['is required'],
        'request.destination.name': ['is required'],
        'request.amount.value': ['is required'],
        'request.amount.currency': ['is required'],
      });
    });

    it('refuses malformed JSON, a non-JSON content type and a huge body', async () => {
      const { api } = setup();
      const malformed = await api.post('/v1/payments/create', '{"userHash": ');
      expect(malformed.status).toBe(400);
      expect(malformed.json).toEqual({
        error: 'InvalidInput',
        details: {
          reason: 'The request body is not valid JSON',
          validationErrors: { '(body)': ['must be a JSON object'] },
        },
      });
      const text = await api.post('/v1/payments/create', 'userHash=x', { 'Content-Type': 'text/plain' });
      expect(text.status).toBe(415);
      expect(text.json.error).toBe('UnsupportedMediaType');
      const huge = await api.post('/v1/payments/create', paymentBody({ userHash: 'x'.repeat(70_000) }));
      expect(huge.status).toBe(413);
      expect(huge.json.error).toBe('PayloadTooLarge');
    });
  });

  it('refuses an unavailable bank with ProviderUnavailable', async () => {
    const { api, sandbox } = setup();
    for (const providerId of ['DK_Kystsparekassen', 'SE_Dalasparbank']) {
      const currency = providerId.startsWith('DK') ? 'DKK' : 'SEK';
      const res = await api.post(
        '/v1/payments/create',
        paymentBody({ providerId }, { amount: { value: '1', currency } }),
      );
      expect(res.status).toBe(400);
      expect(res.json).toEqual({
        error: 'ProviderUnavailable',
        details: { reason: `${providerId} is unavailable: Temporarily unavailable`, providerId },
      });
    }
    expect(sandbox.controls.mastercard.listPayments()).toEqual([]);
  });
});

describe('Mastercard emulator: GET /v1/payments/{id} and refresh-status', () => {
  it('returns the stored payment with the shape of the Postman examples', async () => {
    const { api } = setup();
    const { paymentId } = await api.create();
    for (const [name, res] of [
      ['Get single payment', await api.get(`/v1/payments/${paymentId}`)],
      ['Refresh payment status', await api.post(`/v1/payments/${paymentId}/refresh-status`)],
    ] as const) {
      expect(res.status).toBe(200);
      const example = postmanExample('Payments', name);
      expect(shapeDiff(res.json, example)).toEqual([]);
      // Beyond the shape: the exact values of the example, where they do not depend on time or randomness.
      const { payment } = res.json;
      const expected = example.payment;
      expect(payment.request).toEqual({ ...expected.request, amount: { value: 2, currency: 'DKK' } });
      expect(payment.execution).toEqual(expected.execution);
      expect(payment.status).toEqual({ ...expected.status, lastUpdated: '2024-01-01T09:00:00.0000000+00:00' });
      expect(payment).toMatchObject({
        paymentId,
        userHash: 'aiia-postman-demo',
        providerId: null,
        providerPaymentId: null,
        state: 'Preparing',
        created: '2024-01-01T09:00:00.0000000+00:00',
        source: null,
        message: null,
        transactionText: null,
        identifiers: {},
      });
    }
  });

  it('refresh-status accepts an empty body too', async () => {
    const { api, sandbox } = setup();
    const { paymentId } = await api.create();
    const res = await sandbox.request(`/mastercard/v1/payments/${paymentId}/refresh-status`, {
      method: 'POST',
      headers: { 'X-Client-ID': 'sandbox-client-id', 'X-Client-Secret': 'sandbox-client-secret' },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).payment.paymentId).toBe(paymentId);
  });

  it('answers 404 PaymentNotFound for unknown payments and for other clients’ payments', async () => {
    const { sandbox } = setup({
      mastercard: {
        clients: [
          { clientId: 'shop-a', clientSecret: 'secret-a' },
          { clientId: 'shop-b', clientSecret: 'secret-b' },
        ],
      },
    });
    const as = (id: string) => ({
      'X-Client-ID': id,
      'X-Client-Secret': `secret-${id.slice(-1)}`,
      'Content-Type': 'application/json',
    });
    const created = await sandbox.request('/mastercard/v1/payments/create', {
      method: 'POST',
      headers: as('shop-a'),
      body: JSON.stringify(paymentBody()),
    });
    const { paymentId } = (await created.json()) as { paymentId: string };
    expect((await sandbox.request(`/mastercard/v1/payments/${paymentId}`, { headers: as('shop-a') })).status).toBe(200);
    for (const path of [`/mastercard/v1/payments/${paymentId}`, '/mastercard/v1/payments/20240101.nothere']) {
      const res = await sandbox.request(path, { headers: as('shop-b') });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'PaymentNotFound', details: { reason: 'No payment with this id' } });
    }
    const refresh = await sandbox.request(`/mastercard/v1/payments/${paymentId}/refresh-status`, {
      method: 'POST',
      headers: as('shop-b'),
    });
    expect(refresh.status).toBe(404);
  });
});

describe('Mastercard emulator: GET /v1/payments?from&to', () => {
  it('lists payments created in the window, with the shape of the Postman example', async () => {
    const { api, clock } = setup();
    const first = await api.create();
    clock.advance(60 * 60 * 1000);
    const second = await api.create();
    const all = await api.get('/v1/payments?from=2024-01-01T00:00:00Z&to=2024-01-01T23:59:59Z');
    expect(all.status).toBe(200);
    expect(shapeDiff(all.json, postmanExample('Payments', 'Get payments'))).toEqual([]);
    expect(all.json.payments.map((p: Json) => p.paymentId)).toEqual([first.paymentId, second.paymentId]);
    expect(all.json.pagingToken).toBeNull();

    const onlyFirst = await api.get('/v1/payments?from=2024-01-01T08:00:00Z&to=2024-01-01T09:30:00%2B00:00');
    expect(onlyFirst.json.payments.map((p: Json) => p.paymentId)).toEqual([first.paymentId]);
  });

  it('pages with an opaque pagingToken', async () => {
    const { api } = setup({ mastercard: { listPageSize: 2 } });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await api.create()).paymentId);
    const window = 'from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z';
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const res = await api.get(`/v1/payments?${window}${token ? `&pagingToken=${encodeURIComponent(token)}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.json.payments.map((p: Json) => p.paymentId));
      token = res.json.pagingToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);

    const first = await api.get(`/v1/payments?${window}`);
    const otherWindow = await api.get(
      `/v1/payments?from=2024-01-01T00:00:01Z&to=2024-01-02T00:00:00Z&pagingToken=${first.json.pagingToken}`,
    );
    expect(otherWindow.status).toBe(400);
    expect(otherWindow.json.details.validationErrors.pagingToken).toBeDefined();
  });

  it('requires ISO date-times for from and to', async () => {
    const { api } = setup();
    const missing = await api.get('/v1/payments');
    expect(missing.status).toBe(400);
    expect(missing.json.details.validationErrors).toEqual({ from: ['is required'], to: ['is required'] });
    const bad = await api.get('/v1/payments?from=yesterday&to=2024-01-01');
    expect(Object.keys(bad.json.details.validationErrors)).toEqual(['from', 'to']);
    const reversed = await api.get('/v1/payments?from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z');
    expect(reversed.json.details.validationErrors).toEqual({ to: ['must not be before from'] });
  });
});
