/**
 * Scenario settings that tests and demos change at run time: slow-bank delay, latency, bank
 * availability and injected API faults. `reset()` restores what the sandbox was created with.
 */
import type { InjectedFault } from '../shared/faults.js';
import { UNAVAILABLE_MESSAGE, type SandboxBank } from './catalogue.js';

/** One injected fault, consumed by the next matching API call (see shared/faults.ts for the kinds). */
export type ApiFault = InjectedFault;

export interface Availability {
  available: boolean;
  message: string | null;
}

export interface RuntimeDefaults {
  slowBankDelayMs: number;
  latencyMs: number;
}

export class MastercardRuntime {
  slowBankDelayMs: number;
  latencyMs: number;
  readonly #availability = new Map<string, Availability>();
  #faults: ApiFault[] = [];

  constructor(private readonly defaults: RuntimeDefaults) {
    this.slowBankDelayMs = defaults.slowBankDelayMs;
    this.latencyMs = defaults.latencyMs;
  }

  availabilityOf(bank: SandboxBank): Availability {
    return (
      this.#availability.get(bank.id) ?? {
        available: bank.available,
        message: bank.available ? null : UNAVAILABLE_MESSAGE,
      }
    );
  }

  setAvailability(bank: SandboxBank, available: boolean, message?: string | null): void {
    this.#availability.set(bank.id, {
      available,
      message: available ? (message ?? null) : (message ?? UNAVAILABLE_MESSAGE),
    });
  }

  injectFaults(fault: ApiFault, count: number): void {
    for (let i = 0; i < count; i++) this.#faults.push(fault);
  }

  clearFaults(): void {
    this.#faults = [];
  }

  pendingFaults(): number {
    return this.#faults.length;
  }

  /** Removes and returns the first fault that applies to `path`. */
  takeFault(path: string): ApiFault | undefined {
    const index = this.#faults.findIndex((f) => !f.pathPrefix || path.startsWith(f.pathPrefix));
    if (index === -1) return undefined;
    return this.#faults.splice(index, 1)[0];
  }

  reset(): void {
    this.slowBankDelayMs = this.defaults.slowBankDelayMs;
    this.latencyMs = this.defaults.latencyMs;
    this.#availability.clear();
    this.#faults = [];
  }
}
