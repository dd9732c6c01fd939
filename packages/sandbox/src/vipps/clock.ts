/**
 * Time source for the Vipps emulator. Every deadline (landing page, app, late callbacks, webhook
 * retries, delivery timeouts) goes through one Clock so tests can drive time deterministically.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock. Timers are unref'd so a sandbox never keeps a process alive on its own. */
export function systemClock(): Clock {
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let nextId = 1;
  return {
    now: () => Date.now(),
    setTimeout(callback, delayMs) {
      const id = nextId++;
      const timer = setTimeout(
        () => {
          timers.delete(id);
          callback();
        },
        Math.max(0, delayMs),
      );
      timer.unref?.();
      timers.set(id, timer);
      return { id };
    },
    clearTimeout(handle) {
      const timer = timers.get(handle.id);
      if (timer !== undefined) clearTimeout(timer);
      timers.delete(handle.id);
    },
  };
}

export interface ManualClock extends Clock {
  /** Moves time forward, running every timer that falls due on the way, in due order. */
  advance(ms: number): void;
  /** Number of timers still waiting. */
  pendingTimers(): number;
}

/** A clock that only moves when told to: for tests. */
export function createManualClock(startMs = Date.UTC(2025, 0, 15, 10, 0, 0)): ManualClock {
  let current = startMs;
  let nextId = 1;
  const timers = new Map<number, { due: number; seq: number; callback: () => void }>();
  return {
    now: () => current,
    setTimeout(callback, delayMs) {
      const id = nextId++;
      timers.set(id, { due: current + Math.max(0, delayMs), seq: id, callback });
      return { id };
    },
    clearTimeout(handle) {
      timers.delete(handle.id);
    },
    advance(ms) {
      const target = current + ms;
      for (;;) {
        let nextKey: number | undefined;
        let next: { due: number; seq: number; callback: () => void } | undefined;
        for (const [key, timer] of timers) {
          if (timer.due > target) continue;
          if (!next || timer.due < next.due || (timer.due === next.due && timer.seq < next.seq)) {
            next = timer;
            nextKey = key;
          }
        }
        if (!next || nextKey === undefined) break;
        timers.delete(nextKey);
        current = Math.max(current, next.due);
        next.callback();
      }
      current = target;
    },
    pendingTimers: () => timers.size,
  };
}

/**
 * Adapts the other shapes a caller may hand in: nothing (the real clock), a Clock, or a
 * `() => Date` function (the sandbox-wide clock). For the function, "now" is whatever it says and
 * timers wait in real time but re-check it at least once a second, so moving it forward takes effect.
 */
export function toClock(input: Clock | (() => Date) | undefined): Clock {
  if (input === undefined) return systemClock();
  if (typeof input !== 'function') return input;
  const now = () => input().getTime();
  const real = systemClock();
  const waiting = new Map<number, TimerHandle>();
  let nextId = 1;
  return {
    now,
    setTimeout(callback, delayMs) {
      const id = nextId++;
      const due = now() + Math.max(0, delayMs);
      const check = () => {
        const remaining = due - now();
        if (remaining <= 0) {
          waiting.delete(id);
          callback();
        } else {
          waiting.set(id, real.setTimeout(check, Math.min(remaining, 1000)));
        }
      };
      waiting.set(id, real.setTimeout(check, Math.min(Math.max(0, delayMs), 1000)));
      return { id };
    },
    clearTimeout(handle) {
      const timer = waiting.get(handle.id);
      if (timer) real.clearTimeout(timer);
      waiting.delete(handle.id);
    },
  };
}
