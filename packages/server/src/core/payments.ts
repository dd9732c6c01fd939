/**
 * Payments: start (one provider payment per attempt), refresh (coalesced and throttled), status
 * reconciliation (the one place a payment's state changes), callbacks and merchant operations
 * (capture/cancel/refund). Provider-neutral: adapters are looked up by the id stored on the payment.
 */
import {
  isTerminal,
  type CheckoutPayment,
  type NextAction,
  type Currency,
  type MerchantEvent,
  type PaymentFailure,
  type StartPaymentRequest,
} from '@pay-with-bank/protocol';
import { ApiError, toApiError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ProviderAdapter, ProviderSnapshot } from '../providers/adapter.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { newEventId, newPaymentId, newRandomId } from '../security/crypto.js';
import { buildProviderReturnUrl } from '../security/return-url.js';
import type {
  OutboxRecord,
  PaymentEventRecord,
  PaymentEventSource,
  PaymentPatch,
  PaymentRecord,
  SessionRecord,
  Store,
} from '../store/store.js';
import type { BankDirectory } from './banks.js';
import { crashPoint } from './crash-points.js'; // test hook (test/crash): no-op unless PWB_CRASH_AT is set
import { KeyedMutex } from './locks.js';
import { RefreshThrottle } from './refresh-throttle.js';
import { hasChanges, planSnapshot, type MerchantEventType } from './reconcile.js';
import { sessionState, settles, toCheckoutPayment, toMerchantPayment } from './views.js';

export type ModifyOperation = 'capture' | 'cancel' | 'refund';

export interface PaymentServiceOptions {
  store: Store;
  providers: ProviderRegistry;
  banks: BankDirectory;
  logger: Logger;
  now: () => Date;
  /** At most one provider status call per payment per this many ms (others get the stored state). */
  refreshIntervalMs?: number;
  /** New attempts allowed per session (0 = unlimited): each one creates a provider payment. */
  maxAttemptsPerSession?: number;
}

interface CommitOptions {
  source: PaymentEventSource;
  /** Replay guard for callbacks: a second commit with the same key is a no-op. */
  dedupeKey?: string | null;
  /** Fields set besides what the snapshot implies (provider id, redirect URL…). */
  extraPatch?: PaymentPatch;
  eventType?: string;
  eventData?: unknown;
  /** Record an event even when nothing changed (merchant operations). */
  alwaysRecord?: boolean;
  /** This commit follows a provider check. */
  checked?: boolean;
}

export class PaymentService {
  private readonly store: Store;
  private readonly providers: ProviderRegistry;
  private readonly banks: BankDirectory;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly refreshIntervalMs: number;
  private readonly maxAttemptsPerSession: number;
  private readonly sessionLocks = new KeyedMutex();
  private readonly paymentLocks = new KeyedMutex();
  private readonly inflightRefresh = new Map<string, Promise<PaymentRecord>>();
  private readonly throttle: RefreshThrottle;
  /** Payments whose provider create is running in this process: not interrupted, whatever their age. */
  private readonly creating = new Set<string>();

  constructor(options: PaymentServiceOptions) {
    this.store = options.store;
    this.providers = options.providers;
    this.banks = options.banks;
    this.logger = options.logger;
    this.now = options.now;
    this.refreshIntervalMs = options.refreshIntervalMs ?? 1000;
    this.maxAttemptsPerSession = options.maxAttemptsPerSession ?? 0;
    this.throttle = new RefreshThrottle(() => this.now().getTime(), this.refreshIntervalMs);
  }

  private nowIso(): string {
    return this.now().toISOString();
  }

  private adapterFor(payment: PaymentRecord): ProviderAdapter {
    const adapter = this.providers.byId(payment.adapterId);
    // A payment made with a provider that is no longer configured cannot be reconciled: say so plainly.
    if (!adapter) throw new ApiError('invalid_state', 'The provider of this payment is no longer configured.');
    return adapter;
  }

