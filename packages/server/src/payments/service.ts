/**
 * PaymentService: the payment flow the routes and the reconciler call, composed of small parts
 * with one job each —
 *   start-decision.ts  pure start policy: replay | continue | await-create | create | refuse
 *   creator.ts         writes the row, creates the provider payment outside the session's lock
 *   ledger.ts          the one writer of payment state (compare-and-set, event, outbox, paid)
 *   refresher.ts       provider status calls under the adapter's polling policy, coalesced
 *   operations.ts      merchant capture / cancel / refund over the pure amount-rules.ts
 *   callbacks.ts       provider callbacks and webhooks
 * Provider-neutral: adapters are looked up by the id stored on the payment.
 */
import { isTerminal, type CheckoutPayment, type NextAction, type StartPaymentRequest } from '@pay-with-bank/protocol';
import type { BankDirectory } from '../providers/banks.js';
import { KeyedMutex } from '../locks.js';
import { sessionState, settles, toCheckoutPayment } from '../views.js';
import { ApiError } from '../errors.js';
import type { Logger } from '../log.js';
import { expressSupport, type ProviderAdapter } from '../providers/adapter.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { newRandomId } from '../security/crypto.js';
import type { PaymentRecord, SessionRecord, Store } from '../store/store.js';
import type { ModifyOperation } from './amount-rules.js';
import { ShippingQuoter } from '../sessions/shipping.js';
import { handleCallback, type CallbackOutcome } from './callbacks.js';
import { PaymentCreator, type Started } from './creator.js';
import { PaymentLedger, type EventInfo } from './ledger.js';
import { MerchantOperations } from './operations.js';
import { PaymentRefresher } from './refresher.js';
import { countProviderPayments, decideStart, type StartFacts } from './start-decision.js';

export type { ModifyOperation } from './amount-rules.js';

export interface PaymentServiceOptions {
  store: Store;
  providers: ProviderRegistry;
  banks: BankDirectory;
  logger: Logger;
  now: () => Date;
  /** At most one provider status call per payment per this many ms (others get the stored state). */
  refreshIntervalMs?: number;
  /** Provider payments allowed per session (0 = unlimited). */
  maxAttemptsPerSession?: number;
  /** Shipping options of express checkouts (default: static options only, no shipping URL can be asked). */
  shipping?: ShippingQuoter;
  /** Told after each committed change of a payment (the ledger's hook: live status). */
  onPaymentChange?: (payment: PaymentRecord) => void;
  /**
   * On a store shared by several instances: how long after a payment row was written a start may
   * wait for another instance to finish creating it at the provider (then `payment_in_progress`).
   * Default 12 s (the default provider timeout and a margin).
   */
  createWaitMs?: number;
}

/** What the locked part of a start leads to. */
type StartOutcome =
  | { started: Started }
  | { wait: Promise<Started> }
  /** Being created by another instance: wait for its provider id (or a failure) in the store. */
  | { waitElsewhere: { payment: PaymentRecord; otherwise: ApiError } }
  | { again: true }
  | { create: { record: PaymentRecord; replaced: PaymentRecord[] } };

/** How often a start waiting for another instance's create looks at the row (ms: first, then at most). */
const CREATE_POLL_MS = { first: 25, max: 250 };

export class PaymentService {
  private readonly ledger: PaymentLedger;
  private readonly creator: PaymentCreator;
  private readonly refresher: PaymentRefresher;
  private readonly operations: MerchantOperations;
  private readonly sessionLocks = new KeyedMutex();
  private readonly shipping: ShippingQuoter;

  constructor(private readonly options: PaymentServiceOptions) {
    const { store, providers, logger, now } = options;
    const adapterFor = (payment: PaymentRecord) => this.adapterFor(payment);
    this.shipping =
      options.shipping ?? new ShippingQuoter({ fetch: globalThis.fetch, secret: null, timeoutMs: 4000, logger, now });
    this.ledger = new PaymentLedger({
      store,
      providers,
      logger,
      now,
      onShippingMismatch: (payment) => this.releaseMismatched(payment),
      ...(options.onPaymentChange ? { onCommitted: options.onPaymentChange } : {}),
    });
    this.creator = new PaymentCreator({ store, ledger: this.ledger, logger, now });
    this.refresher = new PaymentRefresher({
      store,
      ledger: this.ledger,
      adapterFor,
      clock: () => now().getTime(),
      minIntervalMs: options.refreshIntervalMs ?? 1000,
    });
    this.operations = new MerchantOperations({ store, ledger: this.ledger, refresher: this.refresher, adapterFor });
  }

