/**
 * Pure conversions of eCom v2 shapes to our snapshots. Amounts are øre both sides (integer minor units).
 *
 * | eCom (details log, oldest → newest; callback status)      | ours                                   |
 * |-----------------------------------------------------------|----------------------------------------|
 * | INITIATE only                                              | pending                                |
 * | RESERVE ok / callback RESERVED (RESERVE)                   | authorized                             |
 * | CAPTURE ok, total < reserved                               | authorized, capturedAmount = total     |
 * | CAPTURE ok, total = reserved; SALE ok / callback SALE      | completed                              |
 * | VOID (or CANCEL) after RESERVE, nothing captured           | cancelled (by the merchant)            |
 * | VOID after a partial capture (remainder released)          | completed, cancelledAmount = remainder |
 * | CANCEL before RESERVE / callback CANCELLED                 | cancelled (by the user)                |
 * | CANCEL before RESERVE with status REJECTED / callback REJECTED | expired (the user did not act)     |
 * | RESERVE / SALE failed (operationSuccess false), nothing ok | failed                                 |
 * | REFUND ok                                                  | status unchanged, refundedAmount       |
 *
 * providerStatus is the newest log operation (suffixed `_FAILED` when it failed).
 */
import type { PaymentFailure } from '@pay-with-bank/protocol';
import type { ProviderSnapshot } from '../adapter.js';
import { ecomExpressOf } from './ecom-express.js';
import type { EcomDetails, EcomLogEntry, EcomSummary } from './ecom-schemas.js';

export const ECOM_FAILURES = {
  userCancelled: {
    code: 'rejected_by_user',
    message: 'The payment was cancelled in Vipps.',
    providerCode: 'CANCEL',
    providerMessage: null,
  },
  expired: {
    code: 'expired',
    message: 'The payment was not confirmed in Vipps in time.',
    providerCode: 'REJECTED',
    providerMessage: null,
  },
  merchantCancelled: {
    code: 'cancelled',
    message: 'The payment was cancelled by the merchant.',
    providerCode: 'VOID',
    providerMessage: null,
  },
  reservationFailed: {
    code: 'reservation_failed',
    message: 'Vipps could not reserve the amount.',
    providerCode: 'RESERVE',
    providerMessage: null,
  },
} as const satisfies Record<string, PaymentFailure>;

/** What the log says, folded oldest → newest. */
export interface EcomLogSummary {
  reserved: number;
  captured: number;
  refunded: number;
  voided: number;
  cancelledBeforeReserve: boolean;
  reserveFailed: boolean;
  latest: EcomLogEntry;
}

export function foldLog(details: EcomDetails): EcomLogSummary {
  const newestFirst = details.transactionLogHistory;
  const summary: EcomLogSummary = {
    reserved: 0,
    captured: 0,
    refunded: 0,
    voided: 0,
    cancelledBeforeReserve: false,
    reserveFailed: false,
    latest: newestFirst[0]!,
  };
  for (const entry of [...newestFirst].reverse()) {
    const operation = entry.operation.toUpperCase();
    if (!entry.operationSuccess) {
      if (operation === 'RESERVE' || operation === 'SALE') summary.reserveFailed = true;
      continue;
    }
    switch (operation) {
      case 'RESERVE':
        summary.reserved = entry.amount;
        break;
      case 'SALE':
        summary.reserved = entry.amount;
        summary.captured += entry.amount;
        break;
      case 'CAPTURE':
        summary.captured += entry.amount;
        break;
      case 'REFUND':
        summary.refunded += entry.amount;
        break;
      case 'VOID':
        summary.voided += entry.amount;
        break;
      case 'CANCEL':
        // Before the reservation a CANCEL ends the payment; after it, it releases what is left.
        if (summary.reserved === 0) summary.cancelledBeforeReserve = true;
        else summary.voided += Math.max(0, summary.reserved - summary.captured - summary.voided);
        break;
      default:
        // INITIATE and operations we do not know change nothing.
        break;
    }
  }
  return summary;
}

const providerStatusOf = (entry: EcomLogEntry) =>
  `${entry.operation.toUpperCase()}${entry.operationSuccess ? '' : '_FAILED'}`.slice(0, 60);

/** True when only `GET …/status` can tell whether a pre-reservation CANCEL was the user or a timeout. */
export function needsTimeoutCheck(details: EcomDetails): boolean {
  const log = foldLog(details);
  return log.reserved === 0 && log.cancelledBeforeReserve;
}

/**
 * The details response → our snapshot. `timedOut` says the deprecated status endpoint reported
 * REJECTED for a payment cancelled before reservation (the user never acted).
 */
export function ecomDetailsToSnapshot(details: EcomDetails, timedOut = false): ProviderSnapshot {
  const log = foldLog(details);
  const summary: EcomSummary | null = details.transactionSummary ?? null;
  const captured = summary?.capturedAmount ?? log.captured;
  const refunded = summary?.refundedAmount ?? log.refunded;
  const amounts = {
    authorizedAmount: log.reserved,
    capturedAmount: captured,
    refundedAmount: refunded,
    cancelledAmount: log.voided,
  };
  const raw = {
    operations: details.transactionLogHistory.slice(0, 20).map((e) => ({
      operation: e.operation.slice(0, 20),
      amount: e.amount,
      success: e.operationSuccess,
      timeStamp: e.timeStamp?.slice(0, 40) ?? null,
    })),
    summary: summary
      ? {
          capturedAmount: summary.capturedAmount,
          refundedAmount: summary.refundedAmount,
          remainingAmountToCapture: summary.remainingAmountToCapture,
          remainingAmountToRefund: summary.remainingAmountToRefund,
        }
      : null,
  };
  const express = ecomExpressOf(details);
  const base = { providerStatus: providerStatusOf(log.latest), raw, ...amounts, ...(express ? { express } : {}) };

  if (log.reserved > 0) {
    const released = log.voided > 0 || (summary !== null && summary.remainingAmountToCapture === 0 && captured > 0);
    if (captured >= log.reserved) return { ...base, status: 'completed' };
    if (released && captured > 0) return { ...base, status: 'completed' };
    if (log.voided > 0) return { ...base, status: 'cancelled', failure: ECOM_FAILURES.merchantCancelled };
    return { ...base, status: 'authorized' };
  }
  if (log.cancelledBeforeReserve) {
    return timedOut
      ? { ...base, providerStatus: 'REJECTED', status: 'expired', failure: ECOM_FAILURES.expired }
      : { ...base, status: 'cancelled', failure: ECOM_FAILURES.userCancelled };
  }
  if (log.reserveFailed) return { ...base, status: 'failed', failure: ECOM_FAILURES.reservationFailed };
  return { ...base, status: 'pending' };
}

/**
 * A capture/refund answer's summary → snapshot: nothing left to capture means completed. Used when
 * the answer carries the summary (it always does at Vipps; otherwise the adapter refreshes).
 */
export function ecomSummaryToSnapshot(summary: EcomSummary, operation: 'CAPTURE' | 'REFUND'): ProviderSnapshot {
  return {
    status: summary.remainingAmountToCapture === 0 && summary.capturedAmount > 0 ? 'completed' : 'authorized',
    providerStatus: operation,
    capturedAmount: summary.capturedAmount,
    refundedAmount: summary.refundedAmount,
    raw: {
      summary: {
        capturedAmount: summary.capturedAmount,
        refundedAmount: summary.refundedAmount,
        remainingAmountToCapture: summary.remainingAmountToCapture,
        remainingAmountToRefund: summary.remainingAmountToRefund,
      },
    },
  };
}
