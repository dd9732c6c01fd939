/**
 * The ProviderAdapter contract: one suite, run against every adapter, each against its in-process
 * sandbox, so every adapter behaves the same for everything the core relies on (create, refresh,
 * status mapping, typed errors, capabilities, callbacks, banks, polling, currencies).
 *
 * Where providers legitimately differ, the adapter's test file says what to expect in
 * AdapterExpectations (as a fact about that provider, with the reason beside it); the suite then
 * asserts exactly that. Nothing is skipped: an operation an adapter does not declare is asserted
 * to be absent.
 */
import { randomBytes } from 'node:crypto';
import { isTerminal, type Currency, type Money, type PaymentMethod, type PaymentStatus } from '@pay-with-bank/protocol';
import type { FaultEffect } from '@pay-with-bank/sandbox';
import { describe, expect, it } from 'vitest';
import { ProviderError, type ProviderErrorCode } from '../../src/errors.js';
import {
  expressSupport,
  offers,
  type AdapterOperation,
  type CreatePaymentInput,
  type CreatedProviderPayment,
  type ProviderAdapter,
  type ProviderSnapshot,
  type StatusCallback,
} from '../../src/providers/adapter.js';
import type { Delivery, RecordedCall, Transport } from './transport.js';
import { STATUS_RANK } from '../../src/payments/status-rules.js';

// ---------------------------------------------------------------------------------------------
// Inputs

export const RETURN_BASE = 'https://shop.example/checkout/return';

/** A `pay_…` id as the server mints them (16 random bytes). */
export const newPaymentId = (): string => `pay_${randomBytes(16).toString('base64url')}`;
const newSessionId = (): string => `cs_${randomBytes(16).toString('base64url')}`;

export interface InputFields {
  amount: Money;
  bankId: string | null;
  paymentId?: string;
}

/**
 * The one place the suite builds a CreatePaymentInput (method-specific options are an opaque
 * record the owning adapter validates; the suite sends none).
 */
export function paymentInput(fields: InputFields): CreatePaymentInput {
  const paymentId = fields.paymentId ?? newPaymentId();
  return {
    paymentId,
    sessionId: newSessionId(),
    amount: fields.amount,
    reference: 'ORDER-4711',
    description: 'Adapter contract order',
    returnUrl: `${RETURN_BASE}?pwb_return=pwb_ct_contract&pwb_payment=${paymentId}`,
    bankId: fields.bankId,
    options: {},
    locale: 'en',
  };
}

// ---------------------------------------------------------------------------------------------
// What an adapter's test file provides

/** What the provider's create request carried, read from the recorded call. */
export interface SentCreate {
  /** The amount as on the wire (the provider's own format). */
  amount: { value: unknown; currency: string | null };
  returnUrl: string;
  bankId: string | null;
}

/** Which part of the provider's API a fault is injected into. */
export type FaultTarget = 'payments' | 'banks';

/**
 * One adapter on its sandbox, on a manual clock. Everything the suite does to the provider side
 * goes through here; the adapter is only ever called through ProviderAdapter.
 */
export interface AdapterWorld {
  adapter: ProviderAdapter;
  transport: Transport;
  /** The sandbox clock, in ms. */
  now(): number;
  /** Let the sandbox's time pass (its timers run) and its deliveries settle. */
  advance(ms: number): Promise<void>;
  /** The recorded calls that ask the provider to create a payment. */
  createCalls(): RecordedCall[];
  sent(call: RecordedCall): SentCreate;
  /** The payment as the sandbox holds it (its own reading of the amount), or undefined. */
  atProvider(providerPaymentId: string): { amountMinor: number; currency: string } | undefined;
  /** Every payment the sandbox holds for us, by provider id. */
  providerPayments(): string[];
  /** The shopper approves at the provider (as a browser would, or with the sandbox's controls). */
  approve(created: CreatedProviderPayment): Promise<void>;
  /** The shopper declines at the provider. */
  decline(created: CreatedProviderPayment): Promise<void>;
  /** Callbacks / webhooks the sandbox delivered to our public URL, oldest first. */
  deliveries: Delivery[];
  /** The next `count` calls to `target` meet the sandbox's own fault injection. */
  injectFault(fault: FaultEffect, count: number, target: FaultTarget): void;
  clearFaults(): void;
  /** The next payment API call is refused (HTTP 400) in the provider's dialect, its reason being `text`. */
  refuseNext(text: string): void;
  /** A well-formed provider payment id the sandbox has never issued. */
  unknownProviderPaymentId(): string;
  /** Every secret the adapter holds or has learnt (credentials, tokens, webhook secrets): never in an answer. */
  secrets(): string[];
  /** The secrets the provider knows (sent to it, or learnt from it): the ones it could quote back. */
  providerSecrets(): string[];
}

