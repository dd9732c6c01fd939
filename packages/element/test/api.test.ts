import { expect } from '@open-wc/testing';
import { ApiClient, ApiError } from '../src/api.js';
import { FakeServer, SERVER, TOKEN, apiError, json, makePayment, makeSession } from './helpers.js';

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected a rejection');
}

describe('api client', () => {
  let server: FakeServer;
  afterEach(() => server.restore());

  it('sends the bearer token and no cookies, and joins a server URL with a base path', async () => {
    server = new FakeServer().withDefaults().install();
    const calls: RequestInit[] = [];
    const fake = window.fetch;
    window.fetch = (input, init) => {
      calls.push(init!);
      return fake(input, init);
    };
    const api = new ApiClient({ serverUrl: `${SERVER}/`, token: TOKEN });
    const session = await api.getSession();
    expect(session.id).to.equal(makeSession().id);
    expect(calls[0]!.credentials).to.equal('omit');
    expect(new Headers(calls[0]!.headers).get('Authorization')).to.equal(`Bearer ${TOKEN}`);
    expect(server.requests[0]!.url.href).to.equal(`${SERVER}/v1/checkout/session`);

    window.fetch = async (input) =>
      new Response(JSON.stringify({ banks: [] }), { status: 200, headers: { 'x-url': String(input) } });
    await new ApiClient({ serverUrl: 'https://pay.example.test/pwb', token: TOKEN }).listBanks('SE');
    window.fetch = fake;
  });

  it('encodes the payment id into the refresh path', async () => {
    server = new FakeServer().withDefaults().install();
    server.on('POST', /refresh$/, () => json({ payment: makePayment() }));
    await new ApiClient({ serverUrl: SERVER, token: TOKEN }).refreshPayment('pay_a/b?c');
    expect(server.requests[0]!.path).to.equal('/v1/checkout/payments/pay_a%2Fb%3Fc/refresh');
  });

  it('turns error bodies into typed errors', async () => {
    server = new FakeServer().withDefaults().install();
    server.on('GET', /session$/, () => apiError('rate_limited', 'slow down'));
    const error = await rejection(new ApiClient({ serverUrl: SERVER, token: TOKEN }).getSession());
    expect({
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      status: error.status,
    }).to.deep.equal({
      code: 'rate_limited',
      message: 'slow down',
      retryable: true,
      status: 429,
    });
  });

  it('times out with a retryable error and cancels quietly when the caller aborts', async () => {
    server = new FakeServer().withDefaults().install();
    server.on('GET', /session$/, () => new Promise(() => {}));
    const api = new ApiClient({ serverUrl: SERVER, token: TOKEN, timeoutMs: 50 });
    const timeout = await rejection(api.getSession());
    expect([timeout.code, timeout.retryable]).to.deep.equal(['timeout', true]);

    const controller = new AbortController();
    const pending = new ApiClient({ serverUrl: SERVER, token: TOKEN }).getSession(controller.signal);
    controller.abort();
    let caught: unknown;
    try {
      await pending;
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(DOMException);
    expect((caught as DOMException).name).to.equal('AbortError');
  });

  it('checks the shape of responses', async () => {
    server = new FakeServer().withDefaults().install();
    const api = new ApiClient({ serverUrl: SERVER, token: TOKEN });
    server.on('POST', /refresh$/, () => json({ payment: { ...makePayment(), status: 'teleported' } }));
    expect((await rejection(api.refreshPayment('pay_x'))).code).to.equal('invalid_response');
    server.on('GET', /banks$/, () => json({ banks: [{ id: 'x', name: 'X' }] }));
    expect((await rejection(api.listBanks('DK'))).code).to.equal('invalid_response');
    server.on('POST', /payments$/, () => json({ payment: makePayment() }));
    expect((await rejection(api.startPayment({ method: 'bank', attemptId: 'abcdefgh' }))).code).to.equal(
      'invalid_response',
    );
    server.on('GET', /session$/, () => new Response('not json', { status: 200 }));
    expect((await rejection(api.getSession())).code).to.equal('invalid_response');
  });

  it('maps a failed connection to network_error', async () => {
    server = new FakeServer().install();
    window.fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    const error = await rejection(new ApiClient({ serverUrl: SERVER, token: TOKEN }).getSession());
    expect([error.code, error.retryable, error.status]).to.deep.equal(['network_error', true, 0]);
  });
});
