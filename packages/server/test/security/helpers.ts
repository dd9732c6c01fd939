/** Shared set-up of the security tests: a server with a fully capable fake provider, and two shoppers. */
import type { Env } from '../../src/config.js';
import { startServer } from '../../src/node.js';
import { MemoryStore } from '../../src/store/memory.js';
import { TestClock } from '../helpers/clock.js';
import { testConfig } from '../helpers/config.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';
import { json, makeHarness, type Harness } from '../helpers/harness.js';

export interface Shopper {
  token: string;
  sessionId: string;
  paymentId: string;
  reference: string;
}

export interface SecurityWorld {
  h: Harness;
  fake: FakeAdapter;
  store: MemoryStore;
  clock: TestClock;
  /** Start a checkout (session + one started payment) for a new shopper. */
  shopper(reference: string, overrides?: Record<string, unknown>): Promise<Shopper>;
}

export function securityWorld(env: Env = {}): SecurityWorld {
  const fake = new FakeAdapter({ capabilities: { capture: true, cancel: true, refund: true, callbacks: true } });
  const store = new MemoryStore();
  const clock = new TestClock();
  const h = makeHarness({ env, deps: { adapters: [fake], store, now: clock.now } });
  let attempt = 0;
  return {
    h,
    fake,
    store,
    clock,
    async shopper(reference, overrides = {}) {
      const { clientToken, session } = await h.createSession({ reference, ...overrides });
      const started = await h.client(clientToken, 'POST', '/v1/checkout/payments', {
        method: 'bank',
        attemptId: `attempt-${String(++attempt).padStart(4, '0')}`,
      });
      if (started.status !== 200) throw new Error(`start failed: ${started.status} ${await started.text()}`);
      return { token: clientToken, sessionId: session.id, paymentId: (await json(started)).payment.id, reference };
    },
  };
}

/** Everything a test could see change: store rows and provider calls. */
export async function stateOf(world: SecurityWorld): Promise<string> {
  const payments = await world.store.listPayments({ limit: 1000 });
  return JSON.stringify({
    stats: await world.store.stats(),
    payments,
    events: await Promise.all(payments.map((p) => world.store.listPaymentEvents(p.id))),
    calls: world.fake.calls,
  });
}

/** Run `use` against the real Node entry point (an ephemeral port, a fake provider), then close it. */
export async function overHttp<T>(env: Env, use: (url: string) => Promise<T>, store = new MemoryStore()): Promise<T> {
  const running = await startServer(testConfig({ ...env, PWB_PORT: '0' }), {
    store,
    adapters: [new FakeAdapter()],
    backgroundWorkers: false,
  });
  try {
    return await use(running.url);
  } finally {
    await running.close();
  }
}