export interface WorldSettings {
  /** The adapter's timeout per provider call (PWB_PROVIDER_TIMEOUT_MS). */
  timeoutMs: number;
}

export interface AdapterExpectations {
  id: string;
  method: PaymentMethod;
  /** Exactly the currencies the adapter declares for this configuration. */
  currencies: readonly Currency[];
  /** The currency of the suite's payments (one it declares). */
  currency: Currency;
  /** The bank chosen in the widget for a payment in `currency`; null when there is none to choose. */
  bankFor(currency: Currency): string | null;
  /** How the provider's create request carries an amount (minor units → the provider's format). */
  wireAmount(amount: Money): { value: unknown; currency: string | null };
  /** Which of capture / cancel / refund it offers (an adapter offers an operation by having its method). */
  capabilities: { capture: boolean; cancel: boolean; refund: boolean };
  /** null: no callbacks. Otherwise whether an authentic callback carries a status to apply. */
  callbacks: null | { carryStatus: boolean };
  /** null: no bank list. Otherwise a bank the sandbox lists as available and one as unavailable. */
  banks: null | { available: string; unavailable: string };
  pollingPolicy: boolean;
  authorizedMeansPaid: boolean;
  /** Express checkout (shopper details and shipping chosen at the provider), or why not. */
  express: { supported: true } | { supported: false; why: string };
  /** A currency the adapter does not declare, and the typed error createPayment refuses it with. */
  unsupportedCurrency: { currency: Currency; code: ProviderErrorCode };
  /** createPayment with the same paymentId twice. */
  sameAttemptTwice:
    | { kind: 'same-payment'; why: string }
    | { kind: 'refused'; code: ProviderErrorCode; why: string }
    | { kind: 'second-payment'; why: string };
  /** What refresh reports once the shopper approved, and after the provider's own processing time. */
  approval: { status: PaymentStatus; settles: { afterMs: number; status: PaymentStatus } };
  /** What refresh reports once the shopper declined. */
  declined: { status: PaymentStatus; failureCode: string };
  /** The typed error refresh throws for a provider payment id the provider does not know. */
  unknownPayment: ProviderErrorCode;
  /**
   * Checks this adapter is known to fail today, each with what is wrong. They run as `it.fails`: the
   * suite stays green while the bug is there and turns red once it is fixed, so the entry goes too.
   */
  knownBugs?: Partial<Record<KnownBugCheck, string>>;
}

/** The checks an adapter can be marked as failing (narrow tests, one assertion each). */
export type KnownBugCheck = 'refusal-not-retryable';

// ---------------------------------------------------------------------------------------------
// Shared checks

/** Statuses only move forward, and a terminal status never changes. */
export function expectForwardOnly(statuses: readonly PaymentStatus[]): void {
  for (let i = 1; i < statuses.length; i++) {
    const before = statuses[i - 1]!;
    const after = statuses[i]!;
    const path = statuses.join(' → ');
    if (isTerminal(before)) expect(after, `terminal ${before} changed: ${path}`).toBe(before);
    else expect(STATUS_RANK[after], `moved back: ${path}`).toBeGreaterThanOrEqual(STATUS_RANK[before]);
  }
}

function expectNoSecrets(world: AdapterWorld, text: string, what: string): void {
  for (const secret of world.secrets()) expect(text.includes(secret), `${what} contains a secret`).toBe(false);
}

/** A snapshot the core can store: a known status, a provider status, integral amounts, bounded secret-free raw. */
function expectWellFormed(world: AdapterWorld, snapshot: ProviderSnapshot): void {
  expect(STATUS_RANK[snapshot.status], `unknown status ${snapshot.status}`).toBeTypeOf('number');
  expect(snapshot.providerStatus).toMatch(/\S/);
  for (const key of ['authorizedAmount', 'capturedAmount', 'refundedAmount', 'cancelledAmount'] as const) {
    const amount = snapshot[key];
    if (amount !== undefined) expect(Number.isInteger(amount) && amount >= 0, `${key} = ${amount}`).toBe(true);
  }
  if (snapshot.failure) {
    expect(snapshot.failure.code).toMatch(/\S/);
    expect(snapshot.failure.message).toMatch(/\S/);
  }
  const raw = JSON.stringify(snapshot.raw ?? null);
  expect(raw.length, 'raw is bounded').toBeLessThan(16_384);
  expectNoSecrets(world, JSON.stringify(snapshot), 'a snapshot');
}

/** Await `call`, expecting a ProviderError with `code` whose message and details hold no secret. */
async function providerError(
  world: AdapterWorld,
  call: () => Promise<unknown>,
  code: ProviderErrorCode,
): Promise<ProviderError> {
  let error: unknown;
  try {
    await call();
  } catch (caught) {
    error = caught;
  }
  expect(error, 'expected a ProviderError').toBeInstanceOf(ProviderError);
  const typed = error as ProviderError;
  expect(typed.code, typed.message).toBe(code);
  expect(typed.message).toMatch(/\S/);
  expectNoSecrets(world, `${typed.message} ${JSON.stringify(typed.details ?? null)}`, 'a ProviderError');
  return typed;
}

