/**
 * constructWebhookEvent: the merchant's one call per delivery. The deliveries here are real ones,
 * captured from the server's outbox, then replayed and tampered with as an attacker would.
 */
import { describe, expect, it } from 'vitest';
import { createServer } from '../../src/app.js';
import {
  constructWebhookEvent,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from '../../src/notifications/webhook-event.js';
import { signWebhook } from '../../src/notifications/signature.js';
import { MemoryStore } from '../../src/store/memory.js';
import { TestClock } from '../helpers/clock.js';
import { testConfig, WEBHOOK_SECRET } from '../helpers/config.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';
import { makeHarnessFor } from '../helpers/harness.js';

interface Delivery {
  headers: Headers;
  body: string;
}

async function captureDelivery(): Promise<{ delivery: Delivery; clock: TestClock }> {
  const clock = new TestClock();
  const received: Delivery[] = [];
  const server = createServer(
    testConfig({ PWB_WEBHOOK_URL: 'https://shop.example/hooks/pwb', PWB_WEBHOOK_SECRET: WEBHOOK_SECRET }),
    {
      store: new MemoryStore(),
      adapters: [new FakeAdapter()],
      now: clock.now,
      backgroundWorkers: false,
      fetch: async (input, init) => {
        const request = new Request(input, init);
        received.push({ headers: request.headers, body: await request.text() });
        return new Response(null, { status: 204 });
      },
    },
  );
  const h = makeHarnessFor(server);
  const { clientToken } = await h.createSession({ reference: 'HOOK-7' });
  await h.client(clientToken, 'POST', '/v1/checkout/payments', { method: 'bank', attemptId: 'attempt-hook-7' });
  await server.outbox!.runOnce();
  await server.close();
  expect(received).toHaveLength(1);
  return { delivery: received[0]!, clock };
}

function reasonOf(run: () => unknown): WebhookVerificationReason | 'no error' {
  try {
    run();
    return 'no error';
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return (error as WebhookVerificationError).reason;
  }
}

function withHeader(headers: Headers, name: string, value: string): Headers {
  const copy = new Headers(headers);
  copy.set(name, value);
  return copy;
}

describe('constructWebhookEvent', () => {
  it('verifies a real delivery and returns the typed event, its id and type taken from the signed body', async () => {
    const { delivery, clock } = await captureDelivery();
    const event = constructWebhookEvent(delivery.body, delivery.headers, WEBHOOK_SECRET, { now: clock.now() });
    expect(event.type).toBe('payment.pending');
    expect(event.payment.reference).toBe('HOOK-7');
    expect(event.id).toBe(JSON.parse(delivery.body).id);
    expect(event.id).toBe(delivery.headers.get('pwb-event-id'));
  });

  it('accepts Node’s IncomingHttpHeaders (lower-case keys) as well as fetch Headers', async () => {
    const { delivery, clock } = await captureDelivery();
    const nodeHeaders = Object.fromEntries(delivery.headers.entries());
    expect(constructWebhookEvent(delivery.body, nodeHeaders, WEBHOOK_SECRET, { now: clock.now() }).id).toBe(
      delivery.headers.get('pwb-event-id'),
    );
  });

  it('refuses a captured delivery re-sent with a new event id header (the dedupe key is the signed one)', async () => {
    const { delivery, clock } = await captureDelivery();
    const replay = withHeader(delivery.headers, 'Pwb-Event-Id', 'evt_0000000000000000000000fresh');
    expect(reasonOf(() => constructWebhookEvent(delivery.body, replay, WEBHOOK_SECRET, { now: clock.now() }))).toBe(
      'header_mismatch',
    );
    const retyped = withHeader(delivery.headers, 'Pwb-Event-Type', 'payment.completed');
    expect(reasonOf(() => constructWebhookEvent(delivery.body, retyped, WEBHOOK_SECRET, { now: clock.now() }))).toBe(
      'header_mismatch',
    );
    // Without the convenience headers the signed body alone decides.
    const bare = new Headers({ 'pwb-signature': delivery.headers.get('pwb-signature')! });
    expect(reasonOf(() => constructWebhookEvent(delivery.body, bare, WEBHOOK_SECRET, { now: clock.now() }))).toBe(
      'no error',
    );
  });

  it('refuses tampered bodies, wrong secrets, stale signatures and missing signatures', async () => {
    const { delivery, clock } = await captureDelivery();
    const now = clock.now();
    const tampered = delivery.body.replace('payment.pending', 'payment.completed');
    expect(tampered).not.toBe(delivery.body);
    expect(reasonOf(() => constructWebhookEvent(tampered, delivery.headers, WEBHOOK_SECRET, { now }))).toBe(
      'invalid_signature',
    );
    expect(reasonOf(() => constructWebhookEvent(delivery.body, delivery.headers, 'another-secret', { now }))).toBe(
      'invalid_signature',
    );
    const later = new Date(now.getTime() + 301_000);
    expect(reasonOf(() => constructWebhookEvent(delivery.body, delivery.headers, WEBHOOK_SECRET, { now: later }))).toBe(
      'invalid_signature',
    );
    const unsigned = new Headers(delivery.headers);
    unsigned.delete('pwb-signature');
    expect(reasonOf(() => constructWebhookEvent(delivery.body, unsigned, WEBHOOK_SECRET, { now }))).toBe(
      'missing_signature',
    );
    expect(reasonOf(() => constructWebhookEvent(delivery.body, delivery.headers, '', { now }))).toBe(
      'missing_signature',
    );
  });

  it('accepts the old or the new secret while the secret is rotated', async () => {
    const { delivery, clock } = await captureDelivery();
    const now = clock.now();
    expect(constructWebhookEvent(delivery.body, delivery.headers, ['whsec_new_one', WEBHOOK_SECRET], { now }).id).toBe(
      delivery.headers.get('pwb-event-id'),
    );
    expect(reasonOf(() => constructWebhookEvent(delivery.body, delivery.headers, ['whsec_new_one'], { now }))).toBe(
      'invalid_signature',
    );
  });

  it('refuses a validly signed body that is not a payment notification', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const t = Math.floor(now.getTime() / 1000);
    for (const body of ['not json', '{"id":"evt_1","type":"payment.teleported"}', '[]']) {
      const headers = new Headers({ 'pwb-signature': signWebhook(WEBHOOK_SECRET, body, t) });
      expect(reasonOf(() => constructWebhookEvent(body, headers, WEBHOOK_SECRET, { now }))).toBe('invalid_payload');
    }
  });
});
