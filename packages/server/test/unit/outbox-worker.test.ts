/**
 * The outbox worker's delivery order and concurrency: one payment's notifications one at a time and
 * in order, other payments' alongside (a slow delivery holds up one lane only), and two workers on
 * one store (two instances) never delivering one row at once.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { OutboxWorker } from '../../src/notifications/outbox-worker.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { OutboxRecord } from '../../src/store/store.js';
import { eventRecord, outboxRecord, paymentRecord, sessionRecord } from '../store/contract.js';
import { WEBHOOK_SECRET } from '../helpers/config.js';

const NOW = new Date('2030-01-01T00:01:00.000Z');

/** `perPayment[i]` notifications for payment i, all due. */
async function outboxOf(store: MemoryStore, perPayment: number[]): Promise<OutboxRecord[][]> {
  const s = sessionRecord();
  await store.insertSession(s);
  const made: OutboxRecord[][] = [];
  for (const count of perPayment) {
    const p = paymentRecord(s);
    await store.insertPayment(p, eventRecord(p));
    const rows = Array.from({ length: count }, (_, i) =>
      outboxRecord(p, { nextAttemptAt: `2030-01-01T00:00:0${i}.000Z`, payload: JSON.stringify({ n: i }) }),
    );
    await store.updatePayment({
      paymentId: p.id,
      expectedVersion: 1,
      patch: {},
      updatedAt: 't',
      events: [],
      outbox: rows,
    });
    made.push(rows);
  }
  return made;
}

/** A merchant endpoint that records event ids and can hold the deliveries of chosen events. */
function endpoint(hold: Set<string> = new Set()) {
  const received: string[] = [];
  const inFlight = new Set<string>();
  let most = 0;
  const releases = new Map<string, () => void>();
  const fetch: typeof globalThis.fetch = async (_url, init) => {
    const id = new Headers(init?.headers).get('pwb-event-id')!;
    inFlight.add(id);
    most = Math.max(most, inFlight.size);
    if (hold.has(id)) await new Promise<void>((resolve) => releases.set(id, resolve));
    else await new Promise((r) => setTimeout(r, 2));
    inFlight.delete(id);
    received.push(id);
    return new Response(null, { status: 204 });
  };
  return { fetch, received, inFlight, most: () => most, release: (id: string) => releases.get(id)?.() };
}

const worker = (store: MemoryStore, fetch: typeof globalThis.fetch, workerId: string) =>
  new OutboxWorker({
    store,
    webhook: { url: 'https://merchant.example/hooks', secret: WEBHOOK_SECRET },
    fetch,
    logger: createLogger({ level: 'silent' }),
    now: () => NOW,
    workerId,
    concurrency: 4,
  });

describe('outbox worker', () => {
  it('delivers one payment’s notifications in order, one at a time, and other payments’ meanwhile', async () => {
    const store = new MemoryStore();
    const [slow, ...others] = await outboxOf(store, [3, 2, 2, 2, 2, 2]);
    const merchant = endpoint(new Set([slow![0]!.id]));
    const run = worker(store, merchant.fetch, 'w1').runOnce();
    // The first notification of one payment hangs: every other payment's still get through.
    const deadline = Date.now() + 5_000;
    while (merchant.received.length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect([...merchant.received].sort()).toEqual(
      others
        .flat()
        .map((o) => o.id)
        .sort(),
    );
    expect(merchant.most()).toBeLessThanOrEqual(4);
    for (const rows of others) {
      expect(merchant.received.filter((id) => rows.some((o) => o.id === id))).toEqual(rows.map((o) => o.id));
    }
    // Nothing after it for that payment until it is answered; then the rest, in order.
    expect(merchant.received.some((id) => slow!.some((o) => o.id === id))).toBe(false);
    merchant.release(slow![0]!.id);
    expect(await run).toBe(13);
    expect(merchant.received.filter((id) => slow!.some((o) => o.id === id))).toEqual(slow!.map((o) => o.id));
    expect((await store.listOutbox()).every((o) => o.deliveredAt !== null)).toBe(true);
  });

  it('two workers on one store never deliver one notification twice, nor one payment’s two at once', async () => {
    const store = new MemoryStore();
    const rows = await outboxOf(store, [3, 3, 3, 3, 3, 3]);
    const merchant = endpoint();
    const concurrentPerPayment: string[] = [];
    const fetch: typeof globalThis.fetch = async (url, init) => {
      const id = new Headers(init?.headers).get('pwb-event-id')!;
      const payment = rows.findIndex((r) => r.some((o) => o.id === id));
      const busy = [...merchant.inFlight].some((other) => rows[payment]!.some((o) => o.id === other));
      if (busy) concurrentPerPayment.push(id);
      return merchant.fetch(url, init);
    };
    const delivered = await Promise.all([worker(store, fetch, 'a').runOnce(), worker(store, fetch, 'b').runOnce()]);
    expect(delivered[0]! + delivered[1]!).toBe(18);
    expect([...merchant.received].sort()).toEqual(
      rows
        .flat()
        .map((o) => o.id)
        .sort(),
    );
    expect(concurrentPerPayment).toEqual([]);
  });
});
