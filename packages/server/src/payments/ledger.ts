/**
 * The ledger: the one writer of payment state. Every change — a provider snapshot from a refresh,
 * a callback or a merchant operation, the provider's answer to a create, a failure the server
 * decides — is planned against the stored payment and written with compare-and-set on its version,
 * together with its event, the merchant notifications (outbox) and the session's paid state, in one
 * transaction. On a concurrent change it plans again against the newer state. Statuses only move
 * forward (status-rules.ts).
 */
import {
  isTerminal,
  TERMINAL_STATUSES,
  type MerchantEvent,
  type PaymentFailure,
  type ShippingOption,
} from '@pay-with-bank/protocol';
import { hasChanges, planSnapshot, STATUS_RANK, type MerchantEventType } from './status-rules.js';
import { planExpress, providerUserKey, SHIPPING_MISMATCH_FAILURE, type ExpressFacts } from './express-rules.js';
import { settles, toMerchantPayment } from '../views.js';
import { ApiError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ProviderSnapshot } from '../providers/adapter.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { newEventId } from '../security/crypto.js';
import type {
  OutboxRecord,
  PaymentEventRecord,
  PaymentEventSource,
  PaymentPatch,
  PaymentRecord,
  ShopperErasure,
  Store,
} from '../store/store.js';

/** Why a shopper's details were erased (`payment.shopper_erased`'s `erasure.reason`). */
type ErasureReason = NonNullable<MerchantEvent['erasure']>['reason'];

/** What the event row of a write says: its type and data (default: `status`, no data). */
export interface EventInfo {
  source: PaymentEventSource;
  type?: string;
  data?: unknown;
  /** Replay guard for callbacks: a second write with the same key is a no-op. */
  dedupeKey?: string | null;
}

interface Plan {
  patch: PaymentPatch;
  merchantEvents: MerchantEventType[];
}

export interface LedgerOptions {
  store: Store;
  providers: ProviderRegistry;
  logger: Logger;
  now: () => Date;
  /**
   * Called after an express payment was failed because the provider's shipping report did not match
   * the merchant's options (the service releases the reservation at the provider).
   */
  onShippingMismatch?: (payment: PaymentRecord) => Promise<void>;
  /** Called after each committed change of a payment's row (the live status bus: src/live/). */
  onCommitted?: (payment: PaymentRecord) => void;
}

/** Event type of a shipping quote the server gave a provider (its options, never the address). */
export const SHIPPING_QUOTED_EVENT = 'shipping_quoted';

export class PaymentLedger {
  constructor(private readonly options: LedgerOptions) {}

  /** Apply what a provider says about a payment (a refresh, a callback); `checked`: it follows a provider call. */
  async applySnapshot(
    paymentId: string,
    snapshot: ProviderSnapshot,
    event: EventInfo,
    checked = false,
  ): Promise<PaymentRecord> {
    const facts = await this.expressFacts(paymentId, snapshot);
    let mismatch: string | null = null;
    const written = await this.write(
      paymentId,
      (current) => {
        mismatch = null;
        const plan = planSnapshot(current, snapshot);
        if (!facts) return plan;
        const express = planExpress(current, snapshot, plan.status, facts);
        if ('mismatch' in express) {
          mismatch = express.mismatch;
          // The provider's report is not believed: the payment fails, whatever status it brought.
          const { status: _status, failure: _failure, ...rest } = plan.patch;
          return {
            patch: { ...rest, status: 'failed', failure: SHIPPING_MISMATCH_FAILURE },
            merchantEvents: ['payment.failed'],
          };
        }
        // With the shipping price known, the payment is for items + shipping (also the implied amounts).
        const base =
          express.patch.amount === undefined
            ? plan
            : planSnapshot({ ...current, amount: express.patch.amount }, snapshot);
        return { patch: { ...base.patch, ...express.patch }, merchantEvents: base.merchantEvents };
      },
      event,
      { checked },
    );
    if (mismatch !== null && written.failure?.code === SHIPPING_MISMATCH_FAILURE.code) {
      this.options.logger.warn(
        'express payment failed: the provider’s shipping report does not match the merchant’s options',
        {
          paymentId,
          reason: mismatch,
        },
      );
      await this.options.onShippingMismatch?.(written);
    }
    return written;
  }

