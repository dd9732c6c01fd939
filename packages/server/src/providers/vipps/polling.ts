/**
 * How often to ask Vipps about a payment that is waiting for the user. Vipps' guideline for eCom
 * (and the same fits ePayment): never rely on the callback/webhook or the return alone; start
 * polling 5 s after initiating, then every 2 s (`/details` allows 120 calls per minute per order).
 * The core applies it (src/payments/refresh-throttle.ts).
 */
import type { PollingPolicy } from '../adapter.js';

export type { PollingPolicy } from '../adapter.js';

export const pollingPolicy: PollingPolicy = Object.freeze({ firstPollAfterMs: 5_000, intervalMs: 2_000 });
