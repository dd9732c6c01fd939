/**
 * What the element remembers on this device, only when the merchant opts in (`remember-bank`): per
 * method, the shopper's last choice (the bank module stores `{ bankId, country }`). One localStorage
 * entry of the merchant's origin, `@pay-with-bank/remembered`; never read or written without the
 * attribute, never needed for the return from a provider, and any failure (storage blocked, full,
 * malformed) is the same as nothing remembered. Writing is the payment chunk's (`memory-write.ts`: the
 * choice is remembered when the shopper leaves for the provider).
 */
import type { PaymentMethod } from '@pay-with-bank/protocol';

export const MEMORY_KEY = '@pay-with-bank/remembered';

export type Memory = Partial<Record<PaymentMethod, unknown>>;

export function readMemory(): Memory {
  try {
    const value: unknown = JSON.parse(globalThis.localStorage?.getItem(MEMORY_KEY) ?? '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Memory) : {};
  } catch {
    return {};
  }
}
