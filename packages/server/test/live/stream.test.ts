/**
 * GET /v1/checkout/payments/{id}/events, the live status stream, on one server (in-process bus)
 * with a scriptable provider: authentication (the token only in the Authorization header), the
 * first event, one event per committed change, heartbeats, the end on a final status, lifetime and
 * shutdown, teardown on abort (no listener, timer or count left behind), the limits, HEAD, CORS,
 * and watching driving the provider polling (one call per interval however many streams watch).
 */
import { PaymentStreamEnd, PaymentStreamEvent } from '@pay-with-bank/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LiveStatusOptions } from '../../src/live/index.js';
import type { ProviderSnapshot } from '../../src/providers/adapter.js';
import { MemoryStore } from '../../src/store/memory.js';
import { SHOP_ORIGIN } from '../helpers/config.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';
import { json, makeHarness, type Harness } from '../helpers/harness.js';
import { SseReader } from './sse.js';

interface Shop {
  h: Harness;
  fake: FakeAdapter;
  store: MemoryStore;
  /** A checkout with one open payment (pending at the provider). */
  checkout(): Promise<{ token: string; paymentId: string; providerPaymentId: string }>;
  stream(token: string, paymentId: string, headers?: Record<string, string>): Promise<SseReader>;
  /** What the provider reports from now on; `callback`: and a provider callback says "news, ask". */
  provider(providerPaymentId: string, snapshot: ProviderSnapshot, callback?: boolean): Promise<void>;
}

const servers: Harness[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const h of servers.splice(0)) await h.server.close();
});

function shop(
  options: { live?: Partial<LiveStatusOptions>; env?: Record<string, string>; refreshIntervalMs?: number } = {},
): Shop {
  const fake = new FakeAdapter({ capabilities: { callbacks: true } });
  const store = new MemoryStore();
  const h = makeHarness({
    env: options.env ?? {},
    deps: {
      adapters: [fake],
      store,
      refreshIntervalMs: options.refreshIntervalMs ?? 60_000,
      live: { heartbeatMs: 60_000, ...options.live },
    },
  });
  servers.push(h);
  let attempt = 0;
  return {
    h,
    fake,
    store,
    async checkout() {
      const { clientToken } = await h.createSession();
      const started = await h.client(clientToken, 'POST', '/v1/checkout/payments', {
        method: 'bank',
        attemptId: `attempt-${String(++attempt).padStart(4, '0')}`,
      });
      expect(started.status).toBe(200);
      const paymentId = (await json(started)).payment.id as string;
      const providerPaymentId = (await store.getPayment(paymentId))!.providerPaymentId!;
      return { token: clientToken, paymentId, providerPaymentId };
    },
    async stream(token, paymentId, headers = {}) {
      const response = await h.client(token, 'GET', `/v1/checkout/payments/${paymentId}/events`, undefined, headers);
      expect(response.status, await (response.status === 200 ? '' : response.clone().text())).toBe(200);
      return new SseReader(response);
    },
    async provider(providerPaymentId, snapshot, callback = false) {
      fake.set(providerPaymentId, snapshot);
      if (!callback) return;
      const res = await h.request('POST', '/v1/callbacks/fake/events', {
        headers: { 'x-fake-auth': 'good' },
        // The fake's callbacks carry the status (provider status: its upper case), applied as they are.
        body: { id: providerPaymentId, event: `evt-${Math.random()}`, status: snapshot.status },
      });
      expect(res.status).toBeLessThan(300);
    },
  };
}

const NOTHING_HELD = { streams: 0, listeners: 0, polled: 0, counted: 0 };

describe('live status stream: authentication', () => {
  it('answers 401 without a valid token in the Authorization header, and never takes it from the URL', async () => {
    const s = shop();
    const { token, paymentId } = await s.checkout();
    const path = `/v1/checkout/payments/${paymentId}/events`;
    const missing = await s.h.request('GET', path);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect((await json(missing)).error.code).toBe('unauthorized');
    const bad = await s.h.client(`pwb_ct_${'A'.repeat(43)}`, 'GET', path);
    expect(bad.status).toBe(401);
    // A token in the query string is never a credential: without the header it is 401…
    for (const name of ['token', 'access_token', 'clientToken', 'authorization']) {
      const res = await s.h.request('GET', `${path}?${name}=${encodeURIComponent(token)}`);
      expect(res.status, name).toBe(401);
      // …and with the header the unknown parameter is refused (nothing in the URL is read).
      const both = await s.h.client(token, 'GET', `${path}?${name}=${encodeURIComponent(token)}`);
      expect(both.status, name).toBe(400);
      expect((await json(both)).error.code).toBe('invalid_request');
    }
    expect(s.h.server.live.held).toEqual(NOTHING_HELD);
  });

  it('answers 404 for another session’s payment and for an unknown one, identically', async () => {
    const s = shop();
    const a = await s.checkout();
    const b = await s.checkout();
    const other = await s.h.client(a.token, 'GET', `/v1/checkout/payments/${b.paymentId}/events`);
    const unknown = await s.h.client(a.token, 'GET', '/v1/checkout/payments/pay_AAAAAAAAAAAAAAAAAAAAAA/events');
    expect(other.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await other.text()).toBe(await unknown.text());
    expect(s.h.server.live.held).toEqual(NOTHING_HELD);
  });
});

