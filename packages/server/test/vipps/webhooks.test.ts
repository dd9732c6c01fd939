/**
 * ePayment webhooks: deliveries made by the sandbox (signed as Vipps signs them) reach the
 * adapter's handleCallback; valid ones are accepted, tampered, forged, stale or wrongly signed
 * ones are refused as unauthorized, malformed ones as invalid_request.
 */
import { signVippsWebhook } from '@pay-with-bank/sandbox';
import { describe, expect, it } from 'vitest';
import { ensureWebhook, type VippsAdapter } from '../../src/providers/vipps/index.js';
import {
  createWorld,
  deliverTo,
  paymentInput,
  providerError,
  PUBLIC_URL,
  shopper,
  type Delivery,
  type VippsWorld,
  asStatus,
} from './helpers.js';

const MINUTE = 60_000;
const WEBHOOK_URL = `${PUBLIC_URL}/v1/callbacks/vipps-epayment/webhooks`;

async function registeredWorld() {
  const world = createWorld('epayment');
  const ensured = await ensureWebhook(world.config, world.deps);
  world.adapter = world.makeAdapter({ PWB_VIPPS_WEBHOOK_SECRET: ensured.secret });
  return { world, secret: ensured.secret };
}

const eventName = (d: Delivery) => (JSON.parse(d.body) as { name: string }).name;

function resend(
  delivery: Delivery,
  changes: { url?: string; body?: string; headers?: Record<string, string | null> } = {},
): Request {
  const headers = new Headers(delivery.headers);
  for (const [name, value] of Object.entries(changes.headers ?? {})) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
  }
  return new Request(changes.url ?? delivery.url, { method: 'POST', headers, body: changes.body ?? delivery.body });
}

async function handle(adapter: VippsAdapter, request: Request) {
  return asStatus(await adapter.handleCallback!(request, 'webhooks'));
}

