/**
 * The change bus: "payment X changed" from the ledger (after its commit) to the live status streams
 * watching X. It carries only the payment id; a listener re-reads the payment from the store, so
 * what a stream sends is always what was committed, never a copy that travelled.
 *
 * Two implementations: in-process (SQLite and memory: one server process owns the store) and
 * PostgreSQL LISTEN/NOTIFY (postgres-bus.ts: every instance on the database hears every change).
 */
import type { Logger } from '../log.js';

/** Told that a payment changed, or that changes may have been missed (after a reconnect): re-read it. */
export type ChangeListener = () => void;

export interface ChangeBus {
  /** A change of `paymentId` was committed: tell its listeners here (and elsewhere). Never throws. */
  publish(paymentId: string): void;
  /** Listen to changes of one payment; returns the function that stops listening. */
  subscribe(paymentId: string, listener: ChangeListener): () => void;
  /** Listeners subscribed now (tests check that none leak). */
  readonly listenerCount: number;
  close(): Promise<void>;
}

/** Listeners by payment id, each called on its own (one failing does not stop the others). */
export class LocalListeners {
  private readonly byPayment = new Map<string, Set<ChangeListener>>();
  private count = 0;

  constructor(private readonly logger: Logger) {}

  get size(): number {
    return this.count;
  }

  add(paymentId: string, listener: ChangeListener): () => void {
    // Wrapped: the same function subscribed twice is two subscriptions.
    const entry: ChangeListener = () => listener();
    let set = this.byPayment.get(paymentId);
    if (!set) {
      set = new Set();
      this.byPayment.set(paymentId, set);
    }
    set.add(entry);
    this.count++;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.count--;
      set.delete(entry);
      if (set.size === 0 && this.byPayment.get(paymentId) === set) this.byPayment.delete(paymentId);
    };
  }

  /** Call the payment's listeners after the current task (the writer's commit path never runs them). */
  dispatch(paymentId: string): void {
    const set = this.byPayment.get(paymentId);
    if (!set) return;
    for (const listener of [...set]) queueMicrotask(() => this.call(listener, paymentId));
  }

  /** Call every listener (changes may have been missed). */
  dispatchAll(): void {
    for (const paymentId of [...this.byPayment.keys()]) this.dispatch(paymentId);
  }

  private call(listener: ChangeListener, paymentId: string): void {
    try {
      listener();
    } catch (error) {
      this.logger.error('live status listener failed', { paymentId, error });
    }
  }
}

/** The bus of a server whose store only it writes (SQLite, memory): an in-process event emitter. */
export class InProcessChangeBus implements ChangeBus {
  private readonly listeners: LocalListeners;

  constructor(logger: Logger) {
    this.listeners = new LocalListeners(logger);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  publish(paymentId: string): void {
    this.listeners.dispatch(paymentId);
  }

  subscribe(paymentId: string, listener: ChangeListener): () => void {
    return this.listeners.add(paymentId, listener);
  }

  async close(): Promise<void> {}
}
