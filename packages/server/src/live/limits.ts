/**
 * How many live status streams may be open at once, per checkout session and per client address
 * (each stream holds a connection, a bus listener and timers for minutes). Counted per server
 * instance, like the per-minute request budgets (src/http/middleware/rate-limit): behind a load
 * balancer a client can hold up to the limit on each instance. Opening a stream also spends one
 * request of those budgets, so reconnecting in a loop is throttled there.
 */
import { ApiError } from '../errors.js';

export interface StreamLimitOptions {
  /** Open streams per checkout session (0: unlimited). */
  perSession: number;
  /** Open streams per client address key (0: unlimited; an unknown address is not counted). */
  perAddress: number;
  /** Retry-After of a refusal, seconds. */
  retryAfterSeconds?: number;
}

export class StreamLimits {
  private readonly sessions = new Map<string, number>();
  private readonly addresses = new Map<string, number>();

  constructor(private readonly options: StreamLimitOptions) {}

  /** Streams counted now (tests: every release happened). */
  get open(): number {
    let total = 0;
    for (const count of this.sessions.values()) total += count;
    return total;
  }

  /** Count one more stream, or throw `rate_limited` (429); returns its release (idempotent). */
  take(sessionId: string, address: string | null): () => void {
    const { perSession, perAddress } = this.options;
    const retry = { 'Retry-After': String(this.options.retryAfterSeconds ?? 10) };
    if (perSession > 0 && (this.sessions.get(sessionId) ?? 0) >= perSession) {
      throw new ApiError(
        'rate_limited',
        'Too many open status streams for this checkout; close one, or poll instead.',
        { openStreamsLimit: perSession },
        retry,
      );
    }
    if (address !== null && perAddress > 0 && (this.addresses.get(address) ?? 0) >= perAddress) {
      throw new ApiError(
        'rate_limited',
        'Too many open status streams from this address; poll instead.',
        { openStreamsLimit: perAddress },
        retry,
      );
    }
    increment(this.sessions, sessionId);
    if (address !== null) increment(this.addresses, address);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      decrement(this.sessions, sessionId);
      if (address !== null) decrement(this.addresses, address);
    };
  }
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function decrement(map: Map<string, number>, key: string): void {
  const count = (map.get(key) ?? 0) - 1;
  if (count > 0) map.set(key, count);
  else map.delete(key);
}
