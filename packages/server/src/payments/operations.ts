/**
 * Merchant operations: capture, cancel and refund. Checks that the payment's adapter can, brings
 * the payment up to date first (the amount rules use the provider's latest word), applies the pure
 * amount rules, calls the adapter with the merchant's idempotency key and records the result. One
 * operation per payment at a time across every server instance (the store's `payment:<id>` lock,
 * behind an in-process one), so the amount rules always see the previous operation's result.
 */
import { isTerminal, type Currency } from '@pay-with-bank/protocol';
import { KeyedMutex } from '../locks.js';
import { ApiError, toApiError } from '../errors.js';
import { offers, type ProviderAdapter, type ProviderSnapshot } from '../providers/adapter.js';
import type { PaymentRecord, Store } from '../store/store.js';
import { operationAmount, type ModifyOperation } from './amount-rules.js';
import type { PaymentLedger } from './ledger.js';
import type { PaymentRefresher } from './refresher.js';

export interface OperationsOptions {
  store: Store;
  ledger: PaymentLedger;
  refresher: PaymentRefresher;
  adapterFor: (payment: PaymentRecord) => ProviderAdapter;
}

export class MerchantOperations {
  private readonly locks = new KeyedMutex();

  constructor(private readonly options: OperationsOptions) {}

  modify(
    paymentId: string,
    operation: ModifyOperation,
    requested: number | undefined,
    idempotencyKey: string,
  ): Promise<PaymentRecord> {
    const { store } = this.options;
    return this.locks.run(paymentId, () =>
      store.withLock(`payment:${paymentId}`, () => this.modifyLocked(paymentId, operation, requested, idempotencyKey)),
    );
  }

  private async modifyLocked(
    paymentId: string,
    operation: ModifyOperation,
    requested: number | undefined,
    idempotencyKey: string,
  ): Promise<PaymentRecord> {
    const { store, ledger, refresher } = this.options;
    let payment = await store.getPayment(paymentId);
    if (!payment) throw new ApiError('not_found', 'No such payment.');
    const adapter = this.options.adapterFor(payment);
    if (!offers(adapter, operation)) {
      throw new ApiError('invalid_state', `This payment's provider does not support ${operation}.`, {
        operation,
        provider: adapter.id,
      });
    }
    if (!isTerminal(payment.status) && payment.providerPaymentId) {
      payment = await refresher.refresh(paymentId, 'merchant');
    }
    const providerPaymentId = payment.providerPaymentId;
    if (!providerPaymentId) throw new ApiError('invalid_state', 'The payment was never created at the provider.');

    const decided = operationAmount(payment, operation, requested);
    if ('error' in decided) throw decided.error;
    const money = (value: number) => ({ value, currency: payment.currency as Currency });
    let snapshot: ProviderSnapshot;
    try {
      snapshot =
        operation === 'cancel'
          ? await adapter.cancel!(providerPaymentId, idempotencyKey)
          : await adapter[operation]!(providerPaymentId, money(decided.amount!), idempotencyKey);
    } catch (error) {
      throw toApiError(error);
    }
    return ledger.recordOperation(paymentId, snapshot, operation, { amount: decided.amount, idempotencyKey });
  }
}
