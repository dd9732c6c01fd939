/**
 * The creator: writes the payment row (before the provider is called, so a crash leaves a trace the
 * reconciler resolves), then asks the adapter to create the provider payment, outside any lock, and
 * records the answer or the refusal. It remembers which creates are running in this process: they
 * are never failed as interrupted, however slow, and a start for the same choice can wait for one.
 */
import type { PaymentFailure, StartPaymentRequest } from '@pay-with-bank/protocol';
import { crashPoint } from '../crash-points.js'; // test hook (test/crash): no-op unless PWB_CRASH_AT is set
import { toApiError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ProviderAdapter } from '../providers/adapter.js';
import { newPaymentId } from '../security/crypto.js';
import { buildProviderReturnUrl } from '../security/return-url.js';
import {
  isStoreUnavailable,
  type InsertPaymentResult,
  type PaymentRecord,
  type SessionRecord,
  type Store,
} from '../store/store.js';
import type { PaymentLedger } from './ledger.js';

/**
 * How long the provider's answer to a create (held only in memory) is retried into a database that
 * is briefly unavailable (a restart, a dropped connection), before the start fails as unavailable.
 */
const RECORD_RETRY_MS = 10_000;

export interface Started {
  payment: PaymentRecord;
  redirectUrl: string;
}

export interface CreatorOptions {
  store: Store;
  ledger: PaymentLedger;
  logger: Logger;
  now: () => Date;
}

export class PaymentCreator {
  private readonly running = new Map<string, Promise<Started>>();

  constructor(private readonly options: CreatorOptions) {}

  /** The new payment row for an attempt (status `created`, no provider id yet). */
  newRecord(session: SessionRecord, adapter: ProviderAdapter, request: StartPaymentRequest): PaymentRecord {
    const now = this.options.now().toISOString();
    return {
      id: newPaymentId(),
      sessionId: session.id,
      attemptId: request.attemptId,
      method: request.method,
      adapterId: adapter.id,
      providerPaymentId: null,
      status: 'created',
      providerStatus: null,
      bankId: request.bankId ?? null,
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
      supersededBy: null,
    };
  }

  /** Write the row with its first event; an existing row for the same attempt is returned instead. */
  insert(record: PaymentRecord): Promise<InsertPaymentResult> {
    return this.options.store.insertPayment(record, this.options.ledger.createdEvent(record));
  }

  /** Create the inserted row's provider payment (call after `insert`, outside the session's lock). */
  create(
    record: PaymentRecord,
    session: SessionRecord,
    clientToken: string,
    adapter: ProviderAdapter,
    request: StartPaymentRequest,
  ): Promise<Started> {
    const call = this.createAtProvider(record, session, clientToken, adapter, request).finally(() =>
      this.running.delete(record.id),
    );
    this.running.set(record.id, call);
    return call;
  }

  /** The running create of this payment in this process, if any. */
  inFlight(paymentId: string): Promise<Started> | undefined {
    return this.running.get(paymentId);
  }

  private async createAtProvider(
    record: PaymentRecord,
    session: SessionRecord,
    clientToken: string,
    adapter: ProviderAdapter,
    request: StartPaymentRequest,
  ): Promise<Started> {
    const { ledger, logger } = this.options;
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
        bankId: record.bankId,
        options: methodOptions(request),
        locale: session.locale,
        express: session.express
          ? { options: session.express.options, confirmAddress: session.express.confirmAddress }
          : null,
      });
    } catch (error) {
      const apiError = toApiError(error);
      logger.warn('provider refused to create a payment', { paymentId: record.id, adapter: adapter.id, error });
      const failure: PaymentFailure = {
        code: apiError.code,
        message: 'The payment could not be started with the provider.',
        providerCode: null,
        providerMessage: apiError.message,
      };
      await this.durably(() =>
        ledger.fail(record.id, failure, 'create_failed', {
          source: 'create',
          type: 'create_failed',
          data: { code: apiError.code },
        }),
      );
      throw apiError;
    }
    crashPoint('start-payment:after-provider-create'); // test hook: see crash-points.ts
    const { providerPaymentId } = created;
    const payment = await this.durably(async () => {
      // A write whose commit was lost with its connection may have been made: do not make it twice.
      const stored = await this.options.store.getPayment(record.id);
      if (stored?.providerPaymentId === providerPaymentId) return stored;
      return ledger.recordCreated(record.id, created);
    });
    return { payment, redirectUrl: created.redirectUrl };
  }

  /**
   * `write`, tried again while the database is unavailable, for up to RECORD_RETRY_MS: what the
   * provider said about a create exists nowhere else, and meanwhile this create stays in flight (a
   * start for the same choice waits for it, here or on another instance).
   */
  private async durably<T>(write: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + RECORD_RETRY_MS;
    for (let pause = 100; ; pause = Math.min(pause * 2, 1_000)) {
      try {
        return await write();
      } catch (error) {
        if (!isStoreUnavailable(error) || Date.now() + pause > deadline) throw error;
        this.options.logger.warn('database unavailable while recording a provider create; trying again', {
          error: (error as Error).message,
        });
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }
}

/** The start request's method-specific part, passed to the adapter as it is (the core does not read it). */
function methodOptions(request: StartPaymentRequest): Record<string, unknown> {
  const { method: _method, attemptId: _attemptId, bankId: _bankId, replace: _replace, ...options } = request;
  return options;
}
