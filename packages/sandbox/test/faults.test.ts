/**
 * The network and payload faults of both emulators (shared/faults.ts): Retry-After on 429/5xx,
 * truncated bodies, missing fields, connection resets (before and after processing; in-process
 * through inProcessFetch and for real on a port) and hangs, each limited by path prefix and count,
 * over HTTP and programmatically.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, inProcessFetch, startSandboxServer, type RunningSandbox, type Sandbox } from '../src/index.js';

const ORIGIN = 'http://sandbox.test';
const MC_AUTH = { 'X-Client-ID': 'sandbox-client-id', 'X-Client-Secret': 'sandbox-client-secret' };
const VIPPS_KEYS = {
  client_id: 'sandbox-vipps-client-id',
  client_secret: 'sandbox-vipps-client-secret',
  'Ocp-Apim-Subscription-Key': 'sandbox-vipps-subscription-key',
  'Merchant-Serial-Number': '123456',
};

const createBody = (reference = 'ORDER-1') => ({
  userHash: 'u1',
  redirectUrl: 'https://shop.test/return',
  providerId: 'DK_TestBank',
  request: {
    destination: { bban: { bankCode: '1234', accountNumber: '0123456789' }, name: 'Shop' },
    amount: { value: '10.00', currency: 'DKK' },
    reference,
  },
});

const epaymentBody = (reference: string) => ({
  amount: { currency: 'NOK', value: 49900 },
  paymentMethod: { type: 'WALLET' },
  reference,
  userFlow: 'WEB_REDIRECT',
  returnUrl: 'https://shop.test/return',
  paymentDescription: 'Socks',
});

/** A client of one sandbox, through any fetch (in-process or over a port). */
function clientOf(fetchImpl: typeof fetch, base: string) {
  const mc = (method: string, path: string, body?: unknown, init: RequestInit = {}) =>
    fetchImpl(`${base}/mastercard${path}`, {
      method,
      headers: { ...MC_AUTH, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...init,
    });
  let token: string | null = null;
  const vipps = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    if (!token) {
      const answer = await fetchImpl(`${base}/vipps/accesstoken/get`, { method: 'POST', headers: VIPPS_KEYS });
      token = ((await answer.json()) as { access_token: string }).access_token;
    }
    return fetchImpl(`${base}/vipps${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        'Ocp-Apim-Subscription-Key': VIPPS_KEYS['Ocp-Apim-Subscription-Key'],
        'Merchant-Serial-Number': '123456',
        'Content-Type': 'application/json',
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  };
  const control = (provider: 'mastercard' | 'vipps', method: string, path: string, body?: unknown) =>
    fetchImpl(`${base}/__sandbox/${provider}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return { mc, vipps, control };
}

function inProcess(): { sandbox: Sandbox; client: ReturnType<typeof clientOf> } {
  const sandbox = createSandbox({ publicUrl: ORIGIN });
  return { sandbox, client: clientOf(inProcessFetch(sandbox.fetch), ORIGIN) };
}

const notJson = (text: string) => {
  expect(() => JSON.parse(text)).toThrow();
};

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('status faults: Retry-After is configurable', () => {
  it('Mastercard: 503 with Retry-After 7, 429 defaults to 1, 502 has none', async () => {
    const { sandbox, client } = inProcess();
    sandbox.controls.mastercard.injectFaults({ kind: 'status', status: 503, retryAfterSeconds: 7 });
    sandbox.controls.mastercard.injectFaults({ kind: 'status', status: 429 });
    sandbox.controls.mastercard.injectFaults({ kind: 'status', status: 502 });
    const first = await client.mc('GET', '/v1/providers');
    expect([first.status, first.headers.get('retry-after')]).toEqual([503, '7']);
    const second = await client.mc('GET', '/v1/providers');
    expect([second.status, second.headers.get('retry-after')]).toEqual([429, '1']);
    const third = await client.mc('GET', '/v1/providers');
    expect([third.status, third.headers.get('retry-after')]).toEqual([502, null]);
    expect((await client.mc('GET', '/v1/providers')).status).toBe(200);
  });

  it('Vipps over HTTP: 429 with retryAfter 0 on one path only, in that API’s format', async () => {
    const { client } = inProcess();
    const injected = await client.control('vipps', 'POST', '/faults', {
      status: 429,
      retryAfter: 0,
      pathPrefix: '/epayment/v1/payments',
      count: 2,
    });
    expect(injected.status).toBe(204);
    expect((await client.vipps('GET', '/webhooks/v1/webhooks')).status).toBe(200); // other path: untouched
    const limited = await client.vipps('GET', '/epayment/v1/payments/ref-00000001');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('0');
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect((await client.vipps('GET', '/epayment/v1/payments/ref-00000001')).status).toBe(429);
    expect((await client.vipps('GET', '/epayment/v1/payments/ref-00000001')).status).toBe(404); // faults used up
  });
});

describe('payload faults', () => {
  it('truncated: the call is processed, its JSON answer cut in the middle', async () => {
    const { sandbox, client } = inProcess();
    sandbox.controls.mastercard.injectFaults({ kind: 'truncated', pathPrefix: '/v1/payments/create' });
    const response = await client.mc('POST', '/v1/payments/create', createBody());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const text = await response.text();
    notJson(text);
    expect(text.startsWith('{"')).toBe(true);
    const [payment] = sandbox.controls.mastercard.listPayments();
    expect(payment).toBeDefined(); // processed: the payment exists
    expect(text).toContain('"redirectUrl":"http'); // a real prefix of the real answer
  });

  it('missing fields: Mastercard default drops paymentId and status; an explicit list drops those keys', async () => {
    const { sandbox, client } = inProcess();
    const created = (await (await client.mc('POST', '/v1/payments/create', createBody())).json()) as {
      paymentId: string;
    };
    sandbox.controls.mastercard.injectFaults({ kind: 'missing-fields' });
    const refreshed = (await (
      await client.mc('POST', `/v1/payments/${created.paymentId}/refresh-status`, {})
    ).json()) as { payment: Record<string, unknown> };
    expect(refreshed.payment).not.toHaveProperty('paymentId');
    expect(refreshed.payment).not.toHaveProperty('status');
    expect(refreshed.payment).toHaveProperty('request');

    expect((await client.control('mastercard', 'POST', '/faults', { missingFields: ['redirectUrl'] })).status).toBe(
      200,
    );
    const second = (await (await client.mc('POST', '/v1/payments/create', createBody('ORDER-2'))).json()) as Record<
      string,
      unknown
    >;
    expect(Object.keys(second).sort()).toEqual(['paymentId', 'sessionId']);
  });

  it('missing fields and truncation leave error answers alone (but are used up)', async () => {
    const { sandbox, client } = inProcess();
    sandbox.controls.mastercard.injectFaults({ kind: 'truncated' });
    const missing = await client.mc('GET', '/v1/payments/20240101.doesnotexist');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toBe('PaymentNotFound');
    expect(sandbox.controls.mastercard.getSettings().pendingFaults).toBe(0);
  });

  it('Vipps: missing fields on an ePayment GET, a truncated eCom details, and a token without access_token', async () => {
    const { sandbox, client } = inProcess();
    const vipps = sandbox.controls.vipps!;
    const created = await client.vipps('POST', '/epayment/v1/payments', epaymentBody('ref-missing-1'), {
      'Idempotency-Key': 'k1',
    });
    expect(created.status).toBe(201);
    vipps.injectFaults({ kind: 'missing-fields', pathPrefix: '/epayment/' });
    const payment = (await (await client.vipps('GET', '/epayment/v1/payments/ref-missing-1')).json()) as Record<
      string,
      unknown
    >;
    expect(payment).not.toHaveProperty('reference');
    expect(payment).not.toHaveProperty('state');
    expect(payment).toHaveProperty('aggregate');

    vipps.injectFaults({ kind: 'truncated', pathPrefix: '/epayment/v1/payments/ref-missing-1' });
    const cut = await client.vipps('GET', '/epayment/v1/payments/ref-missing-1');
    expect(cut.status).toBe(200);
    notJson(await cut.text());

    vipps.injectFaults({ kind: 'missing-fields', pathPrefix: '/accesstoken/' });
    const token = (await (
      await fetchIn(sandbox)(`${ORIGIN}/vipps/accesstoken/get`, { method: 'POST', headers: VIPPS_KEYS })
    ).json()) as Record<string, unknown>;
    expect(token).not.toHaveProperty('access_token');
    expect(token).toHaveProperty('token_type', 'Bearer');
    // Processed calls are counted by their route, once.
    expect(vipps.stats().byRoute['GET /epayment/v1/payments/{reference}']).toBe(2);
  });
});

const fetchIn = (sandbox: Sandbox) => inProcessFetch(sandbox.fetch);

describe('connection reset and hang (in-process)', () => {
  it('reset before processing: a network error, nothing created', async () => {
    const { sandbox, client } = inProcess();
    sandbox.controls.mastercard.injectFaults({ kind: 'reset', pathPrefix: '/v1/payments/create' });
    const error = await failure(client.mc('POST', '/v1/payments/create', createBody()));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('fetch failed');
    expect(sandbox.controls.mastercard.listPayments()).toHaveLength(0);
    // A plain app.fetch caller sees the marked stand-in instead of an answer it could use.
    sandbox.controls.mastercard.injectFaults({ kind: 'reset' });
    const raw = await sandbox.request('/mastercard/v1/providers', { headers: MC_AUTH });
    expect(raw.status).toBe(502);
    expect(raw.headers.get('x-pwb-sandbox-fault')).toBe('connection-reset');
  });

  it('reset after processing: the answer is lost, the payment exists', async () => {
    const { sandbox, client } = inProcess();
    expect(
      (await client.control('mastercard', 'POST', '/faults', { reset: true, afterProcessing: true, count: 1 })).status,
    ).toBe(200);
    await expect(client.mc('POST', '/v1/payments/create', createBody())).rejects.toThrow('fetch failed');
    expect(sandbox.controls.mastercard.listPayments()).toHaveLength(1);
  });

  it('ePayment: a create whose answer was lost, sent again with its Idempotency-Key, is one payment', async () => {
    const { sandbox, client } = inProcess();
    const vipps = sandbox.controls.vipps!;
    vipps.injectFaults({ kind: 'reset', afterProcessing: true, pathPrefix: '/epayment/v1/payments' });
    const body = epaymentBody('ref-reset-0001');
    await expect(client.vipps('POST', '/epayment/v1/payments', body, { 'Idempotency-Key': 'same' })).rejects.toThrow(
      'fetch failed',
    );
    const retried = await client.vipps('POST', '/epayment/v1/payments', body, { 'Idempotency-Key': 'same' });
    expect(retried.status).toBe(201);
    expect(((await retried.json()) as { reference: string }).reference).toBe('ref-reset-0001');
    const inspection = vipps.inspect('ref-reset-0001');
    expect(inspection?.kind).toBe('epayment');
    expect(vipps.stats().byRoute['POST /epayment/v1/payments']).toBe(2);
    // A different key for the same reference is refused: there is exactly one payment with it.
    const other = await client.vipps('POST', '/epayment/v1/payments', body, { 'Idempotency-Key': 'other' });
    expect(other.status).toBe(409);
  });

  it('hang: held past the client’s timeout (TimeoutError), then processed; only the next N matching calls', async () => {
    const { sandbox, client } = inProcess();
    sandbox.controls.mastercard.injectFaults({ kind: 'hang', ms: 250, pathPrefix: '/v1/payments/create' }, 2);
    expect((await client.mc('GET', '/v1/providers')).status).toBe(200); // not matching: immediate
    const started = Date.now();
    const error = await failure(
      client.mc('POST', '/v1/payments/create', createBody(), { signal: AbortSignal.timeout(60) }),
    );
    expect(error.name).toBe('TimeoutError');
    expect(Date.now() - started).toBeLessThan(240);
    expect(sandbox.controls.mastercard.listPayments()).toHaveLength(0);
    // Without a timeout the second hung call answers late, and the first one was processed meanwhile.
    const slow = await client.mc('POST', '/v1/payments/create', createBody('ORDER-2'));
    expect(slow.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(sandbox.controls.mastercard.listPayments()).toHaveLength(2);
    expect(sandbox.controls.mastercard.getSettings().pendingFaults).toBe(0);
  });

  it('Vipps hang runs on real time even with a manual sandbox clock', async () => {
    const { sandbox, client } = inProcess();
    const vipps = sandbox.controls.vipps!;
    await client.vipps('GET', '/webhooks/v1/webhooks'); // token first
    expect((await client.control('vipps', 'POST', '/faults', { hangMs: 120, pathPrefix: '/webhooks/' })).status).toBe(
      204,
    );
    const started = Date.now();
    expect((await client.vipps('GET', '/webhooks/v1/webhooks')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(vipps.stats().byRoute['GET /webhooks/v1/webhooks']).toBe(2);
  });
});

describe('fault controls validate their input', () => {
  it.each([
    ['two effects', { status: 500, truncated: true }],
    ['no effect', { count: 2 }],
    ['retryAfter without status', { reset: true, retryAfter: 3 }],
    ['afterProcessing without reset', { truncated: true, afterProcessing: true }],
    ['hang of 0 ms', { hangMs: 0 }],
    ['status 418', { status: 418 }],
    ['missingFields empty', { missingFields: [] }],
    ['unknown key', { reset: true, socket: 'x' }],
  ])('%s → 400 from both emulators', async (_name, body) => {
    const { sandbox, client } = inProcess();
    expect((await client.control('mastercard', 'POST', '/faults', body)).status).toBe(400);
    expect((await client.control('vipps', 'POST', '/faults', body)).status).toBe(400);
    expect(sandbox.controls.mastercard.getSettings().pendingFaults).toBe(0);
  });

  it('programmatic input is checked the same way', () => {
    const { sandbox } = inProcess();
    expect(() => sandbox.controls.mastercard.injectFaults({ kind: 'hang', ms: -1 })).toThrow();
    expect(() => sandbox.controls.mastercard.injectFaults({ kind: 'reset', pathPrefix: '/payments' })).toThrow();
    expect(() => sandbox.controls.vipps!.injectFaults({ kind: 'missing-fields', fields: [] })).toThrow();
    expect(() => sandbox.controls.vipps!.injectFaults({ kind: 'truncated' }, 0)).toThrow();
    expect(sandbox.controls.mastercard.getSettings().pendingFaults).toBe(0);
  });
});

describe('on a real port (startSandboxServer)', () => {
  let running: RunningSandbox | null = null;
  afterEach(async () => {
    await running?.close();
    running = null;
  });

  it('a reset destroys the socket: the client sees a network error, the sandbox keeps serving', async () => {
    running = await startSandboxServer({ port: 0 });
    const client = clientOf(fetch, running.url);
    expect((await client.control('mastercard', 'POST', '/faults', { reset: true })).status).toBe(200);
    const error = await failure(client.mc('GET', '/v1/providers'));
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error.cause as { code?: string } | undefined)?.code)).toMatch(/UND_ERR_SOCKET|ECONNRESET/);
    expect((await client.mc('GET', '/v1/providers')).status).toBe(200);
  });

  it('a reset after processing loses a real create’s answer; the payment exists (Mastercard and Vipps)', async () => {
    running = await startSandboxServer({ port: 0 });
    const client = clientOf(fetch, running.url);
    await client.control('mastercard', 'POST', '/faults', { reset: true, afterProcessing: true });
    await expect(client.mc('POST', '/v1/payments/create', createBody())).rejects.toThrow('fetch failed');
    const list = (await (await client.control('mastercard', 'GET', '/payments')).json()) as { payments: unknown[] };
    expect(list.payments).toHaveLength(1);

    await client.vipps('GET', '/webhooks/v1/webhooks'); // token first
    await client.control('vipps', 'POST', '/faults', {
      reset: true,
      afterProcessing: true,
      pathPrefix: '/epayment/v1/payments',
    });
    const body = epaymentBody('ref-port-0001');
    await expect(client.vipps('POST', '/epayment/v1/payments', body, { 'Idempotency-Key': 'port' })).rejects.toThrow(
      'fetch failed',
    );
    expect((await client.control('vipps', 'GET', '/payments/ref-port-0001')).status).toBe(200);
  });

  it('a hang longer than the client’s timeout aborts the client, not the server', async () => {
    running = await startSandboxServer({ port: 0 });
    const client = clientOf(fetch, running.url);
    await client.control('mastercard', 'POST', '/faults', { hangMs: 400 });
    const error = await failure(client.mc('GET', '/v1/providers', undefined, { signal: AbortSignal.timeout(80) }));
    expect(error.name).toBe('TimeoutError');
    expect((await client.mc('GET', '/v1/providers')).status).toBe(200);
  });
});
