import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MerchantEvent } from '@pay-with-bank/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/app.js';
import { backoffDelayMs } from '../../src/notifications/outbox-worker.js';
import { signWebhook, verifyWebhookSignature } from '../../src/notifications/signature.js';
import { TestClock } from '../helpers/clock.js';
import { RETURN_URL, testConfig, WEBHOOK_SECRET, MERCHANT_KEY } from '../helpers/config.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';

const dir = mkdtempSync(join(tmpdir(), 'pwb-webhooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('webhook signatures', () => {
  const body = '{"id":"evt_1","type":"payment.completed"}';
  const now = new Date('2030-01-01T00:00:00Z');
  const t = Math.floor(now.getTime() / 1000);

  it('verifies its own signatures and nothing else', () => {
    const header = signWebhook(WEBHOOK_SECRET, body, t);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, header, body, { now })).toBe(true);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, header, `${body} `, { now })).toBe(false);
    expect(verifyWebhookSignature('another-secret-value', header, body, { now })).toBe(false);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, header.replace(/t=\d+/, `t=${t + 1}`), body, { now })).toBe(false);
    for (const bad of [null, undefined, '', 'garbage', 't=abc,v1=00', `v1=${'0'.repeat(64)}`, `t=${t}`]) {
      expect(verifyWebhookSignature(WEBHOOK_SECRET, bad, body, { now })).toBe(false);
    }
  });

  it('enforces the timestamp tolerance both ways', () => {
    const header = signWebhook(WEBHOOK_SECRET, body, t);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, header, body, { now: new Date(now.getTime() + 299_000) })).toBe(true);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, header, body, { now: new Date(now.getTime() + 301_000) })).toBe(
      false,
    );
    expect(verifyWebhookSignature(WEBHOOK_SECRET, header, body, { now: new Date(now.getTime() - 301_000) })).toBe(
      false,
    );
    expect(
      verifyWebhookSignature(WEBHOOK_SECRET, header, body, {
        now: new Date(now.getTime() + 3_000_000),
        toleranceSeconds: 3600,
      }),
    ).toBe(true);
  });

  it('accepts any of several v1 signatures (secret rotation)', () => {
    const good = signWebhook(WEBHOOK_SECRET, body, t).split(',')[1];
    expect(verifyWebhookSignature(WEBHOOK_SECRET, `t=${t},v1=${'a'.repeat(64)},${good}`, body, { now })).toBe(true);
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffDelayMs(1, 5000, 3_600_000, () => 0.5)).toBe(5000);
    expect(backoffDelayMs(3, 5000, 3_600_000, () => 0.5)).toBe(20_000);
    expect(backoffDelayMs(3, 5000, 3_600_000, () => 0)).toBe(10_000);
    expect(backoffDelayMs(3, 5000, 3_600_000, () => 0.999)).toBeLessThan(30_000);
    expect(backoffDelayMs(40, 5000, 3_600_000, () => 0.5)).toBe(3_600_000);
  });
});

describe('outbox delivery', () => {
  it('POSTs signed MerchantEvents until 2xx, with backoff, surviving a restart', async () => {
    const file = join(dir, 'outbox.sqlite');
    const env = {
      PWB_DATABASE: file,
      PWB_WEBHOOK_URL: 'https://shop.example/hooks/pwb',
      PWB_WEBHOOK_SECRET: WEBHOOK_SECRET,
    };
    const clock = new TestClock();
    const received: { headers: Headers; body: string }[] = [];
    let answer = 500;
    const fetchHook: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      received.push({ headers: request.headers, body: await request.text() });
      return new Response(answer === 204 ? null : 'nope', { status: answer });
    };
    const fake = new FakeAdapter();
    const first = createServer(testConfig(env), {
      adapters: [fake],
      fetch: fetchHook,
      now: clock.now,
      backgroundWorkers: false,
      random: () => 0.5,
    });
    const session: { clientToken: string } = (await (
      await first.fetch(
        new Request('http://pwb.test/v1/sessions', {
          method: 'POST',
          headers: { authorization: `Bearer ${MERCHANT_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            amount: { value: 500, currency: 'DKK' },
            reference: 'HOOK-1',
            description: 'x',
            returnUrl: RETURN_URL,
          }),
        }),
      )
    ).json()) as { clientToken: string };
    await first.fetch(
      new Request('http://pwb.test/v1/checkout/payments', {
        method: 'POST',
        headers: { authorization: `Bearer ${session.clientToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'bank', attemptId: 'attempt-hook' }),
      }),
    );

    expect(await first.outbox!.runOnce()).toBe(0);
    expect(received).toHaveLength(1);
    const { headers, body } = received[0]!;
    expect(headers.get('content-type')).toBe('application/json');
    expect(verifyWebhookSignature(WEBHOOK_SECRET, headers.get('pwb-signature'), body, { now: clock.now() })).toBe(true);
    const event = MerchantEvent.parse(JSON.parse(body));
    expect(event).toMatchObject({ type: 'payment.pending', payment: { reference: 'HOOK-1', amount: { value: 500 } } });
    expect(headers.get('pwb-event-id')).toBe(event.id);

    // Not due yet: nothing is sent.
    await first.outbox!.runOnce();
    expect(received).toHaveLength(1);
    await first.close();

    // Restart on the same file: the row is still there and is delivered when due.
    answer = 204;
    clock.advance(5_001);
    const second = createServer(testConfig(env), {
      adapters: [fake],
      fetch: fetchHook,
      now: clock.now,
      backgroundWorkers: false,
    });
    expect(await second.outbox!.runOnce()).toBe(1);
    expect(received).toHaveLength(2);
    expect(received[1]!.body).toBe(body);
    const rows = await second.services.store.listOutbox();
    expect(rows[0]).toMatchObject({ attempts: 1, lastError: null });
    expect(rows[0]!.deliveredAt).not.toBeNull();
    clock.advance(3_600_000);
    expect(await second.outbox!.runOnce()).toBe(0);
    expect(received).toHaveLength(2);
    await second.close();
  });

  it('treats network errors like failures and never logs the secret', async () => {
    const lines: string[] = [];
    const clock = new TestClock();
    const server = createServer(
      testConfig({
        PWB_WEBHOOK_URL: 'https://shop.example/hooks',
        PWB_WEBHOOK_SECRET: WEBHOOK_SECRET,
        PWB_LOG_LEVEL: 'debug',
      }),
      {
        adapters: [new FakeAdapter()],
        now: clock.now,
        backgroundWorkers: false,
        logSink: (l) => lines.push(l),
        fetch: async () => {
          throw new TypeError(`fetch failed ${WEBHOOK_SECRET}`);
        },
      },
    );
    const store = server.services.store;
    const { session } = await server.services.sessions.create({
      amount: { value: 100, currency: 'DKK' },
      reference: 'R',
      description: 'd',
      returnUrl: RETURN_URL,
    });
    await server.services.payments.start(session, 'pwb_ct_x', { method: 'bank', attemptId: 'attempt-net' });
    await server.outbox!.runOnce();
    const [row] = await store.listOutbox();
    expect(row).toMatchObject({ attempts: 1, lastError: 'network error', deliveredAt: null });
    expect(lines.join('\n')).not.toContain(WEBHOOK_SECRET);
    await server.close();
  });
});
