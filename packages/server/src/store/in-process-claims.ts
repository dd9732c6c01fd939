/**
 * Outbox leases and provider-call claims kept in process memory, for the stores one process owns:
 * SQLite (one server process per file, see instance-lock.ts) and memory. Nobody else can claim
 * from such a store, so memory is the whole truth, and a crash that loses it is the same as every
 * lease expiring at once. PostgreSQL keeps both in the database instead (postgres.ts), where many
 * server instances share them. Semantics: Store.claimDueOutbox and Store.tryClaimProviderCall.
 */
import type { OutboxRecord, ProviderCallClaim } from './store.js';

const plus = (at: string, ms: number): string => new Date(Date.parse(at) + ms).toISOString();

export class OutboxLeases {
  private readonly leases = new Map<string, { paymentId: string; until: string }>();

  /** Payments with a row under a live lease at `now` (expired leases are dropped). */
  busyPayments(now: string): Set<string> {
    const busy = new Set<string>();
    for (const [id, lease] of this.leases) {
      if (lease.until <= now) this.leases.delete(id);
      else busy.add(lease.paymentId);
    }
    return busy;
  }

  /**
   * Lease and return, from `due` (undelivered rows due at `now`, oldest due first; at least each
   * payment's first due row), the first due row of each payment that has no leased row, up to `limit`.
   */
  claim(due: readonly OutboxRecord[], now: string, limit: number, leaseMs: number): OutboxRecord[] {
    const busy = this.busyPayments(now);
    const seen = new Set<string>();
    const claimed: OutboxRecord[] = [];
    for (const row of due) {
      if (claimed.length >= limit) break;
      if (seen.has(row.paymentId)) continue;
      seen.add(row.paymentId);
      if (busy.has(row.paymentId)) continue;
      this.leases.set(row.id, { paymentId: row.paymentId, until: plus(now, leaseMs) });
      claimed.push(row);
    }
    return claimed;
  }

  /** End a row's lease (delivered, or a retry scheduled). */
  release(id: string): void {
    this.leases.delete(id);
  }
}

export class ProviderCallSlots {
  /** Payment id → from when the next provider call may be claimed. */
  private readonly next = new Map<string, string>();

  tryClaim(paymentExists: boolean, paymentId: string, intervalMs: number, now: string): ProviderCallClaim {
    if (!paymentExists) return { claimed: false, nextCallAt: null };
    const next = this.next.get(paymentId);
    if (next !== undefined && next > now) return { claimed: false, nextCallAt: next };
    const nextCallAt = plus(now, intervalMs);
    this.next.set(paymentId, nextCallAt);
    if (this.next.size > 1000) this.prune(now);
    return { claimed: true, nextCallAt };
  }

  /** A slot whose time has passed says nothing a missing one would not. */
  private prune(now: string): void {
    for (const [id, at] of this.next) if (at <= now) this.next.delete(id);
  }
}