  // ---------------------------------------------------------------------------------------------
  // Start

  /**
   * Start (or replay) the payment for one attempt. The same attempt id always yields the same
   * payment; work for one session is serialised, and the store's unique (session, attempt) backs it.
   * While another payment of the session is open, a new attempt id does not create a provider
   * payment unless the shopper chose to replace it (`replace`): the open payment is returned when it
   * is for the same method and bank, and payment_in_progress answered otherwise (design invariant 5).
   */
  async start(
    session: SessionRecord,
    clientToken: string,
    request: StartPaymentRequest,
  ): Promise<{ payment: PaymentRecord; redirectUrl: string }> {
    if (!session.methods.includes(request.method)) {
      throw new ApiError('method_not_available', `Payment method ${request.method} is not offered for this checkout.`);
    }
    const adapter = this.providers.forMethod(request.method, session.currency);
    if (!adapter) {
      throw new ApiError(
        'method_not_available',
        `Payment method ${request.method} is not available in ${session.currency}.`,
      );
    }
    const bankId = request.bankId ?? null;

    return this.sessionLocks.run(session.id, async () => {
      const existing = await this.store.findPaymentByAttempt(session.id, request.attemptId);
      if (existing) return this.replayAttempt(existing, request.method);

      const fresh = (await this.store.getSession(session.id)) ?? session;
      this.assertSessionPayable(fresh);

      if (bankId !== null && adapter.listBanks) await this.assertBankUsable(adapter, bankId, fresh);

      const earlier = await this.store.listSessionPayments(session.id);

      // Other attempts still open (newest first): find out where each stands before deciding.
      const open: PaymentRecord[] = [];
      for (const other of earlier) {
        if (isTerminal(other.status)) continue;
        const current = await this.refresh(other.id, 'refresh');
        if (current.status === 'authorized') {
          throw new ApiError(
            'payment_in_progress',
            'A payment for this checkout has been authorised and is being completed; it cannot be replaced.',
            { paymentId: current.id },
          );
        }
        if (!isTerminal(current.status)) open.push(current);
      }

      // Two tabs or a burst of starts must not become several provider payments: without the
      // shopper's explicit choice to replace it, the open payment stands.
      if (!request.replace) {
        const standing = await this.standingPayment(open);
        if (standing) return this.continueOpen(standing, request.method, bankId);
      }

      // The limit bounds provider payments: continuing an open payment creates none, and an attempt
      // the provider refused (busy, rate limited, timed out: no provider payment) must not use up the
      // checkout, or a provider outage would lock it for good.
      const providerPayments = earlier.filter((p) => p.providerPaymentId !== null || !isTerminal(p.status)).length;
      if (this.maxAttemptsPerSession > 0 && providerPayments >= this.maxAttemptsPerSession) {
        throw new ApiError(
          'attempt_limit_reached',
          'This checkout has reached its limit of payment attempts; start a new checkout.',
          { maxAttempts: this.maxAttemptsPerSession },
        );
      }
      this.assertSessionPayable((await this.store.getSession(session.id)) ?? fresh);

      const created = await this.createWithProvider(fresh, clientToken, adapter, request, bankId);
      if (open.length > 0) {
        await this.store.appendPaymentEvents(
          open.map((p) => this.event(p, 'superseded', 'system', { supersededBy: created.payment.id })),
        );
        for (const old of open) await this.cancelReplaced(old);
      }
      return created;
    });
  }

  /**
   * The open payment a new attempt defers to: the newest one the shopper has not already replaced.
   * A replaced one the provider could not cancel is still reconciled, but it no longer blocks.
   */
  private async standingPayment(open: PaymentRecord[]): Promise<PaymentRecord | null> {
    for (const payment of open) {
      const events = await this.store.listPaymentEvents(payment.id);
      if (!events.some((e) => e.type === 'superseded')) return payment;
    }
    return null;
  }

