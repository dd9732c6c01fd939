/**
 * How often to ask Vipps about a payment that is waiting for the user. Vipps' guideline for eCom
 * (and the same fits ePayment): never rely on the callback/webhook or the return alone; start
 * polling 5 s after initiating, then every 2 s (`/details` allows 120 calls per minute per order).
 * Provider-neutral in shape so the core can apply it to any adapter that exports one.
 */
export interface PollingPolicy {
  /** Wait this long after the payment was created before the first status call. */
  firstPollAfterMs: number;
  /** Then at most one status call per payment per this many ms. */
  intervalMs: number;
}

export const pollingPolicy: PollingPolicy = Object.freeze({ firstPollAfterMs: 5_000, intervalMs: 2_000 });

/**
 * When the next status call may be made: not before `firstPollAfterMs` after creation, and not
 * before `intervalMs` after the previous call. Times in ms since the epoch.
 */
export function nextPollAt(policy: PollingPolicy, createdAtMs: number, lastPolledAtMs: number | null): number {
  const first = createdAtMs + policy.firstPollAfterMs;
  return lastPolledAtMs === null ? first : Math.max(first, lastPolledAtMs + policy.intervalMs);
}