  private adapterFor(payment: PaymentRecord): ProviderAdapter {
    const adapter = this.options.providers.byId(payment.adapterId);
    // A payment made with a provider that is no longer configured cannot be reconciled: say so plainly.
    if (!adapter) throw new ApiError('invalid_state', 'The provider of this payment is no longer configured.');
    return adapter;
  }

  // ---------------------------------------------------------------------------------------------
  // Start

  /**
   * Start (or replay) the payment of one attempt (design invariant 5). The decision is made under the
   * session's lock on what the store says after the open payments were checked with their providers
   * (outside the lock); the new row is written under the lock, the provider is called after it. The
   * lock is the store's (`session:<id>`: every instance on a shared store), behind an in-process one
   * so that a burst on one instance queues in memory rather than on database connections. A start
   * that finds the same choice being created waits for it: in this process by its promise, on
   * another instance by watching the row for its provider id, so no instance calls the provider twice.
   */
  async start(session: SessionRecord, clientToken: string, request: StartPaymentRequest): Promise<Started> {
    const { store, providers } = this.options;
    if (!session.methods.includes(request.method)) {
      throw new ApiError('method_not_available', `Payment method ${request.method} is not offered for this checkout.`);
    }
    const adapter = providers.forMethod(request.method, session.currency);
    if (!adapter) {
      throw new ApiError(
        'method_not_available',
        `Payment method ${request.method} is not available in ${session.currency}.`,
      );
    }
    if (session.express && !expressSupport(adapter).supported) {
      throw new ApiError('express_not_supported', `Payment method ${request.method} has no express checkout.`);
    }
    const bankId = request.bankId ?? null;
    const bankProblem = bankId !== null && adapter.listBanks ? await this.bankProblem(adapter, bankId, session) : null;

    for (let round = 0; round < 4; round++) {
      // Where each open attempt stands, from its provider (throttled, coalesced), before deciding.
      for (const other of await store.listSessionPayments(session.id)) {
        if (!isTerminal(other.status) && other.attemptId !== request.attemptId) {
          await this.refresher.refresh(other.id, 'refresh');
        }
      }
      const outcome = await this.lockSession(session.id, async (): Promise<StartOutcome> => {
        const facts = await this.startFacts(session, request, bankProblem);
        const decision = decideStart(facts);
        switch (decision.kind) {
          case 'replay':
          case 'continue':
            return { started: { payment: decision.payment, redirectUrl: decision.payment.redirectUrl! } };
          case 'refuse':
            throw decision.error;
          case 'await-create': {
            const running = this.creator.inFlight(decision.payment.id);
            if (running) return { wait: running };
            // Not here: on a shared store another instance may be creating it (if the row is young).
            if (this.mayBeCreatingElsewhere(decision.payment)) {
              return { waitElsewhere: { payment: decision.payment, otherwise: decision.otherwise } };
            }
            throw decision.otherwise;
          }
          case 'create': {
            const record = this.creator.newRecord(session, adapter, { ...request, bankId });
            const inserted = await this.creator.insert(record);
            if (!inserted.created) return { again: true }; // the same attempt won a race: decide again
            if (decision.supersede.length > 0) await this.ledger.supersede(decision.supersede, record.id);
            return { create: { record, replaced: decision.supersede } };
          }
        }
      });
      if ('started' in outcome) return outcome.started;
      if ('wait' in outcome) {
        // The same choice is being created right now (another tab, a double click): share it.
        await outcome.wait.catch(() => undefined);
        continue;
      }
      if ('waitElsewhere' in outcome) {
        await this.awaitCreateElsewhere(outcome.waitElsewhere.payment);
        continue;
      }
      if ('again' in outcome) continue;
      const started = await this.creator.create(outcome.create.record, session, clientToken, adapter, {
        ...request,
        bankId,
      });
      for (const old of outcome.create.replaced) await this.cancelReplaced(old);
      return started;
    }
    throw new ApiError('conflict', 'The checkout is changing concurrently; try again.');
  }

