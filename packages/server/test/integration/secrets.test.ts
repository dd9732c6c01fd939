/**
 * Invariant 1: provider credentials, merchant API keys and the webhook secret never appear in a
 * response, a URL, a log line or an error message; browser tokens never appear in logs. A whole
 * journey runs with debug logging, including failures, and every byte out is searched.
 */
import { describe, expect, it } from 'vitest';
import {
  MC_CLIENT_ID,
  MC_CLIENT_SECRET,
  MERCHANT_KEY,
  SECOND_MERCHANT_KEY,
  WEBHOOK_SECRET,
} from '../helpers/config.js';
import { json } from '../helpers/harness.js';
import { captureLogs } from '../helpers/logs.js';
import { makeWorld, shopperAtProvider } from '../helpers/sandbox.js';

const SECRETS = [MERCHANT_KEY, SECOND_MERCHANT_KEY, MC_CLIENT_ID, MC_CLIENT_SECRET, WEBHOOK_SECRET];

describe('secrets stay on the server', () => {
  it('never appear in responses, headers, URLs or logs across a full journey with failures', async () => {
    const logs = captureLogs();
    const world = makeWorld({
      env: { PWB_LOG_LEVEL: 'debug', PWB_WEBHOOK_URL: 'http://sandbox.test/hook', PWB_WEBHOOK_SECRET: WEBHOOK_SECRET },
      deps: { logSink: logs.sink },
    });
    const seen: string[] = [];
    const original = world.server.fetch;
    world.server.fetch = async (request: Request) => {
      seen.push(request.url);
      const response = await original(request);
      seen.push(response.status.toString(), JSON.stringify([...response.headers]), await response.clone().text());
      return response;
    };

    const { clientToken, session } = await world.createSession();
    await world.client(clientToken, 'GET', '/v1/checkout/session');
    await world.client(clientToken, 'GET', '/v1/checkout/banks');
    const started = await json(
      await world.client(clientToken, 'POST', '/v1/checkout/payments', {
        method: 'bank',
        attemptId: 'attempt-0001',
        bankId: 'DK_FailBank',
      }),
    );
    const back = await shopperAtProvider(world.sandbox, started.redirectUrl);
    world.clock.advance(1_100);
    await world.client(clientToken, 'POST', `/v1/checkout/payments/${back.searchParams.get('pwb_payment')}/refresh`);
    // Failures of every kind: provider down, provider garbage, bad credentials, bad input.
    world.sandbox.controls.mastercard.injectFaults({ kind: 'status', status: 500 }, 1);
    await world.client(clientToken, 'POST', '/v1/checkout/payments', { method: 'bank', attemptId: 'attempt-0002' });
    world.sandbox.controls.mastercard.injectFaults({ kind: 'malformed' }, 1);
    await world.client(clientToken, 'POST', '/v1/checkout/payments', { method: 'bank', attemptId: 'attempt-0003' });
    await world.request('GET', '/v1/payments', { headers: { authorization: `Bearer ${MERCHANT_KEY.slice(0, -1)}x` } });
    await world.merchant('POST', '/v1/sessions', { amount: { value: 'x' }, clientSecret: MC_CLIENT_SECRET });
    await world.merchant('GET', `/v1/sessions/${session.id}`);
    await world.merchant('GET', '/v1/payments');
    await world.request('GET', '/openapi.json');
    await world.server.outbox!.runOnce();

    const everything = [...seen, logs.text()].join('\n');
    expect(logs.lines.length).toBeGreaterThan(10);
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
    // The browser token is for the browser and the provider's return URL: never in our logs.
    expect(logs.text()).not.toContain(clientToken);
    expect(logs.text()).not.toContain(clientToken.slice(7));
  });

  it('wrong provider credentials surface as a typed error without echoing them', async () => {
    const logs = captureLogs();
    const wrongSecret = 'definitely-wrong-client-secret-123';
    const world = makeWorld({
      env: { PWB_LOG_LEVEL: 'debug', PWB_MASTERCARD_CLIENT_SECRET: wrongSecret },
      deps: { logSink: logs.sink },
    });
    const { clientToken } = await world.createSession();
    const res = await world.client(clientToken, 'POST', '/v1/checkout/payments', {
      method: 'bank',
      attemptId: 'attempt-0001',
    });
    expect(res.status).toBe(502);
    const body = await res.text();
    expect(JSON.parse(body).error.code).toBe('provider_error');
    expect(body).not.toContain(wrongSecret);
    expect(logs.text()).not.toContain(wrongSecret);
    // Credentials went in headers only.
    const call = world.providerCalls[0]!;
    expect(call.headers.get('x-client-secret')).toBe(wrongSecret);
    expect(call.path).not.toContain(wrongSecret);
    expect(call.body).not.toContain(wrongSecret);
  });
});
