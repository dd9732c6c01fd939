/**
 * The status rules, as a pure function: what applying a provider snapshot does to a stored
 * payment. Statuses only move forward (created → pending → authorized → terminal), terminal
 * statuses never change, and amounts never shrink. src/payments/ledger.ts persists the plan.
 */
import { isTerminal, type MerchantEvent, type PaymentStatus } from '@pay-with-bank/protocol';
import type { ProviderSnapshot } from '../providers/adapter.js';
import type { PaymentPatch, PaymentRecord } from '../store/store.js';

export type MerchantEventType = MerchantEvent['type'];

/** How far along a status is: a payment only ever moves to an equal or higher rank. */
export const STATUS_RANK: Readonly<Record<PaymentStatus, number>> = {
  created: 0,
  pending: 1,
  authorized: 2,
  completed: 3,
  failed: 3,
  cancelled: 3,
  expired: 3,
};

export interface ReconcilePlan {
  /** Fields that change (empty when the snapshot is stale or says nothing new). */
  patch: PaymentPatch;
  /** The status after the change. */
  status: PaymentStatus;
  providerStatus: string | null;
  statusChanged: boolean;
  /** Notifications for the merchant, in order. */
  merchantEvents: MerchantEventType[];
}

function grow(current: number, reported: number | undefined): number {
  return reported !== undefined && Number.isInteger(reported) && reported > current ? reported : current;
}

export function planSnapshot(current: PaymentRecord, snapshot: ProviderSnapshot): ReconcilePlan {
  const patch: PaymentPatch = {};
  const terminalBefore = isTerminal(current.status);
  const accepted = !terminalBefore && STATUS_RANK[snapshot.status] >= STATUS_RANK[current.status];
  const status = accepted ? snapshot.status : current.status;
  const statusChanged = status !== current.status;

  // When the provider does not report amounts, the status implies them (the whole amount).
  const impliedAuthorized = status === 'authorized' || status === 'completed' ? current.amount : 0;
  const impliedCaptured = status === 'completed' ? current.amount : 0;
  const authorizedAmount = grow(
    current.authorizedAmount,
    snapshot.authorizedAmount ?? (accepted ? impliedAuthorized : undefined),
  );
  const capturedAmount = grow(
    current.capturedAmount,
    snapshot.capturedAmount ?? (accepted ? impliedCaptured : undefined),
  );
  const refundedAmount = grow(current.refundedAmount, snapshot.refundedAmount);
  const cancelledAmount = grow(current.cancelledAmount, snapshot.cancelledAmount);
  const amountsChanged =
    authorizedAmount !== current.authorizedAmount ||
    capturedAmount !== current.capturedAmount ||
    refundedAmount !== current.refundedAmount ||
    cancelledAmount !== current.cancelledAmount;

  if (statusChanged) patch.status = status;
  if (authorizedAmount !== current.authorizedAmount) patch.authorizedAmount = authorizedAmount;
  if (capturedAmount !== current.capturedAmount) patch.capturedAmount = capturedAmount;
  if (refundedAmount !== current.refundedAmount) patch.refundedAmount = refundedAmount;
  if (cancelledAmount !== current.cancelledAmount) patch.cancelledAmount = cancelledAmount;

  // The provider's own status follows accepted snapshots (and amount changes on settled payments).
  if ((accepted || amountsChanged) && snapshot.providerStatus !== current.providerStatus) {
    patch.providerStatus = snapshot.providerStatus;
  }
  if (accepted && snapshot.bankId && snapshot.bankId !== current.bankId) patch.bankId = snapshot.bankId;
  if (statusChanged && isTerminal(status) && status !== 'completed' && snapshot.failure) {
    patch.failure = snapshot.failure;
  }

  const merchantEvents: MerchantEventType[] = [];
  if (statusChanged && status !== 'created') merchantEvents.push(`payment.${status}` as MerchantEventType);
  if (capturedAmount > current.capturedAmount && !(statusChanged && status === 'completed')) {
    merchantEvents.push('payment.captured');
  }
  if (refundedAmount > current.refundedAmount) merchantEvents.push('payment.refunded');

  return {
    patch,
    status,
    providerStatus: patch.providerStatus ?? current.providerStatus,
    statusChanged,
    merchantEvents,
  };
}

export function hasChanges(patch: PaymentPatch): boolean {
  return Object.keys(patch).length > 0;
}