  /** `work` under the session's lock: this process's, then the store's (all instances). */
  private lockSession<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    return this.sessionLocks.run(sessionId, () => this.options.store.withLock(`session:${sessionId}`, work));
  }

  /**
   * Whether a payment row without a provider id may still be getting one on another instance: on
   * a shared store, while the row is younger than the longest a create takes. Older ones were
   * interrupted (a crash); on a store of one process, a create not running here runs nowhere.
   */
  private mayBeCreatingElsewhere(payment: PaymentRecord): boolean {
    const { store, now, createWaitMs = 12_000 } = this.options;
    return store.shared && now().getTime() - Date.parse(payment.createdAt) < createWaitMs;
  }

  /**
   * Wait for another instance's create of `payment`: until the row has its provider id or a final
   * status, or it is as old as a create may take (the caller then decides again). Polls the store
   * with a growing pause; real time bounds it too, whatever the injected clock does.
   */
  private async awaitCreateElsewhere(payment: PaymentRecord): Promise<void> {
    const { store, now, createWaitMs = 12_000 } = this.options;
    const remainingMs = Date.parse(payment.createdAt) + createWaitMs - now().getTime();
    const deadline = Date.now() + Math.max(0, remainingMs);
    for (let pause = CREATE_POLL_MS.first; Date.now() < deadline; pause = Math.min(pause * 2, CREATE_POLL_MS.max)) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(1, deadline - Date.now()))));
      const current = await store.getPayment(payment.id);
      if (!current || current.providerPaymentId !== null || isTerminal(current.status)) return;
    }
  }

  private async startFacts(
    session: SessionRecord,
    request: StartPaymentRequest,
    bankProblem: ApiError | null,
  ): Promise<StartFacts> {
    const { store, now, maxAttemptsPerSession = 0 } = this.options;
    const current = (await store.getSession(session.id)) ?? session;
    const payments = await store.listSessionPayments(session.id);
    return {
      sameAttempt: payments.find((p) => p.attemptId === request.attemptId) ?? null,
      sessionState: sessionState(current, now()),
      bankProblem,
      open: payments.filter((p) => !isTerminal(p.status) && p.attemptId !== request.attemptId),
      providerPayments: countProviderPayments(payments),
      maxAttempts: maxAttemptsPerSession,
      request: { method: request.method, bankId: request.bankId ?? null, replace: request.replace === true },
    };
  }

  private async bankProblem(
    adapter: ProviderAdapter,
    bankId: string,
    session: SessionRecord,
  ): Promise<ApiError | null> {
    let banks;
    try {
      banks = await this.options.banks.forSession(adapter, session.currency, session.countries);
    } catch (error) {
      // The provider validates the bank too; an unavailable bank list must not block paying.
      this.options.logger.warn('bank list unavailable while starting a payment', { error });
      return null;
    }
    const bank = banks.find((b) => b.id === bankId);
    if (!bank) return new ApiError('bank_not_available', 'The chosen bank cannot take this payment.');
    if (!bank.available) {
      return new ApiError('bank_not_available', bank.unavailableMessage ?? 'The chosen bank is unavailable right now.');
    }
    return null;
  }

  /**
   * A replaced attempt the shopper could still approve (another tab, the provider's app) would pay the
   * checkout twice: where the provider can cancel, cancel it now. Best effort: if that fails the old
   * attempt is still reconciled, and the merchant sees both in the session.
   */
  private async cancelReplaced(payment: PaymentRecord): Promise<void> {
    const adapter = this.adapterFor(payment);
    if (!adapter.cancel || payment.providerPaymentId === null) return;
    try {
      const snapshot = await adapter.cancel(payment.providerPaymentId, `replaced-${payment.id}`);
      await this.ledger.applySnapshot(payment.id, snapshot, { source: 'system', type: 'replaced_cancelled' }, true);
    } catch (error) {
      this.options.logger.warn('could not cancel a replaced payment at the provider; it is still reconciled', {
        paymentId: payment.id,
        error,
      });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // What the browser sees, refresh, callbacks, reconciliation

  /**
   * A payment as the browser sees it, with what to do next and whether it settles the checkout,
   * both decided by the payment's adapter: the element never asks which provider it is.
   */
  checkoutView(payment: PaymentRecord, options: { redirectUrl?: string } = {}): CheckoutPayment {
    const adapter = this.options.providers.byId(payment.adapterId);
    const settled = settles(payment, adapter?.authorizedMeansPaid === true);
    let next: NextAction;
    if (options.redirectUrl) next = { type: 'redirect', url: options.redirectUrl };
    else if (settled || isTerminal(payment.status)) next = { type: 'none' };
    else next = { type: 'wait', pollAfterMs: this.refresher.pollAfterMs(payment, adapter), until: payment.expiresAt };
    return toCheckoutPayment(payment, { settled, next });
  }

  refresh(paymentId: string, source: EventInfo['source'] = 'refresh'): Promise<PaymentRecord> {
    return this.refresher.refresh(paymentId, source);
  }

  handleCallback(adapterId: string, request: Request, subPath: string): Promise<CallbackOutcome> {
    const { store, providers } = this.options;
    return handleCallback(
      { store, providers, ledger: this.ledger, refresher: this.refresher, shipping: this.shipping },
      adapterId,
      request,
      subPath,
    );
  }

  /**
   * An express payment failed because its provider reported a shipping method or price the merchant
   * never offered: release the reservation so the shopper's money is not held. Best effort: when it
   * fails the reservation stays visible (authorizedAmount) and lapses at the provider.
   */
  private async releaseMismatched(payment: PaymentRecord): Promise<void> {
    const adapter = this.options.providers.byId(payment.adapterId);
    if (!adapter?.cancel || payment.providerPaymentId === null) return;
    try {
      const snapshot = await adapter.cancel(payment.providerPaymentId, `mismatch-${payment.id}`);
      await this.ledger.applySnapshot(payment.id, snapshot, { source: 'system', type: 'mismatch_released' }, true);
    } catch (error) {
      this.options.logger.error('could not release the reservation of a payment with a shipping mismatch', {
        paymentId: payment.id,
        error,
      });
    }
  }

  /** A payment whose creation never finished (crash mid-call): mark it failed so nothing waits on it. */
  async failInterruptedCreate(payment: PaymentRecord): Promise<PaymentRecord> {
    if (this.creator.inFlight(payment.id)) return payment; // still being created here, just slowly
    return this.ledger.fail(
      payment.id,
      {
        code: 'create_interrupted',
        message: 'The payment could not be started with the provider.',
        providerCode: null,
        providerMessage: null,
      },
      undefined,
      { source: 'reconciler', type: 'create_interrupted' },
    );
  }

  /**
   * The merchant's erasure of a payment's shopper details (and of the same shopper's other payments
   * at that provider); the payments erased, none when nothing was left. Unknown payment: not_found.
   */
  async eraseShopper(paymentId: string): Promise<{ payment: PaymentRecord; erased: PaymentRecord[] }> {
    const payment = await this.options.store.getPayment(paymentId);
    if (!payment) throw new ApiError('not_found', 'No such payment.');
    const erased = await this.ledger.eraseShopperOf(payment);
    return { payment: erased.find((p) => p.id === paymentId) ?? payment, erased };
  }

  /** Retention: erases the shopper details of up to `limit` final payments last changed before `finalBefore`. */
  eraseKeptShoppers(finalBefore: Date, limit: number): Promise<PaymentRecord[]> {
    return this.ledger.eraseKeptShoppers(finalBefore, limit);
  }

  // ---------------------------------------------------------------------------------------------
  // Merchant operations

  modify(
    paymentId: string,
    operation: ModifyOperation,
    amount: number | undefined,
    idempotencyKey: string,
  ): Promise<PaymentRecord> {
    return this.operations.modify(paymentId, operation, amount, idempotencyKey);
  }

  /** A fresh key for operations the merchant sent without one. */
  static newOperationKey(): string {
    return newRandomId('op');
  }
}