describe('live status stream: events', () => {
  it('sends the current state first, exactly as the refresh route answers it, with the stream headers', async () => {
    const s = shop();
    const { token, paymentId } = await s.checkout();
    const response = await s.h.client(token, 'GET', `/v1/checkout/payments/${paymentId}/events`, undefined, {
      origin: SHOP_ORIGIN,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    const reader = new SseReader(response);
    const first = await reader.nextEvent();
    expect(first?.event).toBe('payment');
    expect(first?.raw).toMatch(/^event: payment\ndata: \{.*\}$/);
    const refreshed = await json(await s.h.client(token, 'POST', `/v1/checkout/payments/${paymentId}/refresh`));
    expect(first?.data).toEqual(refreshed);
    expect(PaymentStreamEvent.parse(first?.data)).toEqual(refreshed);
    expect(refreshed.payment).toMatchObject({ id: paymentId, status: 'pending', settled: false });
    await reader.cancel();
  });

  it('sends one event per committed change, then `end: final` and closes on a final status', async () => {
    const s = shop();
    const { token, paymentId, providerPaymentId } = await s.checkout();
    const reader = await s.stream(token, paymentId);
    expect((await reader.nextPayment()).providerStatus).toBe('CREATED');

    await s.provider(providerPaymentId, { status: 'pending', providerStatus: 'PENDING' }, true);
    expect(await reader.nextPayment()).toMatchObject({ status: 'pending', providerStatus: 'PENDING' });
    // A callback that changes nothing commits nothing: no event.
    await s.provider(providerPaymentId, { status: 'pending', providerStatus: 'PENDING' }, true);
    await s.provider(providerPaymentId, { status: 'authorized', providerStatus: 'AUTHORIZED' }, true);
    const authorized = await reader.nextPayment();
    expect(authorized).toMatchObject({ status: 'authorized', settled: false, next: { type: 'wait' } });
    await s.provider(providerPaymentId, { status: 'completed', providerStatus: 'COMPLETED' }, true);
    const completed = await reader.nextPayment();
    expect(completed).toMatchObject({ status: 'completed', settled: true, next: { type: 'none' } });
    const end = await reader.nextEvent();
    expect(end).toMatchObject({ event: 'end', data: { reason: 'final' } });
    expect(PaymentStreamEnd.parse(end?.data)).toEqual({ reason: 'final' });
    expect(await reader.next()).toBeNull(); // closed by the server
    expect(reader.messages.filter((m) => m.kind === 'event').map((m) => m.kind === 'event' && m.event)).toEqual([
      'payment',
      'payment',
      'payment',
      'payment',
      'end',
    ]);
    expect(s.h.server.live.held).toEqual(NOTHING_HELD);
  });

  it('reaches every stream of the payment at once (several tabs)', async () => {
    const s = shop();
    const { token, paymentId, providerPaymentId } = await s.checkout();
    const tabs = await Promise.all([1, 2, 3].map(() => s.stream(token, paymentId)));
    for (const tab of tabs) await tab.nextPayment();
    await s.provider(providerPaymentId, { status: 'failed', providerStatus: 'FAILED' }, true);
    for (const tab of tabs) {
      expect(await tab.nextPayment()).toMatchObject({ status: 'failed', next: { type: 'none' } });
      expect(await tab.nextEvent()).toMatchObject({ event: 'end', data: { reason: 'final' } });
    }
    expect(s.h.server.live.held).toEqual(NOTHING_HELD);
  });

  it('sends the first event and `end: final` at once for a payment that is already final', async () => {
    const s = shop();
    const { token, paymentId, providerPaymentId } = await s.checkout();
    await s.provider(providerPaymentId, { status: 'cancelled', providerStatus: 'CANCELLED' }, true);
    const reader = await s.stream(token, paymentId);
    expect(await reader.nextPayment()).toMatchObject({ status: 'cancelled' });
    expect(await reader.nextEvent()).toMatchObject({ event: 'end', data: { reason: 'final' } });
    expect(await reader.next()).toBeNull();
    expect(s.h.server.live.held).toEqual(NOTHING_HELD);
  });

  it('sends a heartbeat comment every heartbeatMs', async () => {
    const s = shop({ live: { heartbeatMs: 40 } });
    const { token, paymentId } = await s.checkout();
    const reader = await s.stream(token, paymentId);
    await reader.nextPayment();
    const beats = [await reader.next(1000), await reader.next(1000), await reader.next(1000)];
    for (const beat of beats) expect(beat).toMatchObject({ kind: 'comment', text: 'heartbeat', raw: ': heartbeat' });
    await reader.cancel();
  });

  it('ends with `end: lifetime` at its maximum age (the client reconnects)', async () => {
    const s = shop({ live: { maxLifetimeMs: 150 } });
    const { token, paymentId } = await s.checkout();
    const reader = await s.stream(token, paymentId);
    const opened = Date.now();
    await reader.nextPayment();
    expect(await reader.nextEvent(2000)).toMatchObject({ event: 'end', data: { reason: 'lifetime' } });
    expect(Date.now() - opened).toBeGreaterThanOrEqual(100);
    expect(await reader.next()).toBeNull();
    expect(s.h.server.live.held).toEqual(NOTHING_HELD);
  });

  it('lives until shortly after the payment expires, not the whole maximum', async () => {
    const s = shop({ live: { maxLifetimeMs: 60_000, expiryMarginMs: 100 } });
    const { token, paymentId } = await s.checkout();
    const record = (await s.store.getPayment(paymentId))!;
    // The provider said the shopper has until now + 100 ms.
    await s.store.updatePayment({
      paymentId,
      expectedVersion: record.version,
      patch: { expiresAt: new Date(Date.now() + 100).toISOString() },
      updatedAt: new Date().toISOString(),
      events: [],
      outbox: [],
    });
    const reader = await s.stream(token, paymentId);
    await reader.nextPayment();
    const end = await reader.nextEvent(3000);
    expect(end).toMatchObject({ event: 'end', data: { reason: 'lifetime' } });
  });

  it('ends every stream with `end: shutdown` when the server closes', async () => {
    const s = shop();
    const { token, paymentId } = await s.checkout();
    const reader = await s.stream(token, paymentId);
    await reader.nextPayment();
    await s.h.server.close();
    expect(await reader.nextEvent()).toMatchObject({ event: 'end', data: { reason: 'shutdown' } });
    expect(await reader.next()).toBeNull();
    expect(s.h.server.live.held).toEqual(NOTHING_HELD);
  });

  it('answers HEAD with the headers and opens no stream', async () => {
    const s = shop();
    const { token, paymentId } = await s.checkout();
    const res = await s.h.client(token, 'HEAD', `/v1/checkout/payments/${paymentId}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(s.h.server.live.held).toEqual(NOTHING_HELD);
  });
});

describe('live status stream: teardown', () => {
  it('leaves no listener, count, poller entry or timer behind when clients abort (cancel or signal)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const s = shop({ live: { heartbeatMs: 15_000 } });
    const { token, paymentId } = await s.checkout();
    const timersBefore = vi.getTimerCount();
    const cancelled = await Promise.all([1, 2].map(() => s.stream(token, paymentId)));
    const controller = new AbortController();
    const aborted = await s.h.server.fetch(
      new Request(`http://pwb.test/v1/checkout/payments/${paymentId}/events`, {
        headers: { authorization: `Bearer ${token}` },
        signal: controller.signal,
      }),
    );
    expect(aborted.status).toBe(200);
    for (const reader of cancelled) await reader.nextPayment();
    expect(s.h.server.live.held).toEqual({ streams: 3, listeners: 3, polled: 1, counted: 3 });
    // Per stream a heartbeat and a lifetime timer, and the poller's one for the payment.
    expect(vi.getTimerCount() - timersBefore).toBe(7);
    vi.advanceTimersByTime(15_000);

    for (const reader of cancelled) await reader.cancel();
    expect(s.h.server.live.held).toEqual({ streams: 1, listeners: 1, polled: 1, counted: 1 });
    controller.abort();
    expect(s.h.server.live.held).toEqual(NOTHING_HELD);
    expect(vi.getTimerCount()).toBe(timersBefore);
  });
});

