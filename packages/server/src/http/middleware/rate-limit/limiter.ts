/**
 * Per-key fixed-window request counters (a key is a checkout session or a client address).
 * In-process: each server instance counts its own requests.
 */
export interface RateDecision {
  allowed: boolean;
  /** Seconds until the window resets (for Retry-After). */
  retryAfterSeconds: number;
}

export class FixedWindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Count one request for `key` at `nowMs`. A limit of 0 disables limiting. */
  take(key: string, nowMs: number): RateDecision {
    if (this.limit <= 0) return { allowed: true, retryAfterSeconds: 0 };
    let window = this.windows.get(key);
    if (!window || nowMs - window.start >= this.windowMs) {
      window = { start: nowMs, count: 0 };
      this.windows.set(key, window);
      this.prune(nowMs);
    }
    window.count++;
    const retryAfterSeconds = Math.max(1, Math.ceil((window.start + this.windowMs - nowMs) / 1000));
    return { allowed: window.count <= this.limit, retryAfterSeconds };
  }

  private prune(nowMs: number): void {
    if (this.windows.size < 10_000) return;
    for (const [key, w] of this.windows) if (nowMs - w.start >= this.windowMs) this.windows.delete(key);
  }
}
