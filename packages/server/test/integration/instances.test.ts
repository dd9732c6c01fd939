/**
 * Several server instances on one PostgreSQL database, in one process: each instance is a
 * createServer with a PostgresStore (a pool) of its own on a shared schema, as separate processes
 * have; the provider is one FakeAdapter they all call, so its call counts are the judge. Each
 * in-process lock (KeyedMutex) belongs to one instance here, so only what the database holds can
 * keep the instances from doing the same work twice. The same scenarios over real processes, with
 * the sandbox and kill -9, are in test/scale/.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type PayWithBankServer } from '../../src/app.js';
import type { CreatePaymentInput, CreatedProviderPayment } from '../../src/providers/adapter.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { testConfig, WEBHOOK_SECRET } from '../helpers/config.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';
import { json, makeHarnessFor, type Harness } from '../helpers/harness.js';
import { freshSchemaUrl, sharedPostgresUrl } from '../helpers/postgres.js';

/** A provider whose creates answer only when the test says so. */
class GatedAdapter extends FakeAdapter {
  /** Creates that reached the provider (answered or still held). */
  entered = 0;
  private release!: () => void;
  private gate = new Promise<void>((resolve) => (this.release = resolve));
  open(): void {
    this.release();
  }
  override async createPayment(input: CreatePaymentInput): Promise<CreatedProviderPayment> {
    this.entered++;
    await this.gate;
    return super.createPayment(input);
  }
  async reached(): Promise<void> {
    while (this.entered === 0) await new Promise((r) => setTimeout(r, 10));
  }
}

interface Instances {
  harnesses: Harness[];
  servers: PayWithBankServer[];
  stores: PostgresStore[];
}

const running: Instances[] = [];
afterEach(async () => {
  for (const { servers, stores } of running.splice(0)) {
    for (const server of servers) await server.close();
    for (const store of stores) await store.close();
  }
});

/** `n` instances on one new schema, calling `adapter`; merchant notifications go to `fetch`. */
async function instances(
  n: number,
  adapter: FakeAdapter,
  options: { env?: Record<string, string>; fetch?: typeof fetch } = {},
): Promise<Instances> {
  const url = await freshSchemaUrl(await sharedPostgresUrl());
  const stores = Array.from({ length: n }, () => new PostgresStore({ url, poolSize: 4 }));
  const config = testConfig({
    PWB_RATE_LIMIT_PER_MINUTE: '0',
    PWB_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
    PWB_WEBHOOK_URL: 'https://merchant.example/hooks',
    PWB_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ...options.env,
  });
  const servers = stores.map((store) =>
    createServer(config, {
      store,
      adapters: [adapter],
      backgroundWorkers: false,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    }),
  );
  const made = { harnesses: servers.map(makeHarnessFor), servers, stores };
  running.push(made);
  return made;
}

const start = (h: Harness, token: string, attemptId: string) =>
  h.client(token, 'POST', '/v1/checkout/payments', { method: 'bank', attemptId, bankId: 'DK_Bank' });

