/**
 * Per-key fixed-window request counters (a key is a checkout session or a client address): in
 * process (each server instance counts its own requests), or in the store every instance shares
 * (`Store.countRequest`, PostgreSQL).
 */
export interface RateDecision {
  allowed: boolean;
  /** Seconds until the window resets (for Retry-After). */
  retryAfterSeconds: number;
}

/** Counts one request for `key` at `nowMs` in a shared store: the window's start and count. */
export type SharedCounter = (
  key: string,
  nowMs: number,
  windowMs: number,
) => Promise<{ windowStart: number; count: number }>;

export class FixedWindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  /** `shared`: count in the store every instance uses (keys get `name` as a prefix there). */
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly shared?: { name: string; count: SharedCounter },
  ) {}

  /** Count one request for `key` at `nowMs`. A limit of 0 disables limiting. */
  async take(key: string, nowMs: number): Promise<RateDecision> {
    if (this.limit <= 0) return { allowed: true, retryAfterSeconds: 0 };
    const window = this.shared
      ? await this.shared.count(`${this.shared.name}:${key}`, nowMs, this.windowMs)
      : this.local(key, nowMs);
    const retryAfterSeconds = Math.max(1, Math.ceil((window.windowStart + this.windowMs - nowMs) / 1000));
    return { allowed: window.count <= this.limit, retryAfterSeconds };
  }

  private local(key: string, nowMs: number): { windowStart: number; count: number } {
    let window = this.windows.get(key);
    if (!window || nowMs - window.start >= this.windowMs) {
      window = { start: nowMs, count: 0 };
      this.windows.set(key, window);
      this.prune(nowMs);
    }
    window.count++;
    return { windowStart: window.start, count: window.count };
  }

  private prune(nowMs: number): void {
    if (this.windows.size < 10_000) return;
    for (const [key, w] of this.windows) if (nowMs - w.start >= this.windowMs) this.windows.delete(key);
  }
}
