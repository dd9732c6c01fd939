/**
 * Random fault scripts (fast-check, fixed seed; PWB_FAULT_SEED / PWB_FAULT_RUNS to vary): up to
 * six faults of every kind, aimed at the create, the status reads, the token or anything, injected
 * before the start, after the shopper acted and before the reconciler runs. The shopper behaves
 * like the element (a new attempt after a provider error), then refreshes on the return page; the
 * provider recovers; the reconciler runs. Whatever happened, the payment ends in the status the
 * shopper's action implies, no status ever went backwards, no attempt was created twice at the
 * provider, and exactly one provider payment was acted on: ours. The same scripts (same seed) on
 * each store (memory, PostgreSQL).
 */
import { isTerminal, type PaymentStatus } from '@pay-with-bank/protocol';
import type { FaultEffect, InjectedFault } from '@pay-with-bank/sandbox';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveOrderId } from '../../src/providers/vipps/ids.js';
import { json } from '../helpers/harness.js';
import {
  forEachStore,
  makeFaultWorld,
  newAttemptId,
  reconcilerFor,
  type FaultWorld,
  type StoreKind,
  type VippsApi,
} from './world.js';
import { STATUS_RANK } from '../../src/payments/status-rules.js';

type Provider = 'mastercard' | VippsApi;
type Action = 'approve' | 'reject' | 'cancel' | 'fail' | 'expire';
/** `status`: eCom's deprecated status read, which tells a timeout from a cancel (after the create). */
type Target = 'any' | 'create' | 'read' | 'token' | 'status';

interface PlannedFault {
  effect: FaultEffect;
  target: Target;
  phase: 0 | 1 | 2;
  count: number;
}

const EXPECTED: Record<Action, PaymentStatus> = {
  approve: 'completed',
  reject: 'cancelled',
  cancel: 'cancelled',
  fail: 'failed',
  expire: 'expired',
};
const RETRYABLE_PROVIDER_CODES = ['provider_unavailable', 'provider_timeout', 'provider_error'];

const effectArb: fc.Arbitrary<FaultEffect> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .constantFrom(429, 502, 503, 504, 500)
      .map((status) => ({ kind: 'status', status, retryAfterSeconds: 0 }) as const),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'malformed' } as const) },
  { weight: 2, arbitrary: fc.constant({ kind: 'truncated' } as const) },
  { weight: 2, arbitrary: fc.constant({ kind: 'missing-fields' } as const) },
  { weight: 3, arbitrary: fc.boolean().map((afterProcessing) => ({ kind: 'reset', afterProcessing }) as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'hang', ms: 350 } as const) },
);