describe('live status stream: limits', () => {
  it('bounds open streams per checkout session (429 rate_limited with Retry-After); closing one frees a place', async () => {
    const s = shop({ live: { maxStreamsPerSession: 2 } });
    const { token, paymentId } = await s.checkout();
    const open = [await s.stream(token, paymentId), await s.stream(token, paymentId)];
    const refused = await s.h.client(token, 'GET', `/v1/checkout/payments/${paymentId}/events`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await json(refused)).toMatchObject({ error: { code: 'rate_limited', retryable: true } });
    // Another checkout is not affected.
    const other = await s.checkout();
    const otherStream = await s.stream(other.token, other.paymentId);
    await open[0]!.cancel();
    const again = await s.stream(token, paymentId);
    for (const reader of [open[1]!, otherStream, again]) await reader.cancel();
    expect(s.h.server.live.held).toEqual(NOTHING_HELD);
  });

  it('bounds open streams per client address', async () => {
    const s = shop({
      env: { PWB_TRUSTED_PROXY_HEADER: 'x-forwarded-for' },
      live: { maxStreamsPerAddress: 2, maxStreamsPerSession: 0 },
    });
    const shoppers = [await s.checkout(), await s.checkout(), await s.checkout()];
    const from = (address: string) => ({ 'x-forwarded-for': address });
    const a = await s.stream(shoppers[0]!.token, shoppers[0]!.paymentId, from('203.0.113.7'));
    const b = await s.stream(shoppers[1]!.token, shoppers[1]!.paymentId, from('203.0.113.7'));
    const refused = await s.h.client(
      shoppers[2]!.token,
      'GET',
      `/v1/checkout/payments/${shoppers[2]!.paymentId}/events`,
      undefined,
      from('203.0.113.7'),
    );
    expect(refused.status).toBe(429);
    const elsewhere = await s.stream(shoppers[2]!.token, shoppers[2]!.paymentId, from('198.51.100.1'));
    for (const reader of [a, b, elsewhere]) await reader.cancel();
    expect(s.h.server.live.held).toEqual(NOTHING_HELD);
  });

  it('spends the per-minute request budget of the session on each open', async () => {
    const s = shop({ env: { PWB_RATE_LIMIT_PER_MINUTE: '3' } });
    const { token, paymentId } = await s.checkout(); // the start spent one
    const one = await s.stream(token, paymentId);
    const two = await s.stream(token, paymentId);
    const third = await s.h.client(token, 'GET', `/v1/checkout/payments/${paymentId}/events`);
    expect(third.status).toBe(429);
    await one.cancel();
    await two.cancel();
  });
});