function requestOf(delivery: Delivery, changes: { url?: string; body?: string; headers?: Headers } = {}): Request {
  return new Request(changes.url ?? delivery.url, {
    method: delivery.method,
    headers: changes.headers ?? delivery.headers,
    body: changes.body ?? delivery.body,
  });
}

// ---------------------------------------------------------------------------------------------
// The suite

export function runAdapterContract(
  name: string,
  makeWorld: (settings: WorldSettings) => AdapterWorld,
  expected: AdapterExpectations,
): void {
  const world = (settings: Partial<WorldSettings> = {}) => makeWorld({ timeoutMs: 2_000, ...settings });
  const amount = (value = 12_345, currency: Currency = expected.currency): Money => ({ value, currency });
  const input = (fields: Partial<InputFields> = {}) => {
    const money = fields.amount ?? amount();
    return paymentInput({ amount: money, bankId: expected.bankFor(money.currency), ...fields });
  };
  const approved = async (w: AdapterWorld, money = amount()) => {
    const created = await w.adapter.createPayment(input({ amount: money }));
    await w.approve(created);
    return created;
  };

  /** A test of a check that may be marked a known bug of this adapter. */
  const check = (bug: KnownBugCheck, title: string, fn: () => Promise<void>) => {
    const known = expected.knownBugs?.[bug];
    if (known) it.fails(`${title} [known bug: ${known}]`, fn);
    else it(title, fn);
  };

  describe(`Adapter contract: ${name}`, () => {
    describe('declarations', () => {
      it('declares its id, method, currencies and what authorized means', () => {
        const { adapter } = world();
        expect(adapter.id).toBe(expected.id);
        expect(adapter.method).toBe(expected.method);
        expect([...adapter.currencies].sort()).toEqual([...expected.currencies].sort());
        expect(adapter.currencies).toContain(expected.currency);
        expect(adapter.authorizedMeansPaid).toBe(expected.authorizedMeansPaid);
      });

      it('offers exactly the optional operations expected of it (by having the method): the others are undefined', () => {
        const { adapter } = world();
        const expectedOperations: Record<AdapterOperation, boolean> = {
          ...expected.capabilities,
          handleCallback: expected.callbacks !== null,
          // A bank list is what a bank method shows in the widget; other methods have none.
          listBanks: expected.banks !== null,
        };
        expect(expectedOperations.listBanks).toBe(adapter.method === 'bank');
        const operations = Object.keys(expectedOperations) as AdapterOperation[];
        // offers() is how the core asks.
        expect(Object.fromEntries(operations.map((op) => [op, offers(adapter, op)]))).toEqual(expectedOperations);
        for (const op of operations) {
          if (!expectedOperations[op]) expect(adapter[op], op).toBeUndefined();
        }
      });

      it(`${expected.express.supported ? 'offers' : 'does not offer'} express checkout${expected.express.supported ? '' : ` (${expected.express.why})`}, saying why not in words a merchant can act on`, () => {
        const w = world();
        const support = expressSupport(w.adapter);
        expect(support.supported).toBe(expected.express.supported);
        if (!support.supported) {
          expect(support.reason).toMatch(/\S{3}/);
          expectNoSecrets(w, support.reason, 'the express refusal');
        }
      });

      if (expected.pollingPolicy) {
        it('declares a sane polling policy (first poll after ≥ 0 ms, then at most every ≥ 1 s)', () => {
          const policy = world().adapter.pollingPolicy;
          expect(policy).toBeDefined();
          expect(Number.isFinite(policy!.firstPollAfterMs) && policy!.firstPollAfterMs >= 0).toBe(true);
          expect(Number.isFinite(policy!.intervalMs) && policy!.intervalMs >= 1_000).toBe(true);
        });
      } else {
        it('declares no polling policy (the core polls at its own pace)', () => {
          expect(world().adapter.pollingPolicy).toBeUndefined();
        });
      }
    });

    if (expected.express.supported) {
      describe('express checkout', () => {
        const options = [
          { id: 'home', name: 'Home delivery', amount: 4_950, default: true },
          { id: 'pickup', name: 'Pick up', amount: 0 },
        ];
        it('an express payment, once approved, reports the shopper, who they are at the provider and the default method at the merchant’s price; the reservation is items + shipping', async () => {
          const w = world();
          const money = amount(12_345);
          const created = await w.adapter.createPayment({
            ...input({ amount: money }),
            express: { options, confirmAddress: true },
          });
          expect(['created', 'pending']).toContain(created.snapshot.status);
          await w.approve(created);
          const snapshot = await w.adapter.refresh(created.providerPaymentId);
          expectWellFormed(w, snapshot);
          expect(snapshot.status).toBe(expected.approval.status);
          expect(snapshot.express?.shipping).toEqual({ methodId: 'home', amount: 4_950 });
          expect(snapshot.express?.providerUserId).toMatch(/\S/);
          expect(snapshot.express?.shopper).toMatchObject({ address: { line1: expect.stringMatching(/\S/) } });
          if (snapshot.authorizedAmount !== undefined) expect(snapshot.authorizedAmount).toBe(12_345 + 4_950);
          // The shopper's details stay out of what is kept verbatim.
          const personal = [snapshot.express!.shopper!.lastName, snapshot.express!.shopper!.address!.line1];
          for (const value of personal) if (value) expect(JSON.stringify(snapshot.raw ?? null)).not.toContain(value);
        });

        it('an ordinary payment reports no express data', async () => {
          const w = world();
          const created = await approved(w);
          expect((await w.adapter.refresh(created.providerPaymentId)).express).toBeUndefined();
        });
      });
    }

    describe('createPayment', () => {
      it('answers a provider id, an http(s) redirect URL and a first created/pending snapshot; the provider gets the amount in its format and our return URL', async () => {
        const w = world();
        const money = amount(12_345);
        const attempt = input({ amount: money });
        const created = await w.adapter.createPayment(attempt);

        expect(created.providerPaymentId).toMatch(/\S/);
        expect(new URL(created.redirectUrl).protocol).toMatch(/^https?:$/);
        expect(['created', 'pending']).toContain(created.snapshot.status);
        expectWellFormed(w, created.snapshot);
        expect(created.snapshot.bankId ?? null).toBe(attempt.bankId);
        if (created.expiresAt != null) {
          expect(created.expiresAt).toBeInstanceOf(Date);
          expect(created.expiresAt.getTime()).toBeGreaterThan(w.now());
        }

        const [call, ...more] = w.createCalls();
        expect(more).toHaveLength(0);
        expect(w.sent(call!)).toEqual({
          amount: expected.wireAmount(money),
          returnUrl: attempt.returnUrl,
          bankId: attempt.bankId,
        });
        // The provider read the amount as the same number of minor units.
        expect(w.atProvider(created.providerPaymentId)).toEqual({ amountMinor: 12_345, currency: money.currency });
        expect(w.providerPayments()).toEqual([created.providerPaymentId]);
      });

      it('converts amounts exactly, small and large', async () => {
        const w = world();
        for (const value of [100, 101, 1_999, 10_000_007]) {
          const money = amount(value);
          const created = await w.adapter.createPayment(input({ amount: money }));
          expect(w.sent(w.createCalls().at(-1)!).amount).toEqual(expected.wireAmount(money));
          expect(w.atProvider(created.providerPaymentId)?.amountMinor).toBe(value);
        }
      });

      it('takes every currency it declares, through to an approved payment', async () => {
        const w = world();
        for (const currency of w.adapter.currencies) {
          const money = amount(12_345, currency);
          const created = await w.adapter.createPayment(input({ amount: money }));
          expect(w.atProvider(created.providerPaymentId)).toEqual({ amountMinor: 12_345, currency });
          await w.approve(created);
          const snapshot = await w.adapter.refresh(created.providerPaymentId);
          expect(snapshot.status, currency).toBe(expected.approval.status);
          expect(snapshot.bankId ?? null).toBe(expected.bankFor(currency));
          if (expected.authorizedMeansPaid) expect(snapshot.authorizedAmount).toBe(12_345);
        }
      });

      it('refuses a currency it does not declare: a typed error, and no provider call', async () => {
        const w = world();
        const { currency, code } = expected.unsupportedCurrency;
        expect(w.adapter.currencies).not.toContain(currency);
        await providerError(
          w,
          () => w.adapter.createPayment(paymentInput({ amount: amount(12_345, currency), bankId: null })),
          code,
        );
        expect(w.transport.calls).toHaveLength(0);
      });

      it(`the same paymentId twice: ${expected.sameAttemptTwice.kind} (${expected.sameAttemptTwice.why})`, async () => {
        const w = world();
        const same = input();
        const first = await w.adapter.createPayment(same);
        const rule = expected.sameAttemptTwice;
        if (rule.kind === 'same-payment') {
          const second = await w.adapter.createPayment(same);
          expect(second.providerPaymentId).toBe(first.providerPaymentId);
          expect(second.redirectUrl).toBe(first.redirectUrl);
          expect(w.providerPayments()).toEqual([first.providerPaymentId]);
        } else if (rule.kind === 'refused') {
          await providerError(w, () => w.adapter.createPayment(same), rule.code);
          expect(w.providerPayments()).toEqual([first.providerPaymentId]);
        } else {
          const second = await w.adapter.createPayment(same);
          expect(second.providerPaymentId).not.toBe(first.providerPaymentId);
          expect(w.providerPayments().sort()).toEqual([first.providerPaymentId, second.providerPaymentId].sort());
        }
        expect(w.createCalls()).toHaveLength(2);
      });

      it('a provider outage on create is provider_unavailable, and never leaves two payments behind', async () => {
        const w = world();
        w.injectFault({ kind: 'status', status: 503, retryAfterSeconds: 0 }, 10, 'payments');
        await providerError(w, () => w.adapter.createPayment(input()), 'provider_unavailable');
        expect(w.providerPayments()).toEqual([]);
        // Without an idempotency key a create is never sent twice: a second send could be a second payment.
        if (expected.sameAttemptTwice.kind === 'same-payment') expect(w.createCalls().length).toBeGreaterThan(0);
        else expect(w.createCalls()).toHaveLength(1);
        w.clearFaults();
        await w.adapter.createPayment(input());
        expect(w.providerPayments()).toHaveLength(1);
      });

      it(
        expected.sameAttemptTwice.kind === 'same-payment'
          ? 'an answer lost after the provider created the payment is retried with the same key: one payment'
          : 'an answer lost after the provider created the payment is provider_unavailable, sent once: one payment',
        async () => {
          const w = world();
          w.injectFault({ kind: 'reset', afterProcessing: true }, 1, 'payments');
          const attempt = input();
          if (expected.sameAttemptTwice.kind === 'same-payment') {
            const created = await w.adapter.createPayment(attempt);
            expect(w.createCalls().length).toBeGreaterThan(1);
            expect(w.providerPayments()).toEqual([created.providerPaymentId]);
          } else {
            await providerError(w, () => w.adapter.createPayment(attempt), 'provider_unavailable');
            expect(w.createCalls()).toHaveLength(1);
            expect(w.providerPayments()).toHaveLength(1);
          }
        },
      );
    });

    describe('refresh', () => {
      it(`after the shopper approves: ${expected.approval.status}, then ${expected.approval.settles.status} once the provider is done; never backwards`, async () => {
        const w = world();
        const money = amount();
        const created = await w.adapter.createPayment(input({ amount: money }));
        const seen: ProviderSnapshot[] = [created.snapshot];
        const refresh = async () => {
          const snapshot = await w.adapter.refresh(created.providerPaymentId);
          expectWellFormed(w, snapshot);
          seen.push(snapshot);
          return snapshot;
        };

        expect(['created', 'pending']).toContain((await refresh()).status);
        await w.approve(created);
        const approvedSnapshot = await refresh();
        expect(approvedSnapshot.status).toBe(expected.approval.status);
        expect((await refresh()).status).toBe(expected.approval.status);
        expect(approvedSnapshot.bankId ?? null).toBe(expected.bankFor(money.currency));
        if (expected.authorizedMeansPaid) {
          // The core counts the session paid on this: the provider must say the whole amount is reserved.
          expect(approvedSnapshot.authorizedAmount).toBe(money.value);
        }

        await w.advance(expected.approval.settles.afterMs);
        expect((await refresh()).status).toBe(expected.approval.settles.status);
        await w.advance(60_000);
        expect((await refresh()).status).toBe(expected.approval.settles.status);
        if (!expected.authorizedMeansPaid && !expected.capabilities.capture) {
          // Nothing can capture it and authorized is not paid: the provider must complete it by itself.
          expect(expected.approval.settles.status).toBe('completed');
        }
        expectForwardOnly(seen.map((s) => s.status));
      });

      it(`after the shopper declines: ${expected.declined.status} with a failure, for good`, async () => {
        const w = world();
        const created = await w.adapter.createPayment(input());
        await w.decline(created);
        const snapshot = await w.adapter.refresh(created.providerPaymentId);
        expectWellFormed(w, snapshot);
        expect(snapshot.status).toBe(expected.declined.status);
        expect(isTerminal(snapshot.status)).toBe(true);
        expect(snapshot.failure?.code).toBe(expected.declined.failureCode);
        await w.advance(60_000);
        const later = await w.adapter.refresh(created.providerPaymentId);
        expectForwardOnly([created.snapshot.status, snapshot.status, later.status]);
      });

      it('tolerates fields the provider adds that the adapter has never seen', async () => {
        const w = world();
        w.transport.unknownFields = true;
        const created = await w.adapter.createPayment(input());
        expect(['created', 'pending']).toContain((await w.adapter.refresh(created.providerPaymentId)).status);
        await w.approve(created);
        const snapshot = await w.adapter.refresh(created.providerPaymentId);
        expect(snapshot.status).toBe(expected.approval.status);
        expect(JSON.stringify(snapshot)).not.toContain('x_pwb_object_from_the_future');
        if (w.adapter.listBanks) expect((await w.adapter.listBanks()).length).toBeGreaterThan(0);
        expect(w.transport.calls.some((c) => c.response.includes('x_pwb_field_from_the_future'))).toBe(true);
      });

      const faults: [string, ProviderErrorCode, FaultEffect][] = [
        ['HTTP 500', 'provider_unavailable', { kind: 'status', status: 500 }],
        ['HTTP 502', 'provider_unavailable', { kind: 'status', status: 502 }],
        ['HTTP 503', 'provider_unavailable', { kind: 'status', status: 503, retryAfterSeconds: 0 }],
        ['HTTP 504', 'provider_unavailable', { kind: 'status', status: 504 }],
        ['HTTP 429', 'provider_unavailable', { kind: 'status', status: 429, retryAfterSeconds: 0 }],
        ['a reset connection', 'provider_unavailable', { kind: 'reset' }],
        ['a body that is not JSON', 'provider_error', { kind: 'malformed' }],
        ['a truncated body', 'provider_error', { kind: 'truncated' }],
        ['an answer missing its fields', 'provider_error', { kind: 'missing-fields' }],
      ];
      it.each(faults)('%s on refresh is %s, and the next refresh works again', async (_what, code, fault) => {
        const w = world();
        const created = await w.adapter.createPayment(input());
        w.injectFault(fault, 5, 'payments');
        await providerError(w, () => w.adapter.refresh(created.providerPaymentId), code);
        w.clearFaults();
        expect(['created', 'pending']).toContain((await w.adapter.refresh(created.providerPaymentId)).status);
      });

      it('a provider that does not answer in time is provider_timeout', async () => {
        const w = world({ timeoutMs: 300 });
        const created = await w.adapter.createPayment(input());
        w.injectFault({ kind: 'hang', ms: 3_000 }, 5, 'payments');
        const started = Date.now();
        await providerError(w, () => w.adapter.refresh(created.providerPaymentId), 'provider_timeout');
        expect(Date.now() - started).toBeLessThan(3_000);
        w.clearFaults();
        expect(['created', 'pending']).toContain((await w.adapter.refresh(created.providerPaymentId)).status);
      });

      it('a refusal quoting our credentials is provider_error with the provider’s reason, naming none of them', async () => {
        const w = world();
        const created = await w.adapter.createPayment(input());
        w.refuseNext(`Widget quota exceeded for ${w.providerSecrets().join(' and ')}`);
        const error = await providerError(w, () => w.adapter.refresh(created.providerPaymentId), 'provider_error');
        expect(error.message).toContain('Widget quota exceeded');
      });

      check('refusal-not-retryable', 'a refusal is not retryable: asking again cannot succeed', async () => {
        const w = world();
        const created = await w.adapter.createPayment(input());
        w.refuseNext('Widget quota exceeded');
        const error = await providerError(w, () => w.adapter.refresh(created.providerPaymentId), 'provider_error');
        // ProviderError.retryable becomes the API's `retryable`: undefined means "per code", and
        // provider_error is retryable by code, so a refusal must say false itself.
        expect(error.retryable).toBe(false);
      });

      it(`an id the provider does not know is ${expected.unknownPayment}`, async () => {
        const w = world();
        await w.adapter.createPayment(input());
        await providerError(w, () => w.adapter.refresh(w.unknownProviderPaymentId()), expected.unknownPayment);
      });
    });

    describe('capabilities', () => {
      if (expected.capabilities.capture) {
        it('capture: a partial capture stays authorized with capturedAmount, the rest completes; a key captures once', async () => {
          const w = world();
          const { providerPaymentId: id } = await approved(w);
          const partial = await w.adapter.capture!(id, amount(5_000), 'contract-cap-1');
          expectWellFormed(w, partial);
          expect(partial).toMatchObject({ status: 'authorized', capturedAmount: 5_000 });
          // The core retries with the same key: it must not capture twice.
          expect((await w.adapter.capture!(id, amount(5_000), 'contract-cap-1')).capturedAmount).toBe(5_000);
          const rest = await w.adapter.capture!(id, amount(7_345), 'contract-cap-2');
          expect(rest).toMatchObject({ status: 'completed', capturedAmount: 12_345 });
          expect(await w.adapter.refresh(id)).toMatchObject({ status: 'completed', capturedAmount: 12_345 });
          expectForwardOnly(['authorized', partial.status, rest.status]);
        });

        it('capture: more than is reserved is amount_exceeds_authorized; nothing is captured', async () => {
          const w = world();
          const { providerPaymentId: id } = await approved(w);
          await providerError(
            w,
            () => w.adapter.capture!(id, amount(12_346), 'contract-cap-x'),
            'amount_exceeds_authorized',
          );
          expect((await w.adapter.refresh(id)).capturedAmount ?? 0).toBe(0);
        });

        it('capture: before the shopper approved is invalid_state', async () => {
          const w = world();
          const created = await w.adapter.createPayment(input());
          await providerError(
            w,
            () => w.adapter.capture!(created.providerPaymentId, amount(100), 'contract-cap-y'),
            'invalid_state',
          );
        });
      }

      if (expected.capabilities.refund) {
        it('refund: after a capture, refundedAmount comes back and the payment stays completed; more than captured is amount_exceeds_captured', async () => {
          const w = world();
          const { providerPaymentId: id } = await approved(w);
          if (w.adapter.capture) await w.adapter.capture(id, amount(12_345), 'contract-cap-all');
          const refunded = await w.adapter.refund!(id, amount(2_000), 'contract-ref-1');
          expectWellFormed(w, refunded);
          expect(refunded).toMatchObject({ status: 'completed', refundedAmount: 2_000 });
          expect((await w.adapter.refund!(id, amount(2_000), 'contract-ref-1')).refundedAmount).toBe(2_000);
          await providerError(
            w,
            () => w.adapter.refund!(id, amount(10_346), 'contract-ref-2'),
            'amount_exceeds_captured',
          );
          expect(await w.adapter.refresh(id)).toMatchObject({ status: 'completed', refundedAmount: 2_000 });
        });
      }

      if (expected.capabilities.cancel) {
        it('cancel: before the shopper approved ends the payment, for good', async () => {
          const w = world();
          const created = await w.adapter.createPayment(input());
          const cancelled = await w.adapter.cancel!(created.providerPaymentId, 'contract-cancel-1');
          expectWellFormed(w, cancelled);
          expect(cancelled.status).toBe('cancelled');
          expect(cancelled.failure?.code).toMatch(/\S/);
          const later = await w.adapter.refresh(created.providerPaymentId);
          expect(later.status).toBe('cancelled');
          expectForwardOnly([created.snapshot.status, cancelled.status, later.status]);
        });

        it('cancel: an approved payment is released: cancelled, cancelledAmount the whole amount', async () => {
          const w = world();
          const { providerPaymentId: id } = await approved(w);
          const cancelled = await w.adapter.cancel!(id, 'contract-cancel-2');
          expect(cancelled).toMatchObject({ status: 'cancelled', cancelledAmount: 12_345 });
          expect(await w.adapter.refresh(id)).toMatchObject({ status: 'cancelled', cancelledAmount: 12_345 });
        });
      }

      if (!expected.capabilities.capture && !expected.capabilities.cancel && !expected.capabilities.refund) {
        it('no capture, cancel or refund: the payment settles at the provider by itself', async () => {
          const w = world();
          const created = await approved(w);
          await w.advance(expected.approval.settles.afterMs);
          expect((await w.adapter.refresh(created.providerPaymentId)).status).toBe('completed');
          expect(w.adapter.capture ?? w.adapter.cancel ?? w.adapter.refund).toBeUndefined();
        });
      }
    });

    describe('callbacks', () => {
      if (expected.callbacks === null) {
        it('declares no callbacks: nothing arrives, and the core learns everything by refresh', async () => {
          const w = world();
          await approved(w);
          await w.advance(60_000);
          expect(w.adapter.handleCallback).toBeUndefined();
          expect(w.deliveries).toEqual([]);
        });
        return;
      }
      const { carryStatus } = expected.callbacks;
      const prefix = (w: AdapterWorld) => `/v1/callbacks/${w.adapter.id}/`;
      /** A status callback's result (this suite's payments are not express checkouts). */
      const handle = async (w: AdapterWorld, request: Request): Promise<StatusCallback> => {
        const path = new URL(request.url).pathname;
        const result = await w.adapter.handleCallback!(request, path.slice(prefix(w).length));
        if (result.kind === 'shipping-quote' || result.kind === 'consent-removal') {
          throw new Error(`an ordinary payment got a ${result.kind} callback`);
        }
        return result;
      };

      it(`accepts the sandbox's authentic callbacks, naming the payment (${carryStatus ? 'state changes carry their status' : 'a prompt to refresh, never a status'})`, async () => {
        const w = world();
        const created = await approved(w);
        expect(w.deliveries.length).toBeGreaterThan(0);
        const results: StatusCallback[] = [];
        for (const delivery of w.deliveries) {
          // The core routes /v1/callbacks/{adapter.id}/… to this adapter: the provider must call there.
          expect(new URL(delivery.url).pathname.startsWith(prefix(w))).toBe(true);
          const result = await handle(w, requestOf(delivery));
          expect(result.providerPaymentId).toBe(created.providerPaymentId);
          expect(result.eventKey).toMatch(/\S/);
          expect(result.eventKey.length).toBeLessThanOrEqual(500);
          // A replay is recognisable as such.
          expect((await handle(w, requestOf(delivery))).eventKey).toBe(result.eventKey);
          if (result.snapshot) expectWellFormed(w, result.snapshot);
          results.push(result);
        }
        expect(new Set(results.map((r) => r.eventKey)).size).toBe(results.length);
        const refreshed = await w.adapter.refresh(created.providerPaymentId);
        const withStatus = results.filter((r) => r.snapshot);
        if (carryStatus) expect(withStatus.map((r) => r.snapshot!.status)).toContain(expected.approval.status);
        else expect(withStatus).toEqual([]);
        // What a callback says never runs ahead of what the provider answers.
        for (const r of withStatus)
          expect(STATUS_RANK[r.snapshot!.status]).toBeLessThanOrEqual(STATUS_RANK[refreshed.status]);
      });

      it('refuses forged callbacks as unauthorized: unsigned, altered, or another payment’s credentials', async () => {
        const w = world();
        const a = await approved(w);
        const fromA = w.deliveries.length;
        const b = await approved(w);
        const [ofA, ofB] = [w.deliveries[fromA - 1]!, w.deliveries.at(-1)!];
        expect((await handle(w, requestOf(ofA))).providerPaymentId).toBe(a.providerPaymentId);
        expect((await handle(w, requestOf(ofB))).providerPaymentId).toBe(b.providerPaymentId);

        const unsigned = new Headers({ 'content-type': ofA.headers.get('content-type') ?? 'application/json' });
        const altered = new Headers(ofA.headers);
        for (const [key, value] of ofA.headers) {
          if (!['content-type', 'content-length', 'host', 'user-agent'].includes(key)) {
            altered.set(key, `${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`);
          }
        }
        const forgeries: [string, Request][] = [
          ['unsigned', requestOf(ofA, { headers: unsigned })],
          ['altered credentials', requestOf(ofA, { headers: altered })],
          ['another payment’s credentials', requestOf(ofB, { headers: new Headers(ofA.headers) })],
        ];
        for (const [what, request] of forgeries) {
          const error = await handle(w, request).then(
            () => null,
            (e: unknown) => e,
          );
          expect(error, what).toBeInstanceOf(ProviderError);
          expect({ what, code: (error as ProviderError).code }).toEqual({ what, code: 'unauthorized' });
          expectNoSecrets(w, (error as ProviderError).message, what);
        }
      });
    });

    describe('banks', () => {
      if (expected.banks === null) {
        it('lists no banks (not a bank method)', () => {
          const { adapter } = world();
          expect(adapter.method).not.toBe('bank');
          expect(adapter.listBanks).toBeUndefined();
        });
        return;
      }
      const sample = expected.banks;

      it('lists banks with ids, names, countries, currencies it declares and availability', async () => {
        const w = world();
        const banks = await w.adapter.listBanks!();
        expect(banks.length).toBeGreaterThan(0);
        expect(new Set(banks.map((b) => b.id)).size).toBe(banks.length);
        for (const bank of banks) {
          expect(bank.id).toMatch(/\S/);
          expect(bank.name).toMatch(/\S/);
          expect(bank.country).toMatch(/^[A-Z]{2}$/);
          expect(bank.currencies.length).toBeGreaterThan(0);
          for (const currency of bank.currencies) expect(w.adapter.currencies).toContain(currency);
          expect(typeof bank.available).toBe('boolean');
          if (!bank.available) expect(bank.unavailableMessage).toMatch(/\S/);
          if (bank.logoUrl != null) expect(new URL(bank.logoUrl).protocol).toMatch(/^https?:$/);
        }
        const byId = new Map(banks.map((b) => [b.id, b]));
        expect(byId.get(sample.available)?.available).toBe(true);
        expect(byId.get(sample.unavailable)?.available).toBe(false);
        // The banks the suite pays with are listed, available, for that currency.
        for (const currency of w.adapter.currencies) {
          const bankId = expected.bankFor(currency);
          if (bankId === null) continue;
          expect(byId.get(bankId)).toMatchObject({ available: true });
          expect(byId.get(bankId)!.currencies).toContain(currency);
        }
      });

      it('a provider outage while listing banks is a typed error', async () => {
        const w = world();
        w.injectFault({ kind: 'status', status: 503, retryAfterSeconds: 0 }, 5, 'banks');
        await providerError(w, () => w.adapter.listBanks!(), 'provider_unavailable');
        w.clearFaults();
        w.injectFault({ kind: 'malformed' }, 5, 'banks');
        await providerError(w, () => w.adapter.listBanks!(), 'provider_error');
      });
    });
  });
}
