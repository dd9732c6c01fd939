import { describe, expect, it } from 'vitest';
import { SANDBOX_BANKS, createSandbox } from '../src/index.js';
import { AUTH, PUBLIC_URL, postmanExample, setup, shapeDiff, type Json } from './mastercard-helpers.js';

describe('Mastercard emulator: authentication', () => {
  const endpoints: [string, string][] = [
    ['GET', '/v1/providers'],
    ['GET', '/v1/providers/groups'],
    ['GET', '/v1/providers/DK_TestBank'],
    ['GET', '/v1/providers/DK_TestBank/payment-methods'],
    ['POST', '/v1/payments/create'],
    ['GET', '/v1/payments?from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z'],
    ['GET', '/v1/payments/20240101.abc'],
    ['POST', '/v1/payments/20240101.abc/refresh-status'],
  ];

  it.each(endpoints)('%s %s without credentials answers 401 in the provider error shape', async (method, path) => {
    const { sandbox } = setup();
    const res = await sandbox.request(`/mastercard${path}`, { method });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: 'Unauthorized',
      details: { reason: 'Missing X-Client-ID or X-Client-Secret header' },
    });
  });

  it('rejects a wrong secret, a wrong id and an empty secret without echoing them', async () => {
    const { api } = setup();
    for (const headers of [
      { 'X-Client-Secret': 'wrong-secret-value' } as Record<string, string>,
      { 'X-Client-ID': 'someone-else' },
      { 'X-Client-Secret': '' },
    ]) {
      const res = await api.get('/v1/providers', headers);
      expect(res.status).toBe(401);
      expect(res.json.error).toBe('Unauthorized');
      expect(res.text).not.toContain('wrong-secret-value');
      expect(res.text).not.toContain('sandbox-client-secret');
    }
  });

  it('accepts configured clients and refuses the default ones then', async () => {
    const { sandbox } = setup({ mastercard: { clients: [{ clientId: 'shop-a', clientSecret: 's3cret-a' }] } });
    const ok = await sandbox.request('/mastercard/v1/providers', {
      headers: { 'X-Client-ID': 'shop-a', 'X-Client-Secret': 's3cret-a' },
    });
    expect(ok.status).toBe(200);
    const old = await sandbox.request('/mastercard/v1/providers', { headers: AUTH });
    expect(old.status).toBe(401);
  });

  it('header names are case-insensitive', async () => {
    const { sandbox } = setup();
    const res = await sandbox.request('/mastercard/v1/providers', {
      headers: { 'x-client-id': 'sandbox-client-id', 'x-client-secret': 'sandbox-client-secret' },
    });
    expect(res.status).toBe(200);
  });
});

describe('Mastercard emulator: X-Correlation-Id', () => {
  it('echoes a valid correlation id on success and on errors', async () => {
    const { api, sandbox } = setup();
    const id = '|0a1b2c3d-request_7.';
    const ok = await api.get('/v1/providers', { 'X-Correlation-Id': id });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('X-Correlation-Id')).toBe(id);

    const missing = await api.get('/v1/payments/20240101.unknown', { 'X-Correlation-Id': id });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('X-Correlation-Id')).toBe(id);

    const unauthenticated = await sandbox.request('/mastercard/v1/providers', { headers: { 'X-Correlation-Id': id } });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('X-Correlation-Id')).toBe(id);
  });

  it('sends no correlation id back when none was given', async () => {
    const { api } = setup();
    const res = await api.get('/v1/providers');
    expect(res.headers.get('X-Correlation-Id')).toBeNull();
  });

  it.each([
    ['no leading pipe', 'abc.'],
    ['no trailing dot', '|abc'],
    ['upper case', '|ABC.'],
    ['a space', '|ab c.'],
    ['only the delimiters', '|.'],
    ['129 characters', `|${'a'.repeat(127)}.`],
  ])('rejects a correlation id with %s', async (_label, value) => {
    const { api } = setup();
    const res = await api.get('/v1/providers', { 'X-Correlation-Id': value });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('InvalidInput');
    expect(res.json.details.validationErrors['X-Correlation-Id']).toHaveLength(1);
    expect(res.headers.get('X-Correlation-Id')).toBeNull();
  });

  it('accepts the longest allowed correlation id (128 characters)', async () => {
    const { api } = setup();
    const id = `|${'a'.repeat(126)}.`;
    expect(id).toHaveLength(128);
    const res = await api.get('/v1/providers', { 'X-Correlation-Id': id });
    expect(res.status).toBe(200);
  });
});