  /**
   * A new attempt id while `open` is still open: the same method and bank choice continue it, as a
   * replay of its own attempt would (no provider call); anything else needs the shopper's decision.
   * A row the provider never confirmed (interrupted create) has nowhere to continue to.
   */
  private continueOpen(
    open: PaymentRecord,
    method: StartPaymentRequest['method'],
    bankId: string | null,
  ): { payment: PaymentRecord; redirectUrl: string } {
    const sameChoice = open.method === method && (open.bankId ?? null) === bankId;
    if (sameChoice && open.providerPaymentId !== null && open.redirectUrl) {
      return { payment: open, redirectUrl: open.redirectUrl };
    }
    throw new ApiError(
      'payment_in_progress',
      'Another payment for this checkout is still open: continue it, or choose to pay another way.',
      { paymentId: open.id },
    );
  }

  /**
   * A replaced attempt the shopper could still approve (another tab, the provider's app) would pay the
   * checkout twice: where the provider can cancel, cancel it now. Best effort: if that fails the old
   * attempt is still reconciled, and the merchant sees both in the session.
   */
  private async cancelReplaced(payment: PaymentRecord): Promise<void> {
    const adapter = this.adapterFor(payment);
    if (!adapter.capabilities.cancel || !adapter.cancel || payment.providerPaymentId === null) return;
    try {
      const snapshot = await adapter.cancel(payment.providerPaymentId, `replaced-${payment.id}`);
      await this.commit(
        payment.id,
        { kind: 'snapshot', snapshot },
        { source: 'system', eventType: 'replaced_cancelled', checked: true },
      );
    } catch (error) {
      this.logger.warn('could not cancel a replaced payment at the provider; it is still reconciled', {
        paymentId: payment.id,
        error,
      });
    }
  }

  private assertSessionPayable(session: SessionRecord): void {
    const state = sessionState(session, this.now());
    if (state === 'paid') throw new ApiError('conflict', 'This checkout has already been paid.');
    if (state === 'expired') throw new ApiError('session_expired', 'This checkout has expired.');
  }

  private async assertBankUsable(adapter: ProviderAdapter, bankId: string, session: SessionRecord): Promise<void> {
    let banks;
    try {
      banks = await this.banks.forSession(adapter, session.currency, session.countries);
    } catch (error) {
      // The provider validates the bank too; an unavailable bank list must not block paying.
      this.logger.warn('bank list unavailable while starting a payment', { error });
      return;
    }
    const bank = banks.find((b) => b.id === bankId);
    if (!bank) throw new ApiError('bank_not_available', 'The chosen bank cannot take this payment.');
    if (!bank.available) {
      throw new ApiError('bank_not_available', bank.unavailableMessage ?? 'The chosen bank is unavailable right now.');
    }
  }

  private replayAttempt(
    existing: PaymentRecord,
    method: StartPaymentRequest['method'],
  ): { payment: PaymentRecord; redirectUrl: string } {
    if (existing.method !== method) {
      throw new ApiError(
        'idempotency_key_reused',
        'This attemptId was already used for a different payment request; use a new attemptId.',
      );
    }
    if (existing.redirectUrl) return { payment: existing, redirectUrl: existing.redirectUrl };
    if (isTerminal(existing.status)) {
      throw new ApiError('invalid_state', 'This attempt could not be started at the provider; start a new attempt.', {
        paymentId: existing.id,
      });
    }
    throw new ApiError('payment_in_progress', 'This attempt is still being started; try again shortly.', {
      paymentId: existing.id,
    });
  }