describe('live status stream: watching drives polling', () => {
  it('asks the provider on its schedule while a stream watches, so a change nobody calls back reaches it', async () => {
    const s = shop({ refreshIntervalMs: 100 });
    const { token, paymentId, providerPaymentId } = await s.checkout();
    const reader = await s.stream(token, paymentId);
    await reader.nextPayment();
    // No callback, no browser refresh: only the watch finds out.
    await s.provider(providerPaymentId, { status: 'completed', providerStatus: 'DONE' });
    expect(await reader.nextPayment(3000)).toMatchObject({ status: 'completed', settled: true });
    expect(await reader.nextEvent()).toMatchObject({ event: 'end', data: { reason: 'final' } });
    const events = await s.store.listPaymentEvents(paymentId);
    expect(events.at(-1)).toMatchObject({ source: 'watch', status: 'completed' });
    // Nothing polls a payment nobody watches.
    const calls = s.fake.calls.refresh.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s.fake.calls.refresh.length).toBe(calls);
  });

  it('makes at most one provider call per interval however many streams watch, and none once they are gone', async () => {
    const s = shop({ refreshIntervalMs: 200 });
    const { token, paymentId } = await s.checkout();
    const calls = () => s.fake.calls.refresh.length;
    const before = calls();
    const tabs = await Promise.all([1, 2, 3].map(() => s.stream(token, paymentId)));
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const elapsed = Date.now() - started;
    const made = calls() - before;
    // One call at once (never polled before), then one per 200 ms interval.
    expect(made).toBeGreaterThanOrEqual(3);
    expect(made).toBeLessThanOrEqual(Math.floor(elapsed / 200) + 1);
    for (const tab of tabs) await tab.cancel();
    const after = calls();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(calls()).toBe(after);
    expect(s.h.server.live.held).toEqual(NOTHING_HELD);
  });

  it('keeps polling after a failed provider call', async () => {
    const s = shop({ refreshIntervalMs: 100 });
    const { token, paymentId, providerPaymentId } = await s.checkout();
    s.h.server.services.logger.warn = () => {};
    s.fake.failNext.refresh = new Error('connection reset');
    const reader = await s.stream(token, paymentId);
    await reader.nextPayment();
    await s.provider(providerPaymentId, { status: 'completed', providerStatus: 'DONE' });
    expect(await reader.nextPayment(5000)).toMatchObject({ status: 'completed' });
  });
});
