/**
 * In-process mutual exclusion per key (a session, a payment, an idempotency key). Work for one key
 * runs strictly one at a time, in arrival order; different keys run in parallel. The store's unique
 * constraints back this up across processes.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      // Drop the entry once nobody queued behind us, so the map does not grow without bound.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with work running or queued (for tests). */
  get size(): number {
    return this.tails.size;
  }
}
