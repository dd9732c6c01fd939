import { isTerminal, PaymentStatus, type PaymentStatus as Status } from '@pay-with-bank/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planSnapshot, STATUS_RANK } from '../../src/payments/status-rules.js';
import type { ProviderSnapshot } from '../../src/providers/adapter.js';
import type { PaymentRecord } from '../../src/store/store.js';

function payment(overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    id: 'pay_0000000000000000',
    sessionId: 'cs_0000000000000000',
    attemptId: 'attempt-1',
    method: 'bank',
    adapterId: 'fake',
    providerPaymentId: 'p1',
    status: 'pending',
    providerStatus: 'Preparing',
    bankId: null,
    reference: 'R',
    amount: 10000,
    currency: 'DKK',
    authorizedAmount: 0,
    capturedAmount: 0,
    refundedAmount: 0,
    cancelledAmount: 0,
    failure: null,
    redirectUrl: 'https://p.example',
    expiresAt: null,
    createdAt: 't',
    updatedAt: 't',
    lastCheckedAt: null,
    version: 1,
    ...overrides,
  };
}

const failure = {
  code: 'rejected',
  message: 'The bank rejected the payment.',
  providerCode: 'RJCT',
  providerMessage: 'no',
};

describe('planSnapshot', () => {
  it('moves forward and notifies the merchant', () => {
    const plan = planSnapshot(payment(), { status: 'authorized', providerStatus: 'Pending' });
    expect(plan.patch).toEqual({ status: 'authorized', providerStatus: 'Pending', authorizedAmount: 10000 });
    expect(plan.merchantEvents).toEqual(['payment.authorized']);
  });

  it('completing implies the whole amount authorised and captured, with one completed event', () => {
    const plan = planSnapshot(payment(), { status: 'completed', providerStatus: 'Succeeded', bankId: 'DK_Bank' });
    expect(plan.patch).toEqual({
      status: 'completed',
      providerStatus: 'Succeeded',
      authorizedAmount: 10000,
      capturedAmount: 10000,
      bankId: 'DK_Bank',
    });
    expect(plan.merchantEvents).toEqual(['payment.completed']);
  });

  it('keeps the failure of a failed payment', () => {
    const plan = planSnapshot(payment(), { status: 'failed', providerStatus: 'Failed', failure });
    expect(plan.patch).toMatchObject({ status: 'failed', failure });
    expect(plan.merchantEvents).toEqual(['payment.failed']);
  });

  it('records a new provider status within the same status without notifying', () => {
    const plan = planSnapshot(payment(), { status: 'pending', providerStatus: 'Authorizing' });
    expect(plan.patch).toEqual({ providerStatus: 'Authorizing' });
    expect(plan.merchantEvents).toEqual([]);
  });

  it('ignores stale snapshots that would move back', () => {
    const plan = planSnapshot(payment({ status: 'authorized', providerStatus: 'Pending', authorizedAmount: 10000 }), {
      status: 'pending',
      providerStatus: 'Authorizing',
    });
    expect(plan.patch).toEqual({});
  });

  it('never changes a terminal status', () => {
    const done = payment({ status: 'failed', providerStatus: 'Failed', failure });
    expect(planSnapshot(done, { status: 'completed', providerStatus: 'Succeeded' }).patch).toEqual({});
    const cancelled = payment({ status: 'cancelled', providerStatus: 'Cancelled' });
    expect(planSnapshot(cancelled, { status: 'failed', providerStatus: 'Failed', failure }).patch).toEqual({});
  });

  it('lets provider-reported amounts grow on a settled payment (refunds) but never shrink', () => {
    const completed = payment({
      status: 'completed',
      providerStatus: 'CAPTURED',
      authorizedAmount: 10000,
      capturedAmount: 10000,
    });
    const refund = planSnapshot(completed, {
      status: 'completed',
      providerStatus: 'REFUNDED',
      capturedAmount: 10000,
      refundedAmount: 4000,
    });
    expect(refund.patch).toEqual({ refundedAmount: 4000, providerStatus: 'REFUNDED' });
    expect(refund.merchantEvents).toEqual(['payment.refunded']);
    const shrink = planSnapshot(
      { ...completed, refundedAmount: 4000 },
      { status: 'completed', providerStatus: 'X', refundedAmount: 1000 },
    );
    expect(shrink.patch).toEqual({});
  });

  it('reports a partial capture as captured while staying authorized', () => {
    const authorized = payment({ status: 'authorized', providerStatus: 'RESERVED', authorizedAmount: 10000 });
    const plan = planSnapshot(authorized, {
      status: 'authorized',
      providerStatus: 'RESERVED',
      authorizedAmount: 10000,
      capturedAmount: 2500,
    });
    expect(plan.patch).toEqual({ capturedAmount: 2500 });
    expect(plan.merchantEvents).toEqual(['payment.captured']);
  });

  const statusArb = fc.constantFrom(...PaymentStatus.options);
  const snapshotArb: fc.Arbitrary<ProviderSnapshot> = fc.record({
    status: statusArb,
    providerStatus: fc.string({ maxLength: 12 }),
    authorizedAmount: fc.option(fc.integer({ min: 0, max: 20000 }), { nil: undefined }),
    capturedAmount: fc.option(fc.integer({ min: 0, max: 20000 }), { nil: undefined }),
    refundedAmount: fc.option(fc.integer({ min: 0, max: 20000 }), { nil: undefined }),
  });

  it('property: over any sequence of snapshots, status rank never decreases, terminal is final, amounts never shrink', () => {
    fc.assert(
      fc.property(fc.array(snapshotArb, { minLength: 1, maxLength: 15 }), (snapshots) => {
        let current = payment({ status: 'created', providerStatus: null });
        let terminalAt: Status | null = null;
        for (const snapshot of snapshots) {
          const plan = planSnapshot(current, snapshot);
          const next = { ...current, ...plan.patch };
          expect(STATUS_RANK[next.status]).toBeGreaterThanOrEqual(STATUS_RANK[current.status]);
          if (terminalAt) expect(next.status).toBe(terminalAt);
          if (isTerminal(next.status)) terminalAt = next.status;
          for (const key of ['authorizedAmount', 'capturedAmount', 'refundedAmount', 'cancelledAmount'] as const) {
            expect(next[key]).toBeGreaterThanOrEqual(current[key]);
          }
          // Every status change is announced exactly once.
          const announced = plan.merchantEvents.filter((e) => e === `payment.${next.status}`).length;
          expect(announced).toBe(next.status !== current.status ? 1 : 0);
          current = next;
        }
      }),
      { numRuns: 300 },
    );
  });
});