  /**
   * The facts the express rules need, when `snapshot` concerns an express payment's shopper or
   * shipping, or reserves one (read only then: an ordinary refresh costs no extra reads).
   */
  private async expressFacts(paymentId: string, snapshot: ProviderSnapshot): Promise<ExpressFacts | null> {
    const { store } = this.options;
    const reports = snapshot.status === 'authorized' || snapshot.status === 'completed';
    if (snapshot.express === undefined && !reports) return null;
    const payment = await store.getPayment(paymentId);
    if (!payment || isTerminal(payment.status)) return null;
    const reserving = reports && STATUS_RANK[payment.status] < STATUS_RANK.authorized;
    if (snapshot.express === undefined && !reserving) return null;
    const session = await store.getSession(payment.sessionId);
    if (!session?.express) return null;
    let offered: ShippingOption[] = session.express.options ?? [];
    if (session.express.shipping === 'dynamic') {
      offered = (await store.listPaymentEvents(paymentId))
        .filter((e) => e.type === SHIPPING_QUOTED_EVENT)
        .flatMap((e) => (e.data as { options?: ShippingOption[] } | null)?.options ?? []);
    }
    return { itemsAmount: session.amount, offered };
  }

  /** Remember the options the server gave the provider for this payment (before answering it). */
  recordShippingQuote(payment: PaymentRecord, options: readonly ShippingOption[]): Promise<void> {
    const now = this.options.now().toISOString();
    return this.options.store.appendPaymentEvents([
      this.event(payment, SHIPPING_QUOTED_EVENT, 'callback', { options }, now),
    ]);
  }

  /**
   * The shopper withdrew consent: erase their details from every payment of that provider user
   * (and from `alsoPaymentId`, the payment the request came through, if its user is not known yet),
   * each with a `payment.shopper_erased` notification, in one transaction.
   */
  eraseShopper(adapterId: string, providerUserId: string, alsoPaymentId?: string): Promise<PaymentRecord[]> {
    return this.options.store.eraseShopper({
      adapterId,
      providerUserKey: providerUserKey(adapterId, providerUserId),
      ...(alsoPaymentId ? { paymentId: alsoPaymentId } : {}),
      ...this.erasure('callback', 'consent_withdrawn'),
    });
  }

  /**
   * The merchant erases a payment's shopper details (the shopper asked them): that payment's and
   * those of every other payment of the same provider user, each with a `payment.shopper_erased`
   * notification, in one transaction. Nothing when they are erased already.
   */
  eraseShopperOf(payment: PaymentRecord): Promise<PaymentRecord[]> {
    return this.options.store.eraseShopper({
      adapterId: payment.adapterId,
      providerUserKey: payment.providerUserKey ?? null,
      paymentId: payment.id,
      ...this.erasure('merchant', 'merchant_request'),
    });
  }

  /**
   * Retention: erase the shopper details of up to `limit` final payments last changed before
   * `finalBefore` (the oldest first), each with a `payment.shopper_erased` notification, in one
   * transaction. The payment (status, amounts, shipping method) stays.
   */
  eraseKeptShoppers(finalBefore: Date, limit: number): Promise<PaymentRecord[]> {
    return this.options.store.eraseKeptShoppers({
      finalBefore: finalBefore.toISOString(),
      statuses: TERMINAL_STATUSES,
      limit,
      ...this.erasure('system', 'retention'),
    });
  }

  /** The provider created the payment: its id, page and first status, always recorded. */
  recordCreated(
    paymentId: string,
    created: { providerPaymentId: string; redirectUrl: string; expiresAt?: Date | null; snapshot: ProviderSnapshot },
  ): Promise<PaymentRecord> {
    const extra: PaymentPatch = {
      providerPaymentId: created.providerPaymentId,
      redirectUrl: created.redirectUrl,
      expiresAt: created.expiresAt ? created.expiresAt.toISOString() : null,
    };
    return this.write(
      paymentId,
      (current) => {
        const plan = planSnapshot(current, created.snapshot);
        return { patch: { ...plan.patch, ...extra }, merchantEvents: plan.merchantEvents };
      },
      { source: 'create', type: 'provider_created', data: { providerPaymentId: created.providerPaymentId } },
      { checked: true, always: true },
    );
  }

  /** A merchant operation's result (capture, cancel, refund), always recorded with what was asked. */
  recordOperation(paymentId: string, snapshot: ProviderSnapshot, type: string, data: unknown): Promise<PaymentRecord> {
    return this.write(
      paymentId,
      (current) => planSnapshot(current, snapshot),
      { source: 'merchant', type, data },
      {
        always: true,
      },
    );
  }

  /** A failure the server decides itself (the provider refused or never finished creating it). */
  fail(
    paymentId: string,
    failure: PaymentFailure,
    providerStatus: string | null | undefined,
    event: EventInfo,
  ): Promise<PaymentRecord> {
    return this.write(
      paymentId,
      (current) => {
        if (isTerminal(current.status)) return null;
        return {
          patch: {
            status: 'failed',
            providerStatus: providerStatus === undefined ? current.providerStatus : providerStatus,
            failure,
          },
          merchantEvents: current.status !== 'failed' ? ['payment.failed'] : [],
        };
      },
      event,
    );
  }