/** A request signed by `secret` for `url` at `dateMs`, as Vipps would send it. */
function signed(secret: string, body: string, dateMs: number, url = WEBHOOK_URL): Request {
  const headers = signVippsWebhook({ secret, url, body, date: new Date(dateMs).toUTCString() });
  return new Request(WEBHOOK_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

async function authorizedWithDeliveries(world: VippsWorld) {
  const created = await world.adapter.createPayment(paymentInput());
  await shopper(world, created.redirectUrl, 'confirm');
  return created.providerPaymentId;
}

describe('ePayment webhooks: valid deliveries', () => {
  it('accepts the sandbox’s signed deliveries: CREATED triggers a refresh, AUTHORIZED carries the state', async () => {
    const { world } = await registeredWorld();
    const reference = await authorizedWithDeliveries(world);
    expect(world.deliveries.map(eventName)).toEqual(['CREATED', 'AUTHORIZED']);
    for (const delivery of world.deliveries) {
      expect(delivery.url).toBe(WEBHOOK_URL);
      expect(delivery.error).toBeUndefined();
      expect(delivery.result?.providerPaymentId).toBe(reference);
    }
    const [created, authorized] = world.deliveries;
    expect(created!.result!.snapshot).toBeUndefined();
    expect(authorized!.result!.snapshot).toMatchObject({
      status: 'authorized',
      providerStatus: 'AUTHORIZED',
      authorizedAmount: 49_900,
    });
    expect(authorized!.result!.eventKey).toMatch(new RegExp(`^vipps-epayment:${reference}:AUTHORIZED:`));
    expect(created!.result!.eventKey).not.toBe(authorized!.result!.eventKey);
    expect(world.sandbox.controls.webhookDeliveries(reference).every((d) => d.state === 'delivered')).toBe(true);
  });

  it('ABORTED / EXPIRED / TERMINATED map to cancelled / expired / cancelled; captures and refunds only trigger a refresh', async () => {
    const { world } = await registeredWorld();
    const rejected = await world.adapter.createPayment(paymentInput());
    await shopper(world, rejected.redirectUrl, 'reject');
    const expired = await world.adapter.createPayment(paymentInput());
    await world.advance(5 * MINUTE + 1);
    const terminated = await world.adapter.createPayment(paymentInput());
    await world.adapter.cancel!(terminated.providerPaymentId, 'c-1');
    await world.settle();
    const reference = await authorizedWithDeliveries(world);
    await world.adapter.capture!(reference, { value: 1_000, currency: 'NOK' }, 'cap-1');
    await world.adapter.refund!(reference, { value: 500, currency: 'NOK' }, 'ref-1');
    await world.settle();

    const byEvent = (ref: string, name: string) =>
      world.deliveries.find((d) => d.result?.providerPaymentId === ref && eventName(d) === name);
    expect(byEvent(rejected.providerPaymentId, 'ABORTED')!.result!.snapshot).toMatchObject({
      status: 'cancelled',
      failure: { code: 'rejected_by_user' },
    });
    expect(byEvent(expired.providerPaymentId, 'EXPIRED')!.result!.snapshot).toMatchObject({ status: 'expired' });
    expect(byEvent(terminated.providerPaymentId, 'TERMINATED')!.result!.snapshot).toMatchObject({
      status: 'cancelled',
      failure: { code: 'cancelled' },
    });
    expect(byEvent(reference, 'CAPTURED')!.result!.snapshot).toBeUndefined();
    expect(byEvent(reference, 'REFUNDED')!.result!.snapshot).toBeUndefined();
    expect(world.deliveries.every((d) => d.error === undefined)).toBe(true);
  });

  it('a replay within the window is accepted with the same eventKey (the core ignores it)', async () => {
    const { world } = await registeredWorld();
    await authorizedWithDeliveries(world);
    const original = world.deliveries[1]!;
    const replay = await handle(world.adapter, resend(original));
    expect(replay.eventKey).toBe(original.result!.eventKey);
  });

  it('verifies against the registered URL even when a proxy changed the URL we see', async () => {
    const { world } = await registeredWorld();
    await authorizedWithDeliveries(world);
    const result = await handle(
      world.adapter,
      resend(world.deliveries[1]!, { url: 'http://127.0.0.1:4020/v1/callbacks/vipps-epayment/webhooks' }),
    );
    expect(result.snapshot?.status).toBe('authorized');
  });
});

describe('ePayment webhooks: refused deliveries', () => {
  it('a tampered body is refused (content hash), also with a recomputed hash (signature)', async () => {
    const { world } = await registeredWorld();
    await authorizedWithDeliveries(world);
    const original = world.deliveries[1]!;
    const tampered = original.body.replace('"value":49900', '"value":1');
    expect(tampered).not.toBe(original.body);
    const error = await providerError(() => handle(world.adapter, resend(original, { body: tampered })));
    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/does not match/);

    const { createHash } = await import('node:crypto');
    const rehashed = createHash('sha256').update(tampered).digest('base64');
    const forged = await providerError(() =>
      handle(world.adapter, resend(original, { body: tampered, headers: { 'x-ms-content-sha256': rehashed } })),
    );
    expect(forged.code).toBe('unauthorized');
    expect(forged.message).toMatch(/signature is invalid/);
  });

  it('a delivery signed with another secret is refused', async () => {
    const { world, secret } = await registeredWorld();
    await authorizedWithDeliveries(world);
    const stranger = world.makeAdapter({ PWB_VIPPS_WEBHOOK_SECRET: 'some-other-webhook-secret-value' });
    const error = await providerError(() => handle(stranger, resend(world.deliveries[1]!)));
    expect(error.code).toBe('unauthorized');
    expect(error.message).not.toContain(secret);
    const forged = signed('some-other-webhook-secret-value', world.deliveries[1]!.body, world.clock.now());
    expect((await providerError(() => handle(world.adapter, forged))).code).toBe('unauthorized');
  });

  it('a stale or future-dated delivery is refused, even when correctly signed', async () => {
    const { world, secret } = await registeredWorld();
    await authorizedWithDeliveries(world);
    const captured = world.deliveries[1]!;
    await world.advance(6 * MINUTE);
    const stale = await providerError(() => handle(world.adapter, resend(captured)));
    expect(stale.code).toBe('unauthorized');
    expect(stale.message).toMatch(/time window/);
    const future = await providerError(() =>
      handle(world.adapter, signed(secret, captured.body, world.clock.now() + 6 * MINUTE)),
    );
    expect(future.code).toBe('unauthorized');
    // Within ±5 minutes, the same body signed afresh is fine.
    expect(
      (await handle(world.adapter, signed(secret, captured.body, world.clock.now() - 4 * MINUTE))).snapshot?.status,
    ).toBe('authorized');
  });

  it('a signature made for another URL, missing headers or a bad date are refused', async () => {
    const { world, secret } = await registeredWorld();
    await authorizedWithDeliveries(world);
    const body = world.deliveries[1]!.body;
    expect(
      (
        await providerError(() =>
          handle(
            world.adapter,
            signed(secret, body, world.clock.now(), 'https://evil.test/v1/callbacks/vipps-epayment/webhooks'),
          ),
        )
      ).code,
    ).toBe('unauthorized');
    for (const name of ['authorization', 'x-ms-date', 'x-ms-content-sha256']) {
      const error = await providerError(() =>
        handle(world.adapter, resend(world.deliveries[1]!, { headers: { [name]: null } })),
      );
      expect(error.code, name).toBe('unauthorized');
    }
    const badDate = await providerError(() =>
      handle(world.adapter, resend(world.deliveries[1]!, { headers: { 'x-ms-date': 'yesterday' } })),
    );
    expect(badDate.code).toBe('unauthorized');
  });

  it('an authentic but malformed or foreign event is invalid_request', async () => {
    const { world, secret } = await registeredWorld();
    const now = world.clock.now();
    const event = {
      msn: '123456',
      reference: 'shop1-00000000000000000000000000000001',
      pspReference: '1234567890',
      name: 'AUTHORIZED',
      amount: { currency: 'NOK', value: 100 },
      timestamp: new Date(now).toISOString(),
      idempotencyKey: null,
      success: true,
    };
    expect((await handle(world.adapter, signed(secret, JSON.stringify(event), now))).snapshot?.status).toBe(
      'authorized',
    );
    for (const body of [
      'not json',
      '{}',
      JSON.stringify({ ...event, amount: 'lots' }),
      JSON.stringify({ ...event, reference: 'x' }),
    ]) {
      expect((await providerError(() => handle(world.adapter, signed(secret, body, now)))).code, body).toBe(
        'invalid_request',
      );
    }
    const foreign = await providerError(() =>
      handle(world.adapter, signed(secret, JSON.stringify({ ...event, msn: '654321' }), now)),
    );
    expect(foreign.code).toBe('invalid_request');
    // A failed event changes nothing by itself: the core refreshes.
    expect(
      (await handle(world.adapter, signed(secret, JSON.stringify({ ...event, success: false }), now))).snapshot,
    ).toBeUndefined();
  });

  it('answers not_found for other paths below the adapter', async () => {
    const { world, secret } = await registeredWorld();
    const request = signed(secret, '{}', world.clock.now());
    expect((await providerError(() => world.adapter.handleCallback!(request, 'webhooks/extra'))).code).toBe(
      'not_found',
    );
  });
});

describe('ePayment webhooks: secret unknown after a restart', () => {
  it('re-registers on the first delivery (which is refused) and verifies the next ones', async () => {
    const world = createWorld('epayment');
    const created = await world.adapter.createPayment(paymentInput()); // registers; secret in memory only
    world.adapter = world.makeAdapter(); // restart without PWB_VIPPS_WEBHOOK_SECRET
    await shopper(world, created.redirectUrl, 'confirm');
    const authorized = world.deliveries.find((d) => eventName(d) === 'AUTHORIZED')!;
    expect(authorized.error?.code).toBe('unauthorized');
    const registrations = world.calls.filter((c) => c.method === 'POST' && c.path === '/vipps/webhooks/v1/webhooks');
    expect(registrations).toHaveLength(2);
    // The next event is signed with the new registration's secret and verifies.
    await world.adapter.capture!(created.providerPaymentId, { value: 1_000, currency: 'NOK' }, 'cap-r');
    await world.settle();
    const captured = world.deliveries.filter((d) => eventName(d) === 'CAPTURED');
    expect(captured).toHaveLength(1);
    expect(captured[0]!.error).toBeUndefined();
    expect(captured[0]!.result?.providerPaymentId).toBe(created.providerPaymentId);
  });

  it('while the secret cannot be learnt, deliveries are refused and do not make us call Vipps each time', async () => {
    const world = createWorld('epayment');
    await world.adapter.createPayment(paymentInput());
    world.fault = (call) =>
      call.path.startsWith('/vipps/webhooks/') ? new Response('down', { status: 503 }) : undefined;
    const restarted = world.makeAdapter();
    const before = world.calls.length;
    for (let i = 0; i < 5; i++) {
      const response = await deliverTo(restarted, signed('whatever-secret-value-123', '{}', world.clock.now()), []);
      expect(response.status).toBe(401);
    }
    // One registration attempt (its access token and a list call that failed), not one per forged request.
    expect(world.calls.slice(before).map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /vipps/accesstoken/get',
      'GET /vipps/webhooks/v1/webhooks',
    ]);
  });
});
