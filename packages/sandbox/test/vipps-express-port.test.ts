/**
 * Express checkout over real sockets, as in the demo: the sandbox on a port with the real clock and
 * fetch, a merchant on http://localhost answering shippingDetails, the callback and consent removal.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandboxServer, type RunningSandbox } from '../src/index.js';
import { dynamicOptions, expressBody } from './vipps-express-helpers.js';
import { toResult } from './vipps-harness.js';

interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function startMerchant(delayShippingMs = 0) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    void readBody(request).then(async (body) => {
      received.push({ method: request.method!, url: request.url!, authorization: request.headers.authorization, body });
      if (request.url!.endsWith('/shippingDetails')) {
        await new Promise((resolve) => setTimeout(resolve, delayShippingMs));
        const asked = JSON.parse(body);
        const orderId = /\/v2\/payments\/([^/]+)\/shippingDetails$/.exec(request.url!)![1];
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ addressId: asked.addressId, orderId, shippingDetails: dynamicOptions(asked.postCode) }),
        );
        return;
      }
      response.writeHead(200);
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setUp(delayShippingMs = 0) {
  const merchant = await startMerchant(delayShippingMs);
  const running: RunningSandbox = await startSandboxServer({ port: 0 });
  cleanups.push(
    () => merchant.close(),
    () => running.close(),
  );
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${running.url}${path}`, { redirect: 'manual', ...init });
  const token = await toResult(
    await call('/vipps/accesstoken/get', {
      method: 'POST',
      headers: {
        client_id: 'sandbox-vipps-client-id',
        client_secret: 'sandbox-vipps-client-secret',
        'Ocp-Apim-Subscription-Key': 'sandbox-vipps-subscription-key',
      },
    }),
  );
  const api = async (path: string, body: unknown) =>
    toResult(
      await call(path, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token.body.access_token}`,
          'Ocp-Apim-Subscription-Key': 'sandbox-vipps-subscription-key',
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      }),
    );
  const form = (path: string, fields: Record<string, string> = {}) =>
    call(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  return { merchant, running, call, api, form };
}

function httpExpressBody(orderId: string, merchantUrl: string) {
  const body = expressBody(orderId);
  body.merchantInfo.callbackPrefix = `${merchantUrl}/callbacks`;
  body.merchantInfo.fallBack = `${merchantUrl}/return`;
  (body.merchantInfo as Record<string, unknown>).consentRemovalPrefix = `${merchantUrl}/consents`;
  (body.merchantInfo as Record<string, unknown>).shippingDetailsPrefix = `${merchantUrl}/shipping`;
  return body;
}

describe('express over real sockets (http://localhost merchant)', () => {
  it('initiate → push → consent → dynamic shipping → Confirm → callback → consent removal', async () => {
    const { merchant, running, call, api, form } = await setUp();
    const created = await api('/vipps/ecomm/v2/payments', httpExpressBody('port-express-1', merchant.url));
    expect(created.status, created.text).toBe(200);
    const landing = new URL(created.body.url);
    const token = landing.searchParams.get('token')!;
    expect((await form('/vipps/landing/next', { token, phoneNumber: '91234567' })).status).toBe(303);

    expect((await form(`/vipps/sandbox-phone/${token}/consent/accept`)).status).toBe(303);
    const shipping = merchant.received.filter((r) => r.url.endsWith('/shippingDetails'));
    expect(shipping).toHaveLength(1);
    expect(shipping[0]).toMatchObject({
      method: 'POST',
      url: '/shipping/v2/payments/port-express-1/shippingDetails',
      authorization: 'merchant-callback-secret-42',
    });
    const page = await (await call(`/vipps/sandbox-phone/${token}`)).text();
    expect(page).toContain('Bring Hjemlevering, NOK 79.00, total NOK 578.00');

    expect((await form(`/vipps/sandbox-phone/${token}/confirm`, { shippingMethodId: 'mailbox' })).status).toBe(303);
    await running.sandbox.controls.vipps!.flush();
    const callback = merchant.received.find((r) => r.url === '/callbacks/v2/payments/port-express-1');
    expect(JSON.parse(callback!.body)).toMatchObject({
      transactionInfo: { status: 'RESERVE', amount: 49900 + 3900 },
      shippingDetails: { shippingMethodId: 'mailbox' },
    });
    expect((await call(landing.pathname + landing.search)).headers.get('location')).toBe(`${merchant.url}/return`);

    const removed = await toResult(
      await call('/__sandbox/vipps/payments/port-express-1/remove-consent', { method: 'POST' }),
    );
    expect(removed.status, removed.text).toBe(200);
    expect(removed.body.exchanges[0]).toMatchObject({ outcome: 'delivered', response: { status: 200 } });
    expect(merchant.received.at(-1)).toMatchObject({ method: 'DELETE', authorization: undefined });
    expect(merchant.received.at(-1)!.url).toMatch(/^\/consents\/v2\/consents\/[A-Za-z0-9%]+$/);
  });

  it('a merchant slower than the (shortened) shippingDetails timeout: "No shipping methods found" in real time', async () => {
    const { merchant, call, api, form } = await setUp(600);
    expect(
      (
        await call('/__sandbox/vipps/timeouts', {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ shippingDetailsTimeoutMs: 200 }),
        })
      ).status,
    ).toBe(204);
    const created = await api('/vipps/ecomm/v2/payments', httpExpressBody('port-express-slow', merchant.url));
    const token = new URL(created.body.url).searchParams.get('token')!;
    await form('/vipps/landing/next', { token, phoneNumber: '91234567' });
    const started = Date.now();
    expect((await form(`/vipps/sandbox-phone/${token}/consent/accept`)).status).toBe(303);
    expect(Date.now() - started).toBeLessThan(590);
    expect(await (await call(`/vipps/sandbox-phone/${token}`)).text()).toContain(
      '<p class="error" role="alert">No shipping methods found</p>',
    );
  });
});