  /** Mark open payments as replaced by `supersededBy`, with their events, in one transaction. */
  supersede(payments: readonly PaymentRecord[], supersededBy: string): Promise<PaymentRecord[]> {
    const now = this.options.now().toISOString();
    return this.options.store.markSuperseded(
      payments.map((p) => p.id),
      supersededBy,
      now,
      (payment) => this.event(payment, 'superseded', 'system', { supersededBy }, now),
    );
  }

  /** The first event of a payment row (written with it, before the provider is called). */
  createdEvent(payment: PaymentRecord): PaymentEventRecord {
    return this.event(payment, 'created', 'create', { attemptId: payment.attemptId }, this.options.now().toISOString());
  }

  private async write(
    paymentId: string,
    plan: (current: PaymentRecord) => Plan | null,
    info: EventInfo,
    flags: { checked?: boolean; always?: boolean } = {},
  ): Promise<PaymentRecord> {
    const { store, providers, logger } = this.options;
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await store.getPayment(paymentId);
      if (!current) throw new ApiError('not_found', 'No such payment.');
      const now = this.options.now().toISOString();
      const planned = plan(current);
      if (planned === null) return current;
      const patch = { ...planned.patch };

      if (!hasChanges(patch) && !flags.always) {
        if (flags.checked) await store.markPaymentChecked(paymentId, now);
        return { ...current, lastCheckedAt: flags.checked ? now : current.lastCheckedAt };
      }
      if (flags.checked) patch.lastCheckedAt = now;

      const next: PaymentRecord = { ...current, ...patch, updatedAt: now, version: current.version + 1 };
      const paid = settles(next, providers.byId(current.adapterId)?.authorizedMeansPaid === true);
      const session = paid ? await store.getSession(current.sessionId) : null;

      const result = await store.updatePayment({
        paymentId,
        expectedVersion: current.version,
        patch,
        updatedAt: now,
        events: [
          {
            ...this.event(next, info.type ?? 'status', info.source, info.data ?? null, now),
            dedupeKey: info.dedupeKey ?? null,
          },
        ],
        outbox: planned.merchantEvents.map((type) => this.outboxRow(type, next, now)),
        ...(session && session.state !== 'paid' ? { sessionState: 'paid' as const } : {}),
      });
      if (result.ok) {
        this.options.onCommitted?.(result.payment);
        if (next.status !== current.status) {
          logger.info('payment status changed', {
            paymentId,
            from: current.status,
            to: next.status,
            providerStatus: next.providerStatus,
            source: info.source,
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

  private event(
    payment: PaymentRecord,
    type: string,
    source: PaymentEventSource,
    data: unknown,
    at: string,
  ): PaymentEventRecord {
    return {
      id: newEventId(),
      paymentId: payment.id,
      type,
      status: payment.status,
      providerStatus: payment.providerStatus,
      source,
      dedupeKey: null,
      data,
      createdAt: at,
    };
  }

  /**
   * What every erasure of a shopper's details writes, now: per payment a `shopper_erased` event and
   * a `payment.shopper_erased` notification saying why, and earlier notifications scrubbed.
   */
  private erasure(
    source: PaymentEventSource,
    reason: ErasureReason,
  ): Pick<ShopperErasure, 'at' | 'change' | 'scrubOutbox'> {
    const at = this.options.now().toISOString();
    return {
      at,
      change: (payment) => ({
        events: [this.event(payment, 'shopper_erased', source, { reason }, at)],
        outbox: [this.outboxRow('payment.shopper_erased', payment, at, { erasure: { reason } })],
      }),
      scrubOutbox: withoutShopper,
    };
  }

  private outboxRow(
    type: MerchantEventType,
    payment: PaymentRecord,
    now: string,
    extra: Pick<MerchantEvent, 'erasure'> = {},
  ): OutboxRecord {
    const id = newEventId();
    const event: MerchantEvent = { id, type, createdAt: now, payment: toMerchantPayment(payment), ...extra };
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
}

/** A stored MerchantEvent payload without the shopper's details (kept as it is if it is not one). */
export function withoutShopper(payload: string): string {
  try {
    const event = JSON.parse(payload) as { payment?: { shopper?: unknown } };
    if (!event.payment || event.payment.shopper == null) return payload;
    return JSON.stringify({ ...event, payment: { ...event.payment, shopper: null } });
  } catch {
    return payload;
  }
}