  private async createWithProvider(
    session: SessionRecord,
    clientToken: string,
    adapter: ProviderAdapter,
    request: StartPaymentRequest,
    bankId: string | null,
  ): Promise<{ payment: PaymentRecord; redirectUrl: string }> {
    const now = this.nowIso();
    const record: PaymentRecord = {
      id: newPaymentId(),
      sessionId: session.id,
      attemptId: request.attemptId,
      method: request.method,
      adapterId: adapter.id,
      providerPaymentId: null,
      status: 'created',
      providerStatus: null,
      bankId,
      reference: session.reference,
      amount: session.amount,
      currency: session.currency,
      authorizedAmount: 0,
      capturedAmount: 0,
      refundedAmount: 0,
      cancelledAmount: 0,
      failure: null,
      redirectUrl: null,
      expiresAt: null,
      createdAt: now,
      updatedAt: now,
      lastCheckedAt: null,
      version: 1,
    };
    // Written before the provider is called: a crash after this point leaves a trace we can resolve.
    const inserted = await this.store.insertPayment(
      record,
      this.event(record, 'created', 'create', { attemptId: request.attemptId }),
    );
    if (!inserted.created) return this.replayAttempt(inserted.payment, request.method);
    // Fix (crash suite): without this, a create slower than the reconciler's 2-minute rule (long
    // PWB_PROVIDER_TIMEOUT_MS) was failed as "interrupted" while the shopper was sent to pay it.
    this.creating.add(record.id);
    try {
      return await this.createAtProvider(record, session, clientToken, adapter, request, bankId);
    } finally {
      this.creating.delete(record.id);
    }
  }

  private async createAtProvider(
    record: PaymentRecord,
    session: SessionRecord,
    clientToken: string,
    adapter: ProviderAdapter,
    request: StartPaymentRequest,
    bankId: string | null,
  ): Promise<{ payment: PaymentRecord; redirectUrl: string }> {
    crashPoint('start-payment:before-provider-create'); // test hook: see crash-points.ts

    let created;
    try {
      created = await adapter.createPayment({
        paymentId: record.id,
        sessionId: session.id,
        amount: { value: session.amount, currency: session.currency },
        reference: session.reference,
        description: session.description,
        returnUrl: buildProviderReturnUrl(session.returnUrl, clientToken, record.id),
        bankId,
        phoneNumber: request.phoneNumber ?? null,
        mobile: request.mobile ?? false,
        locale: session.locale,
      });
    } catch (error) {
      const apiError = toApiError(error);
      this.logger.warn('provider refused to create a payment', { paymentId: record.id, adapter: adapter.id, error });
      await this.commit(
        record.id,
        {
          kind: 'decision',
          status: 'failed',
          providerStatus: 'create_failed',
          failure: {
            code: apiError.code,
            message: 'The payment could not be started with the provider.',
            providerCode: null,
            providerMessage: apiError.message,
          },
        },
        { source: 'create', eventType: 'create_failed', eventData: { code: apiError.code } },
      );
      throw apiError;
    }
    crashPoint('start-payment:after-provider-create'); // test hook: see crash-points.ts

    const payment = await this.commit(
      record.id,
      { kind: 'snapshot', snapshot: created.snapshot },
      {
        source: 'create',
        extraPatch: {
          providerPaymentId: created.providerPaymentId,
          redirectUrl: created.redirectUrl,
          expiresAt: created.expiresAt ? created.expiresAt.toISOString() : null,
        },
        eventType: 'provider_created',
        eventData: { providerPaymentId: created.providerPaymentId },
        alwaysRecord: true,
        checked: true,
      },
    );
    return { payment, redirectUrl: created.redirectUrl };
  }

  /**
   * A payment as the browser sees it, with what to do next and whether it settles the checkout,
   * both decided by the payment's adapter: the element never asks which provider it is.
   */
  checkoutView(payment: PaymentRecord, options: { redirectUrl?: string } = {}): CheckoutPayment {
    const adapter = this.providers.byId(payment.adapterId);
    const settled = settles(payment, adapter?.authorizedMeansPaid === true);
    let next: NextAction;
    if (options.redirectUrl) next = { type: 'redirect', url: options.redirectUrl };
    else if (settled || isTerminal(payment.status)) next = { type: 'none' };
    else {
      next = {
        type: 'wait',
        pollAfterMs: this.throttle.pollAfterMs(payment.id, payment.createdAt, adapter?.pollingPolicy),
        until: payment.expiresAt,
      };
    }
    return toCheckoutPayment(payment, { settled, next });
  }