describe('Mastercard emulator: providers', () => {
  it('lists banks in DK, SE, NO, FI and DE, each with a test, fail, slow and unavailable bank', async () => {
    const { api } = setup();
    const res = await api.get('/v1/providers');
    expect(res.status).toBe(200);
    const providers = res.json as Json[];
    expect(providers).toHaveLength(SANDBOX_BANKS.length);
    for (const country of ['DK', 'SE', 'NO', 'FI', 'DE']) {
      const ids = providers.filter((p) => p.countryCode === country).map((p) => p.id);
      expect(ids).toEqual(
        expect.arrayContaining([`${country}_TestBank`, `${country}_FailBank`, `${country}_SlowBank`]),
      );
      const unavailable = providers.filter((p) => p.countryCode === country && p.status.syncMode === 'None');
      expect(unavailable.length).toBeGreaterThanOrEqual(1);
      expect(unavailable[0].status.message).toBe('Temporarily unavailable');
      const colors = providers.filter((p) => p.countryCode === country && !p.id.match(/_(Test|Fail|Slow)Bank$/));
      expect(new Set(colors.map((p) => p.presentation.color)).size).toBe(colors.length);
    }
    expect(new Set(providers.map((p) => p.id)).size).toBe(providers.length);
  });

  it('has the shape of the Postman "List all providers" example, field for field', async () => {
    const { api } = setup();
    const example = postmanExample('Providers', 'List all providers');
    const res = await api.get('/v1/providers');
    expect(shapeDiff(res.json, example)).toEqual([]);
    const testBank = res.json.find((p: Json) => p.id === 'DK_TestBank');
    const exampleTestBank = example.find((p: Json) => p.id === 'DK_TestBank');
    // Same values where the example is about the same bank (except logos, served by the sandbox).
    expect({ ...testBank, presentation: undefined, status: { ...testBank.status, updated: undefined } }).toMatchObject({
      id: exampleTestBank.id,
      name: exampleTestBank.name,
      countryCode: 'DK',
      status: { syncMode: 'Full', tryAgain: null, message: null },
      audiences: exampleTestBank.audiences,
      paymentAuthorization: exampleTestBank.paymentAuthorization,
      paymentReconciliation: exampleTestBank.paymentReconciliation,
    });
    expect(testBank.presentation.color).toBe(exampleTestBank.presentation.color);
    expect(testBank.presentation.priority).toBe(exampleTestBank.presentation.priority);
    expect(testBank.status.updated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
  });

  it('points logos at the sandbox itself, and serves them', async () => {
    const { api, sandbox } = setup();
    const provider = (await api.get('/v1/providers/SE_Skargardsbanken')).json;
    expect(provider.presentation.logos.large.svg).toBe(`${PUBLIC_URL}/mastercard/logos/SE_Skargardsbanken.svg`);
    expect(provider.presentation.logos.large.png).toBe(`${PUBLIC_URL}/mastercard/logos/SE_Skargardsbanken.png`);

    const svg = await sandbox.request(provider.presentation.logos.large.svg.slice(PUBLIC_URL.length));
    expect(svg.status).toBe(200);
    expect(svg.headers.get('Content-Type')).toBe('image/svg+xml');
    const text = await svg.text();
    expect(text).toContain('<svg');
    expect(text).toContain(provider.presentation.color);
    expect(text).toContain('>SK</text>');

    for (const url of [provider.presentation.logos.large.png, provider.presentation.logos.round.png]) {
      const png = await sandbox.request(url.slice(PUBLIC_URL.length));
      expect(png.status).toBe(200);
      expect(png.headers.get('Content-Type')).toBe('image/png');
      const bytes = new Uint8Array(await png.arrayBuffer());
      expect([...bytes.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    }
    expect((await sandbox.request('/mastercard/logos/XX_Nope.svg')).status).toBe(404);
  });

  it('uses the request origin for logos when no public URL is configured', async () => {
    const sandbox = createSandbox();
    const res = await sandbox.request('http://other.host:9999/mastercard/v1/providers/DK_TestBank', { headers: AUTH });
    expect(((await res.json()) as Json).presentation.logos.large.svg).toBe(
      'http://other.host:9999/mastercard/logos/DK_TestBank.svg',
    );
  });

  it('GET /v1/providers/{id} has the shape of the Postman "Get a particular provider" example', async () => {
    const { api } = setup();
    const res = await api.get('/v1/providers/DK_TestBank');
    expect(res.status).toBe(200);
    expect(shapeDiff(res.json, postmanExample('Providers', 'Get a particular provider'))).toEqual([]);
    expect(res.json.id).toBe('DK_TestBank');
  });

  it('expresses an unavailable bank in its status object', async () => {
    const { api } = setup();
    const res = await api.get('/v1/providers/DK_Kystsparekassen');
    expect(res.json.status).toMatchObject({ syncMode: 'None', message: 'Temporarily unavailable', tryAgain: null });
  });

  it('answers 404 for an unknown provider', async () => {
    const { api } = setup();
    for (const path of ['/v1/providers/XX_Unknown', '/v1/providers/XX_Unknown/payment-methods']) {
      const res = await api.get(path);
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ error: 'ProviderNotFound', details: { reason: 'No provider with this id' } });
    }
  });

  it('payment methods: domestic for local currency banks, plus SEPA in FI/DE (and Nordbank)', async () => {
    const { api } = setup();
    const dk = await api.get('/v1/providers/DK_TestBank/payment-methods');
    expect(dk.status).toBe(200);
    expect(shapeDiff(dk.json, postmanExample('Providers', "Get a provider's payment methods"))).toEqual([]);
    expect(dk.json).toEqual({
      domestic: { executionTypes: ['Normal', 'Instant', 'SpecificDate'], properties: null, rules: null },
    });

    const fi = await api.get('/v1/providers/FI_TestBank/payment-methods');
    expect(Object.keys(fi.json)).toEqual(['domestic', 'sepa']);
    const nordbank = (await api.get('/v1/providers/DK_Nordbank')).json;
    expect(nordbank.paymentMethods.sepa).toEqual({ executionTypes: ['Normal', 'Instant', 'SpecificDate'] });
    const havne = (await api.get('/v1/providers/DK_Havnebanken')).json;
    expect(havne.paymentMethods).toEqual({
      domestic: { executionTypes: ['Normal', 'SpecificDate'] },
      international: null,
      inpaymentForm: null,
      sepa: null,
    });
  });

  it('groups banks by brand with the shape of the Postman "List all providers groups" example', async () => {
    const { api } = setup();
    const res = await api.get('/v1/providers/groups');
    expect(res.status).toBe(200);
    expect(shapeDiff(res.json, postmanExample('Providers', 'List all providers groups'))).toEqual([]);
    const testBank = res.json.find((g: Json) => g.groupName === 'Test Bank');
    expect(testBank.countryCodes).toEqual(['DK', 'SE', 'NO', 'FI', 'DE']);
    expect(testBank.products.map((p: Json) => p.provider.id)).toContain('FI_TestBank');
    const fi = testBank.products.find((p: Json) => p.provider.id === 'FI_TestBank');
    expect(fi.provider.paymentMethods.map((m: Json) => m.id)).toEqual(['Domestic', 'SEPA']);
    const nordbank = res.json.find((g: Json) => g.groupName === 'Nordbank');
    expect(nordbank.countryCodes).toEqual(['DK', 'SE', 'NO', 'FI']);
  });
});

describe('Mastercard emulator: unknown routes', () => {
  it('answers JSON 404 for unknown paths (after authentication under /v1)', async () => {
    const { api, sandbox } = setup();
    const res = await api.get('/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.json.error).toBe('NotFound');
    const root = await sandbox.request('/nope');
    expect(root.status).toBe(404);
  });
});
