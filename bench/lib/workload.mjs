// The mixed checkout workload of the load benchmarks (bench/load.mjs against one server,
// bench/scale-out.mjs spread over several): create session (merchant API) → [read the checkout
// session] → start payment (browser API, bank chosen) → refresh; a quarter of the shoppers confirm
// at the sandbox's hosted pages and come back to refresh until completed; now and then the merchant
// reads a session or lists payments. Plain HTTP (keep-alive, no redirects followed) to 127.0.0.1 only.
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { URLSearchParams } from 'node:url';
import { MERCHANT_KEY } from './processes.mjs';

const RETURN_URL = 'https://shop.example/checkout/return';
const BANKS = ['DK_TestBank', 'DK_Nordbank', 'DK_Fjordbank'];
const SHOPPER_PAYS = 0.25;

/** `request(url, { method, headers, body })` over `agent` → `{ status, headers, text }`. */
export function httpClient(agent) {
  return (url, { method = 'GET', headers = {}, body } = {}) =>
    new Promise((resolveResponse, reject) => {
      const target = new URL(url);
      if (target.hostname !== '127.0.0.1') return reject(new Error(`refusing non-loopback target ${target.origin}`));
      const req = http.request(target, { method, headers, agent }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          resolveResponse({
            status: res.statusCode,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
}

/**
 * `api(kind, method, path, bearer, body)`: one timed request to the companion server at `base()`
 * (asked per request); the parsed answer, or null after counting an error in `recorder` (any
 * non-2xx or network error).
 */
export function serverApi(request, recorder, base) {
  return async (kind, method, path, bearer, body) => {
    const started = performance.now();
    let response;
    try {
      response = await request(`${base()}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${bearer}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      recorder.networkErrors++;
      recorder.countError(kind, `network: ${error.message}`);
      return null;
    }
    recorder.latency(kind, performance.now() - started);
    if (response.status < 200 || response.status > 299) {
      recorder.countError(kind, `HTTP ${response.status} ${response.text.slice(0, 200)}`);
      return null;
    }
    return JSON.parse(response.text);
  };
}

/** The shopper at the sandbox's hosted pages: log in, choose the account, confirm. Not timed. */
export async function shopperConfirms(request, sandboxUrl, redirectUrl, onRequest = () => {}) {
  const step = async (url, init, expected) => {
    onRequest();
    const res = await request(url, init);
    if (res.status !== expected)
      throw new Error(`sandbox ${init?.method ?? 'GET'} ${new URL(url).pathname} → ${res.status}`);
    return res;
  };
  const start = new URL(redirectUrl);
  const token = start.searchParams.get('startToken');
  const paymentId = start.searchParams.get('paymentId');
  const form = (fields) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, ...fields }).toString(),
  });
  const action = (name) => `${sandboxUrl}/mastercard/auth/payment/${encodeURIComponent(paymentId)}/${name}`;
  await step(redirectUrl, undefined, 200);
  const login = await step(action('login'), form({ userId: 'shopper', otp: '123456' }), 303);
  const accounts = new URL(login.headers.location, sandboxUrl);
  await step(accounts.href, undefined, 200);
  const bankSession = accounts.searchParams.get('bankSession');
  await step(action('confirm'), form({ ...(bankSession ? { bankSession } : {}), accountId: 'everyday' }), 303);
}

/**
 * Runs the workload with `concurrency` shoppers until `deadline` (performance.now()); resolves with
 * the journeys: `{ started, paidAtBank, completed, unexpected }`.
 *  - api: serverApi(…); recorder: where an unexpected outcome is counted (kind `outcome`);
 *  - order(n): the session's `{ reference, description }`;
 *  - confirmAtBank(redirectUrl): the shopper pays (throws when the sandbox did not go along, which
 *    goes to onBankError(error));
 *  - onCompleted(paymentId): after a returning shopper's refresh saw the payment completed.
 */
export async function runCheckouts({
  api,
  recorder,
  concurrency,
  deadline,
  order,
  confirmAtBank,
  onBankError,
  onCompleted = async () => {},
}) {
  const returns = []; // shoppers coming back from the bank: { token, paymentId, dueAt, tries }
  const journeys = { started: 0, paidAtBank: 0, completed: 0, unexpected: 0 };
  let sequence = 0;

  async function newCheckout() {
    journeys.started++;
    const n = ++sequence;
    const created = await api('create_session', 'POST', '/v1/sessions', MERCHANT_KEY, {
      amount: { value: 1000 + (n % 90000), currency: 'DKK' },
      ...order(n),
      returnUrl: RETURN_URL,
    });
    if (!created) return;
    const token = created.clientToken;
    if (Math.random() < 0.3) await api('read_session', 'GET', '/v1/checkout/session', token);
    const start = await api('start_payment', 'POST', '/v1/checkout/payments', token, {
      method: 'bank',
      attemptId: `attempt-${n}-${randomBytes(4).toString('hex')}`,
      bankId: BANKS[n % BANKS.length],
    });
    if (!start) return;
    const paymentId = start.payment.id;
    const refreshPath = `/v1/checkout/payments/${paymentId}/refresh`;
    await api('refresh', 'POST', refreshPath, token);
    if (Math.random() < SHOPPER_PAYS) {
      try {
        await confirmAtBank(start.redirectUrl);
        journeys.paidAtBank++;
        // Refresh is throttled to one provider call per second per payment: come back after that.
        returns.push({ token, paymentId, dueAt: performance.now() + 1100, tries: 0 });
      } catch (error) {
        onBankError(error);
      }
    } else if (Math.random() < 0.5) {
      await api('refresh', 'POST', refreshPath, token); // the widget polling (answered from the store)
    }
    if (Math.random() < 0.1) await api('merchant_session', 'GET', `/v1/sessions/${created.session.id}`, MERCHANT_KEY);
    if (Math.random() < 0.05) await api('list_payments', 'GET', '/v1/payments?limit=20', MERCHANT_KEY);
  }

  async function shopperReturns(entry) {
    const body = await api('refresh', 'POST', `/v1/checkout/payments/${entry.paymentId}/refresh`, entry.token);
    if (!body) return;
    if (body.payment.status === 'completed') {
      journeys.completed++;
      await onCompleted(entry.paymentId);
    } else if (++entry.tries < 3) {
      returns.push({ ...entry, dueAt: performance.now() + 1100 });
    } else {
      journeys.unexpected++;
      recorder.countError('outcome', `payment ${entry.paymentId} still ${body.payment.status} after 3 refreshes`);
    }
  }

  async function worker() {
    while (performance.now() < deadline) {
      const due = returns.findIndex((r) => r.dueAt <= performance.now());
      if (due >= 0) await shopperReturns(returns.splice(due, 1)[0]);
      else await newCheckout();
    }
  }

  await Promise.all(Array.from({ length: concurrency }, worker));
  return journeys;
}