  // ---------------------------------------------------------------------------------------------
  // Refresh and reconciliation

  /**
   * Ask the provider for the latest status, at most once per payment at a time and as often as the
   * adapter's polling policy allows (RefreshThrottle); concurrent callers share the call, callers
   * the policy holds back get the stored state, and terminal payments answer from the store.
   */
  async refresh(paymentId: string, source: PaymentEventSource = 'refresh'): Promise<PaymentRecord> {
    const payment = await this.store.getPayment(paymentId);
    if (!payment) throw new ApiError('not_found', 'No such payment.');
    if (isTerminal(payment.status) || payment.providerPaymentId === null) return payment;

    const running = this.inflightRefresh.get(paymentId);
    if (running) return running;
    const adapter = this.adapterFor(payment);
    if (!this.throttle.tryTake(paymentId, payment.createdAt, adapter.pollingPolicy, source)) return payment;

    const providerPaymentId = payment.providerPaymentId;
    const call = (async () => {
      let snapshot: ProviderSnapshot;
      try {
        snapshot = await adapter.refresh(providerPaymentId);
      } catch (error) {
        throw toApiError(error);
      }
      crashPoint('refresh:after-provider-answer'); // test hook: see crash-points.ts
      const updated = await this.commit(paymentId, { kind: 'snapshot', snapshot }, { source, checked: true });
      if (isTerminal(updated.status)) this.throttle.forget(paymentId);
      return updated;
    })().finally(() => this.inflightRefresh.delete(paymentId));
    this.inflightRefresh.set(paymentId, call);
    return call;
  }

  /** Apply what a provider says about a payment (snapshot from a refresh, callback or operation). */
  async applySnapshot(paymentId: string, snapshot: ProviderSnapshot, options: CommitOptions): Promise<PaymentRecord> {
    return this.commit(paymentId, { kind: 'snapshot', snapshot }, options);
  }

  /**
   * The one writer of payment state: plan the change, then compare-and-set on the version with its
   * event, merchant notifications and the session's paid state in one transaction; retry on a
   * concurrent change (re-planning against the newer state).
   */
  private async commit(
    paymentId: string,
    change: { kind: 'snapshot'; snapshot: ProviderSnapshot } | ServerDecision,
    options: CommitOptions,
  ): Promise<PaymentRecord> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await this.store.getPayment(paymentId);
      if (!current) throw new ApiError('not_found', 'No such payment.');
      const now = this.nowIso();

      let patch: PaymentPatch;
      let merchantEvents: MerchantEventType[];
      if (change.kind === 'snapshot') {
        const plan = planSnapshot(current, change.snapshot);
        patch = { ...plan.patch, ...options.extraPatch };
        merchantEvents = plan.merchantEvents;
      } else {
        // A status decided by the server itself (the provider refused or never finished creating it).
        if (isTerminal(current.status)) return current;
        patch = {
          status: change.status,
          providerStatus: change.providerStatus,
          failure: change.failure,
          ...options.extraPatch,
        };
        merchantEvents = change.status !== current.status ? [`payment.${change.status}` as MerchantEventType] : [];
      }

      if (!hasChanges(patch) && !options.alwaysRecord) {
        if (options.checked) await this.store.markPaymentChecked(paymentId, now);
        return { ...current, lastCheckedAt: options.checked ? now : current.lastCheckedAt };
      }
      if (options.checked) patch.lastCheckedAt = now;