describe('several instances on one PostgreSQL database', () => {
  it('a start on one instance waits for the same choice being created on another: one provider payment', async () => {
    const provider = new GatedAdapter();
    const { harnesses } = await instances(3, provider);
    const [a, b, c] = harnesses as [Harness, Harness, Harness];
    const { clientToken } = await a.createSession();

    const first = start(a, clientToken, 'attempt-a-0001');
    await provider.reached(); // A has written its row and is at the provider
    // Another tab (a new attempt id) on B, the same attempt again on C: both wait for A's create.
    const second = start(b, clientToken, 'attempt-b-0002');
    const again = start(c, clientToken, 'attempt-a-0001');
    await new Promise((r) => setTimeout(r, 300));
    provider.open();
    const answers = await Promise.all([first, second, again].map(async (r) => [(await r).status, await json(await r)]));
    expect(answers.map(([status]) => status)).toEqual([200, 200, 200]);
    const ids = new Set(answers.map(([, body]) => body.payment.id));
    expect(ids.size).toBe(1);
    expect(answers.every(([, body]) => body.redirectUrl === 'https://provider.example/pay/fake-1')).toBe(true);
    expect(provider.entered).toBe(1);
  });

  it('gives up waiting for a create that never finishes (its instance died): payment_in_progress, no second provider call', async () => {
    const provider = new GatedAdapter();
    // Another instance's create takes at most PWB_PROVIDER_TIMEOUT_MS + 2 s.
    const { harnesses } = await instances(2, provider, { env: { PWB_PROVIDER_TIMEOUT_MS: '500' } });
    const [a, b] = harnesses as [Harness, Harness];
    const { clientToken } = await a.createSession();
    void start(a, clientToken, 'attempt-a-0001'); // hangs at the provider for good
    await provider.reached();

    const began = Date.now();
    const blocked = await start(b, clientToken, 'attempt-b-0002');
    expect(blocked.status).toBe(409);
    expect((await json(blocked)).error.code).toBe('payment_in_progress');
    // It waited for the row to be as old as a create may take (2.5 s), not a moment more than needed.
    expect(Date.now() - began).toBeGreaterThan(1_500);
    expect(Date.now() - began).toBeLessThan(6_000);
    expect(provider.entered).toBe(1);
  });

  it('30 concurrent starts with 30 attempt ids over three instances: one provider payment', async () => {
    const provider = new FakeAdapter({ latencyMs: 50 });
    const { harnesses } = await instances(3, provider);
    const { clientToken } = await harnesses[0]!.createSession();
    const answers = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const response = await start(harnesses[i % 3]!, clientToken, `attempt-${String(i).padStart(4, '0')}`);
        return { status: response.status, body: await json(response) };
      }),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
    expect(new Set(answers.map((a) => a.body.payment.id)).size).toBe(1);
    expect(provider.calls.create).toHaveLength(1);
  });

  it('asks the provider about a payment once per interval, whichever instance is polled', async () => {
    const provider = new FakeAdapter();
    const { harnesses } = await instances(3, provider);
    const { clientToken } = await harnesses[0]!.createSession();
    const started = await json(await start(harnesses[0]!, clientToken, 'attempt-0001'));
    const path = `/v1/checkout/payments/${started.payment.id}/refresh`;
    await new Promise((r) => setTimeout(r, 1_050)); // past the interval the create started
    const polls = await Promise.all(
      Array.from({ length: 30 }, (_, i) => harnesses[i % 3]!.client(clientToken, 'POST', path)),
    );
    expect(polls.map((p) => p.status)).toEqual(Array(30).fill(200));
    expect(provider.calls.refresh).toHaveLength(1);
  });

  it('shares the reconciler’s work: each due payment checked by one instance', async () => {
    const provider = new FakeAdapter();
    const { harnesses, servers, stores } = await instances(3, provider);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const { clientToken } = await harnesses[0]!.createSession({ reference: `ORDER-${i}` });
      ids.push((await json(await start(harnesses[0]!, clientToken, 'attempt-0001'))).payment.id);
    }
    // Checked long ago: every one is due.
    for (const id of ids) await stores[0]!.markPaymentChecked(id, '2000-01-01T00:00:00.000Z');
    await new Promise((r) => setTimeout(r, 1_050)); // past the provider-call interval of the creates
    const checked = await Promise.all(servers.map((s) => s.reconciler.runOnce()));
    expect(checked.reduce((a, b) => a + b, 0)).toBe(12);
    expect([...provider.calls.refresh].sort()).toEqual(Array.from({ length: 12 }, (_, i) => `fake-${i + 1}`).sort());
  });

  it('delivers each merchant notification once when every instance’s outbox worker runs at once', async () => {
    const provider = new FakeAdapter();
    const delivered: string[] = [];
    const fetchStub: typeof fetch = async (_url, init) => {
      const id = new Headers(init?.headers).get('pwb-event-id')!;
      await new Promise((r) => setTimeout(r, 5));
      delivered.push(id);
      return new Response(null, { status: 204 });
    };
    const { harnesses, servers, stores } = await instances(3, provider, { fetch: fetchStub });
    for (let i = 0; i < 10; i++) {
      const { clientToken } = await harnesses[i % 3]!.createSession({ reference: `ORDER-${i}` });
      await start(harnesses[i % 3]!, clientToken, 'attempt-0001');
    }
    const rows = await stores[0]!.listOutbox();
    expect(rows).toHaveLength(10); // payment.pending of each
    await Promise.all(servers.map((s) => s.outbox!.runOnce()));
    expect([...delivered].sort()).toEqual(rows.map((r) => r.id).sort());
    expect((await stores[1]!.listOutbox()).every((r) => r.deliveredAt !== null)).toBe(true);
  });

  it('never captures more than was authorised, whatever instances the merchant’s captures reach', async () => {
    const provider = new FakeAdapter({ capabilities: { capture: true } });
    const { harnesses } = await instances(3, provider);
    const { clientToken } = await harnesses[0]!.createSession();
    const started = await json(await start(harnesses[0]!, clientToken, 'attempt-0001'));
    provider.set('fake-1', { status: 'authorized', providerStatus: 'AUTHORIZED', authorizedAmount: 12500 });
    // 20 captures of 1000 (different keys) for 12,500 authorised: at most 12 can succeed.
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        harnesses[i % 3]!.merchant(
          'POST',
          `/v1/payments/${started.payment.id}/capture`,
          { amount: 1000 },
          { 'idempotency-key': `capture-key-${String(i).padStart(4, '0')}` },
        ),
      ),
    );
    const ok = answers.filter((a) => a.status === 200).length;
    expect(ok).toBe(12);
    expect(answers.filter((a) => a.status === 422)).toHaveLength(8);
    expect(provider.calls.capture).toHaveLength(12);
    const payment = (await json(await harnesses[2]!.merchant('GET', `/v1/payments/${started.payment.id}`))).payment;
    expect(payment.capturedAmount).toBe(12000);
    expect(provider.state.get('fake-1')!.capturedAmount).toBe(12000);
  });

  it('shares the rate limits: two instances allow one budget per address and per checkout, not one each', async () => {
    const { harnesses } = await instances(2, new FakeAdapter(), {
      env: {
        PWB_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '6',
        PWB_RATE_LIMIT_PER_MINUTE: '3',
        PWB_TRUSTED_PROXY_HEADER: 'x-forwarded-for',
      },
    });
    const { clientToken } = await harnesses[0]!.createSession();
    const read = (h: Harness, address: string) =>
      h.client(clientToken, 'GET', '/v1/checkout/session', undefined, { 'x-forwarded-for': address });
    // Per checkout: 3 a minute over both instances (each from its own address).
    const session = [];
    for (let i = 0; i < 4; i++) session.push((await read(harnesses[i % 2]!, `203.0.113.${i + 1}`)).status);
    expect(session).toEqual([200, 200, 200, 429]);
    // Per address: 6 a minute over both instances (refused tokens count too).
    const stranger = (h: Harness) =>
      h.request('GET', '/v1/checkout/session', {
        headers: { authorization: 'Bearer pwb_ct_unknown-token-unknown', 'x-forwarded-for': '198.51.100.9' },
      });
    const address = [];
    for (let i = 0; i < 8; i++) address.push((await stranger(harnesses[i % 2]!)).status);
    expect(address).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    const limited = await stranger(harnesses[1]!);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('replays one Idempotency-Key sent to two instances at once instead of reaching the provider twice', async () => {
    const provider = new FakeAdapter({ capabilities: { capture: true } });
    const { harnesses } = await instances(2, provider);
    const { clientToken } = await harnesses[0]!.createSession();
    const started = await json(await start(harnesses[0]!, clientToken, 'attempt-0001'));
    provider.set('fake-1', { status: 'authorized', providerStatus: 'AUTHORIZED', authorizedAmount: 12500 });
    const capture = (h: Harness) =>
      h.merchant('POST', `/v1/payments/${started.payment.id}/capture`, undefined, {
        'idempotency-key': 'capture-once-0001',
      });
    const [one, two] = await Promise.all([capture(harnesses[0]!), capture(harnesses[1]!)]);
    expect([one!.status, two!.status]).toEqual([200, 200]);
    expect([one!.headers.get('idempotent-replayed'), two!.headers.get('idempotent-replayed')].sort()).toEqual([
      null,
      'true',
    ]);
    expect(await one!.text()).toBe(await two!.text());
    expect(provider.calls.capture).toHaveLength(1);
  });
});
