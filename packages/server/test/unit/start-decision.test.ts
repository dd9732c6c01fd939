/**
 * The start policy as a table: (the checkout's payments, the request) → replay | continue |
 * await-create | create | refuse. Pure: no store, no provider, no clock.
 */
import { describe, expect, it } from 'vitest';
import { countProviderPayments, decideStart, type StartFacts } from '../../src/payments/start-decision.js';
import { ApiError } from '../../src/errors.js';
import { paymentRecord, sessionRecord } from '../store/contract.js';

const open = paymentRecord(sessionRecord(), {
  id: 'pay_open_0000000000000000',
  attemptId: 'attempt-open',
  status: 'pending',
  providerPaymentId: 'prov-1',
  redirectUrl: 'https://provider.example/pay/1',
  bankId: 'DK_Bank',
});
const creating = {
  ...open,
  id: 'pay_creating_000000000000',
  providerPaymentId: null,
  redirectUrl: null,
  status: 'created' as const,
};
const authorised = { ...open, id: 'pay_authorised_0000000000', status: 'authorized' as const };
const replaced = { ...open, id: 'pay_replaced_000000000000', supersededBy: 'pay_newer_00000000000000' };

const base: StartFacts = {
  sameAttempt: null,
  sessionState: 'open',
  bankProblem: null,
  open: [],
  providerPayments: 0,
  maxAttempts: 20,
  request: { method: 'bank', bankId: 'DK_Bank', replace: false },
};

type Expected = string; // "kind" or "refuse:<code>"

const outcome = (facts: Partial<StartFacts>): Expected => {
  const decision = decideStart({ ...base, ...facts, request: { ...base.request, ...facts.request } });
  if (decision.kind === 'refuse') return `refuse:${decision.error.code}`;
  if (decision.kind === 'create') return `create(${decision.supersede.map((p) => p.id).join(',')})`;
  return `${decision.kind}:${decision.payment.id}`;
};

describe('decideStart', () => {
  it.each<[string, Partial<StartFacts>, Expected]>([
    ['first attempt of a fresh checkout', {}, 'create()'],
    ['the same attempt again (double click, retry)', { sameAttempt: open }, `replay:${open.id}`],
    [
      'the same attempt id for another method',
      { sameAttempt: open, request: { method: 'vipps', bankId: null, replace: false } },
      'refuse:idempotency_key_reused',
    ],
    ['the same attempt, still being created', { sameAttempt: creating }, `await-create:${creating.id}`],
    [
      'the same attempt, which the provider refused',
      { sameAttempt: { ...creating, status: 'failed' } },
      'refuse:invalid_state',
    ],
    ['a replay wins over a paid session', { sameAttempt: open, sessionState: 'paid' }, `replay:${open.id}`],
    ['a new attempt on a paid session', { sessionState: 'paid' }, 'refuse:conflict'],
    ['a new attempt on an expired session', { sessionState: 'expired' }, 'refuse:session_expired'],
    ['an unusable bank', { bankProblem: new ApiError('bank_not_available', 'down') }, 'refuse:bank_not_available'],
    ['a second tab, same bank, while one is open', { open: [open] }, `continue:${open.id}`],
    ['a second tab while the first is being created here', { open: [creating] }, `await-create:${creating.id}`],
    [
      'another bank while one is open',
      { open: [open], request: { method: 'bank', bankId: 'DK_Other', replace: false } },
      'refuse:payment_in_progress',
    ],
    [
      'another method while one is open',
      { open: [open], request: { method: 'vipps', bankId: null, replace: false } },
      'refuse:payment_in_progress',
    ],
    [
      '"pay another way" while one is open',
      { open: [open], request: { method: 'vipps', bankId: null, replace: true } },
      `create(${open.id})`,
    ],
    [
      '"pay another way" while one is authorised',
      { open: [authorised], request: { method: 'vipps', bankId: null, replace: true } },
      'refuse:payment_in_progress',
    ],
    ['any new attempt while one is authorised', { open: [authorised] }, 'refuse:payment_in_progress'],
    ['a replaced payment no longer stands', { open: [replaced] }, 'create()'],
    ['the replacement stands, not the replaced one', { open: [open, replaced] }, `continue:${open.id}`],
    ['at the attempt limit', { providerPayments: 20 }, 'refuse:attempt_limit_reached'],
    ['no limit', { providerPayments: 500, maxAttempts: 0 }, 'create()'],
    ['continuing is never limited', { open: [open], providerPayments: 20 }, `continue:${open.id}`],
  ])('%s → %s', (_name, facts, expected) => {
    expect(outcome(facts)).toBe(expected);
  });

  it('an attempt whose create is not running here is still being started (payment_in_progress)', () => {
    const decision = decideStart({ ...base, sameAttempt: creating });
    expect(decision.kind === 'await-create' && decision.otherwise.code).toBe('payment_in_progress');
  });

  it('the attempt limit is not retryable; the others carry the payment they name', () => {
    const limit = decideStart({ ...base, providerPayments: 20 });
    expect(limit.kind === 'refuse' && limit.error.retryable).toBe(false);
    const busy = decideStart({ ...base, open: [open], request: { ...base.request, bankId: 'DK_Other' } });
    expect(busy.kind === 'refuse' && busy.error.details).toEqual({ paymentId: open.id });
  });

  it('counts provider payments: created at the provider, or still possibly being created', () => {
    expect(
      countProviderPayments([
        open,
        creating,
        { ...open, status: 'failed' },
        { ...creating, status: 'failed' }, // refused by the provider: nothing was created
      ]),
    ).toBe(3);
  });
});