      const next: PaymentRecord = { ...current, ...patch, updatedAt: now, version: current.version + 1 };
      const adapter = this.providers.byId(current.adapterId);
      const paid = settles(next, adapter?.authorizedMeansPaid === true);
      const session = paid ? await this.store.getSession(current.sessionId) : null;

      const result = await this.store.updatePayment({
        paymentId,
        expectedVersion: current.version,
        patch,
        updatedAt: now,
        events: [
          {
            ...this.event(next, options.eventType ?? 'status', options.source, options.eventData ?? null),
            dedupeKey: options.dedupeKey ?? null,
            createdAt: now,
          },
        ],
        outbox: merchantEvents.map((type) => this.outboxRow(type, next, now)),
        ...(session && session.state !== 'paid' ? { sessionState: 'paid' as const } : {}),
      });
      if (result.ok) {
        if (next.status !== current.status) {
          this.logger.info('payment status changed', {
            paymentId,
            from: current.status,
            to: next.status,
            providerStatus: next.providerStatus,
            source: options.source,
          });
        }
        return result.payment;
      }
      if (result.reason === 'duplicate_event') return current;
      if (result.reason === 'not_found') throw new ApiError('not_found', 'No such payment.');
      // version_conflict: someone else changed it meanwhile; plan again on the new state.
    }
    throw new ApiError('conflict', 'The payment is changing concurrently; try again.');
  }

  private event(payment: PaymentRecord, type: string, source: PaymentEventSource, data: unknown): PaymentEventRecord {
    return {
      id: newEventId(),
      paymentId: payment.id,
      type,
      status: payment.status,
      providerStatus: payment.providerStatus,
      source,
      dedupeKey: null,
      data,
      createdAt: this.nowIso(),
    };
  }

  private outboxRow(type: MerchantEventType, payment: PaymentRecord, now: string): OutboxRecord {
    const id = newEventId();
    const event: MerchantEvent = { id, type, createdAt: now, payment: toMerchantPayment(payment) };
    return {
      id,
      paymentId: payment.id,
      type,
      payload: JSON.stringify(event),
      attempts: 0,
      nextAttemptAt: now,
      deliveredAt: null,
      lastError: null,
      createdAt: now,
    };
  }

  /** A payment whose creation never finished (crash mid-call): mark it failed so nothing waits on it. */
  async failInterruptedCreate(payment: PaymentRecord): Promise<PaymentRecord> {
    if (this.creating.has(payment.id)) return payment; // still being created here, just slowly
    const failure: PaymentFailure = {
      code: 'create_interrupted',
      message: 'The payment could not be started with the provider.',
      providerCode: null,
      providerMessage: null,
    };
    return this.commit(
      payment.id,
      { kind: 'decision', status: 'failed', providerStatus: payment.providerStatus, failure },
      { source: 'reconciler', eventType: 'create_interrupted' },
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Provider callbacks

  /** Authenticate a provider callback with its adapter, then apply it (or refresh) replay-safely. */
  async handleCallback(adapterId: string, request: Request, subPath: string): Promise<PaymentRecord | null> {
    const adapter = this.providers.byId(adapterId);
    if (!adapter || !adapter.handleCallback || !adapter.capabilities.callbacks) {
      throw new ApiError('not_found', 'No such callback endpoint.');
    }
    let result;
    try {
      result = await adapter.handleCallback(request, subPath);
    } catch (error) {
      throw toApiError(error);
    }
    const payment = await this.store.findPaymentByProviderId(adapter.id, result.providerPaymentId);
    if (!payment) throw new ApiError('not_found', 'No such payment.');
    crashPoint('callback:before-apply'); // test hook: see crash-points.ts
    if (result.snapshot) {
      return this.commit(
        payment.id,
        { kind: 'snapshot', snapshot: result.snapshot },
        {
          source: 'callback',
          dedupeKey: result.eventKey,
          eventType: 'callback',
        },
      );
    }
    return this.refresh(payment.id, 'callback');
  }

  // ---------------------------------------------------------------------------------------------
  // Merchant operations

  /**
   * Capture, cancel or refund: check the adapter can, check the amount against what was authorised
   * or captured, call the adapter with the idempotency key, and record the result.
   */
  async modify(
    paymentId: string,
    operation: ModifyOperation,
    amount: number | undefined,
    idempotencyKey: string,
  ): Promise<PaymentRecord> {
    return this.paymentLocks.run(paymentId, async () => {
      // Bring the payment up to date first so amount checks use the provider's latest word.
      let payment = await this.store.getPayment(paymentId);
      if (!payment) throw new ApiError('not_found', 'No such payment.');
      const adapter = this.adapterFor(payment);
      if (!adapter.capabilities[operation] || !adapter[operation]) {
        throw new ApiError('invalid_state', `This payment's provider does not support ${operation}.`, {
          operation,
          provider: adapter.id,
        });
      }
      if (!isTerminal(payment.status) && payment.providerPaymentId) payment = await this.refresh(paymentId, 'merchant');
      if (!payment.providerPaymentId)
        throw new ApiError('invalid_state', 'The payment was never created at the provider.');

      const money = (value: number) => ({ value, currency: payment!.currency as Currency });
      let snapshot: ProviderSnapshot;
      let opAmount: number | null = null;
      try {
        if (operation === 'capture') {
          if (payment.status !== 'authorized') {
            throw new ApiError(
              'invalid_state',
              `Only authorized payments can be captured (this one is ${payment.status}).`,
            );
          }
          const remaining = payment.authorizedAmount - payment.capturedAmount - payment.cancelledAmount;
          if (remaining <= 0) throw new ApiError('invalid_state', 'Nothing is left to capture.');
          opAmount = amount ?? remaining;
          if (opAmount > remaining) {
            throw new ApiError(
              'amount_exceeds_authorized',
              `The capture amount ${opAmount} exceeds the ${remaining} still reserved (minor units, ${payment.currency}).`,
              { requested: opAmount, remaining },
            );
          }
          snapshot = await adapter.capture!(payment.providerPaymentId, money(opAmount), idempotencyKey);
        } else if (operation === 'refund') {
          if (payment.status !== 'authorized' && payment.status !== 'completed') {
            throw new ApiError(
              'invalid_state',
              `Only captured payments can be refunded (this one is ${payment.status}).`,
            );
          }
          const refundable = payment.capturedAmount - payment.refundedAmount;
          if (refundable <= 0) throw new ApiError('invalid_state', 'Nothing captured is left to refund.');
          opAmount = amount ?? refundable;
          if (opAmount > refundable) {
            throw new ApiError(
              'amount_exceeds_captured',
              `The refund amount ${opAmount} exceeds the ${refundable} captured and not yet refunded (minor units, ${payment.currency}).`,
              { requested: opAmount, refundable },
            );
          }
          snapshot = await adapter.refund!(payment.providerPaymentId, money(opAmount), idempotencyKey);
        } else {
          if (isTerminal(payment.status)) {
            throw new ApiError('invalid_state', `A ${payment.status} payment cannot be cancelled.`);
          }
          snapshot = await adapter.cancel!(payment.providerPaymentId, idempotencyKey);
        }
      } catch (error) {
        throw toApiError(error);
      }
      return this.commit(
        paymentId,
        { kind: 'snapshot', snapshot },
        {
          source: 'merchant',
          eventType: operation,
          eventData: { amount: opAmount, idempotencyKey },
          alwaysRecord: true,
        },
      );
    });
  }

  /** A fresh key for operations the merchant sent without one. */
  static newOperationKey(): string {
    return newRandomId('op');
  }
}

/** A terminal status the server decides itself (never from a provider snapshot). */
interface ServerDecision {
  kind: 'decision';
  status: 'failed';
  providerStatus: string | null;
  failure: PaymentFailure;
}