const scenarioArb = (provider: Provider) =>
  fc.record({
    // Callbacks / webhooks delivered or lost: without them, the status comes from our reads only.
    deliveries: fc.boolean(),
    // The paying journey weighs most; every other ending is in the mix.
    action: fc.oneof(
      { weight: 3, arbitrary: fc.constant<Action>('approve') },
      {
        weight: 2,
        arbitrary: fc.constantFrom<Action>(
          ...(provider === 'mastercard' ? (['reject', 'cancel', 'fail'] as const) : (['reject', 'expire'] as const)),
        ),
      },
    ),
    faults: fc.array(
      fc.record({
        effect: effectArb,
        target: fc.constantFrom<Target>(
          ...(provider === 'mastercard'
            ? (['any', 'create', 'read'] as const)
            : provider === 'ecom'
              ? (['any', 'create', 'read', 'token', 'status'] as const)
              : (['any', 'create', 'read', 'token'] as const)),
        ),
        phase: fc.constantFrom(0 as const, 1 as const, 2 as const),
        count: fc.integer({ min: 1, max: 2 }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  });

function prefixOf(provider: Provider, target: Target, providerPaymentId: string | null): string | undefined {
  if (target === 'any') return undefined;
  if (target === 'status') {
    return providerPaymentId ? `/ecomm/v2/payments/${providerPaymentId}/status` : '/ecomm/v2/payments/';
  }
  if (provider === 'mastercard') return target === 'create' ? '/v1/payments/create' : '/v1/payments/';
  if (target === 'token') return '/accesstoken/';
  if (provider === 'ecom') return target === 'create' ? '/ecomm/v2/payments' : '/ecomm/v2/payments/';
  return target === 'create' ? '/epayment/v1/payments' : '/epayment/v1/payments/';
}

function inject(
  world: FaultWorld,
  provider: Provider,
  faults: PlannedFault[],
  phase: number,
  providerPaymentId: string | null = null,
): void {
  for (const fault of faults.filter((f) => f.phase === phase)) {
    const pathPrefix = prefixOf(provider, fault.target, providerPaymentId);
    const injected: InjectedFault = { ...fault.effect, ...(pathPrefix ? { pathPrefix } : {}) };
    if (provider === 'mastercard') world.mc.injectFaults(injected, fault.count);
    else world.vipps.injectFaults(injected, fault.count);
  }
}

const clearFaults = (world: FaultWorld) => {
  world.mc.clearFaults();
  world.vipps.clearFaults();
};

/** The shopper's end state: terminal, or authorised where that means paid (Vipps). */
const settled = (provider: Provider, status: PaymentStatus) =>
  isTerminal(status) || (provider !== 'mastercard' && status === 'authorized');

const expectedStatus = (provider: Provider, action: Action): PaymentStatus =>
  provider !== 'mastercard' && action === 'approve' ? 'authorized' : EXPECTED[action];

interface Summary {
  runs: number;
  faults: number;
  attempts: number;
  providerCalls: number;
  outcomes: Record<string, number>;
}

async function runScenario(
  store: StoreKind,
  provider: Provider,
  scenario: { action: Action; faults: PlannedFault[]; deliveries: boolean },
  summary: Summary,
) {
  const world = await makeFaultWorld({
    store,
    ...(provider === 'mastercard' ? {} : { vipps: provider }),
    deliveries: scenario.deliveries,
    env: { PWB_PROVIDER_TIMEOUT_MS: '150' },
  });
  try {
    await playScenario(world, provider, scenario, summary);
  } finally {
    // One world per script: closed before the next one opens (a PostgreSQL store holds connections).
    await world.close();
  }
}

async function playScenario(
  world: FaultWorld,
  provider: Provider,
  scenario: { action: Action; faults: PlannedFault[]; deliveries: boolean },
  summary: Summary,
) {
  const bank = scenario.action === 'fail' ? 'DK_FailBank' : 'DK_TestBank';
  const method = provider === 'mastercard' ? 'bank' : 'vipps';
  const { clientToken } = await world.createSession(
    provider === 'mastercard' ? {} : { amount: { value: 49_900, currency: 'NOK' }, description: 'Vipps socks' },
  );
  inject(world, provider, scenario.faults, 0);

  // The element: Pay; after a provider error, "Try again" is a new attempt.
  let started: { payment: { id: string }; redirectUrl: string } | null = null;
  for (let attempt = 0; attempt < 16 && !started; attempt++) {
    summary.attempts++;
    const res = await world.client(clientToken, 'POST', '/v1/checkout/payments', {
      method,
      attemptId: newAttemptId(),
      ...(method === 'bank' ? { bankId: bank } : { phoneNumber: '91234567' }),
    });
    const body = await json(res);
    if (res.status === 200) started = body;
    else expect(RETRYABLE_PROVIDER_CODES, JSON.stringify(body)).toContain(body.error.code);
  }
  expect(started, 'the payment never started').not.toBeNull();
  const paymentId = started!.payment.id;
  const stored = await world.server.services.store.getPayment(paymentId);
  const providerPaymentId = stored!.providerPaymentId!;

  inject(world, provider, scenario.faults, 1, providerPaymentId);
  if (provider === 'mastercard') {
    const journey = scenario.action === 'approve' || scenario.action === 'fail' ? 'confirm' : scenario.action;
    await world.shopperAtBank(started!.redirectUrl, { action: journey as 'confirm' | 'reject' | 'cancel' });
  } else {
    if (scenario.action === 'approve') world.vipps.approve(providerPaymentId, '91234567');
    else if (scenario.action === 'reject') world.vipps.reject(providerPaymentId);
    else world.vipps.expire(providerPaymentId);
    await world.settle();
  }

  // The return page polls; every answer is a status or a typed, retryable error.
  const seen: PaymentStatus[] = [];
  for (let poll = 0; poll < 6; poll++) {
    world.clock.advance(2_100);
    const res = await world.client(clientToken, 'POST', `/v1/checkout/payments/${paymentId}/refresh`);
    const body = await json(res);
    if (res.status !== 200) {
      expect(RETRYABLE_PROVIDER_CODES, JSON.stringify(body)).toContain(body.error.code);
      expect(body.error.retryable).toBe(true);
      continue;
    }
    seen.push(body.payment.status);
    if (settled(provider, body.payment.status)) break;
  }

  // The reconciler, first while faults remain, then after the provider recovered.
  inject(world, provider, scenario.faults, 2, providerPaymentId);
  const reconciler = reconcilerFor(world, 1_000);
  const expected = expectedStatus(provider, scenario.action);
  const current = async () => (await world.server.services.store.getPayment(paymentId))!;
  for (let step = 0; step < 200 && (await current()).status !== expected; step++) {
    if (step === 5) clearFaults(world);
    await world.advance(step < 5 ? 1_000 : 10_000);
    await reconciler.runOnce();
  }

  const final = await current();
  expect(final.status, `final status (${scenario.action})`).toBe(expected);
  for (let i = 1; i < seen.length; i++) expect(STATUS_RANK[seen[i]!]).toBeGreaterThanOrEqual(STATUS_RANK[seen[i - 1]!]);
  const history = (await world.server.services.store.listPaymentEvents(paymentId)).map((e) => e.status);
  for (let i = 1; i < history.length; i++)
    expect(STATUS_RANK[history[i]!]).toBeGreaterThanOrEqual(STATUS_RANK[history[i - 1]!]);

  // One provider payment per attempt at most; exactly one acted on by the shopper, and it is ours.
  const ours = await world.server.services.store.listSessionPayments(final.sessionId);
  if (provider === 'mastercard') {
    // Provider payments, not create calls: a create answered 429 is retried, and made nothing.
    expect(world.mc.listPayments().length).toBeLessThanOrEqual(ours.length);
    const acted = world.mc.listPayments().filter((p) => p.status.code !== 'Preparing');
    expect(acted.map((p) => p.paymentId)).toEqual([providerPaymentId]);
  } else {
    const references = new Set(ours.map((p) => deriveOrderId('shop1', p.id)));
    const created = Object.entries(world.vipps.stats().byPayment)
      .filter(([, stats]) =>
        Object.keys(stats.byRoute).some((route) => /^POST \/(ecomm\/v2|epayment\/v1)\/payments$/.test(route)),
      )
      .map(([id]) => id)
      .filter((id) => world.vipps.inspect(id) !== undefined);
    for (const id of created) expect(references.has(id)).toBe(true);
    const acted = created.filter((id) => {
      const inspection = world.vipps.inspect(id)!;
      return inspection.kind === 'ecom'
        ? inspection.payment.status !== 'initiated'
        : inspection.payment.view.state !== 'CREATED';
    });
    expect(acted).toEqual([providerPaymentId]);
  }

  summary.runs++;
  summary.faults += scenario.faults.length;
  summary.providerCalls += world.calls.length;
  summary.outcomes[final.status] = (summary.outcomes[final.status] ?? 0) + 1;
}

const SEED = Number(process.env.PWB_FAULT_SEED ?? 20300115);
const RUNS = Number(process.env.PWB_FAULT_RUNS ?? 20);

forEachStore((store) => {
  describe('random fault scripts', () => {
    it.each(['mastercard', 'ecom', 'epayment'] as const)(
      '%s: every script ends in the right status with one provider payment',
      async (provider) => {
        const summary: Summary = { runs: 0, faults: 0, attempts: 0, providerCalls: 0, outcomes: {} };
        await fc.assert(
          fc.asyncProperty(scenarioArb(provider), (scenario) => runScenario(store, provider, scenario, summary)),
          { seed: SEED, numRuns: RUNS, endOnFailure: true },
        );
        console.log(
          `[faults] ${provider} (${store}): ${summary.runs} scripts, ${summary.faults} faults, ${summary.attempts} start attempts, ${summary.providerCalls} provider calls, outcomes ${JSON.stringify(summary.outcomes)} (seed ${SEED})`,
        );
        expect(summary.runs).toBe(RUNS);
      },
      120_000,
    );
  });
});
