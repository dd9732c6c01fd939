/** Remembering a choice on this device (see memory.ts): the payment chunk's, when the shopper leaves for the provider. */
import type { PaymentMethod } from '@pay-with-bank/protocol';
import { MEMORY_KEY, readMemory } from './memory.js';

export function writeMemory(method: PaymentMethod, value: unknown): void {
  try {
    globalThis.localStorage?.setItem(MEMORY_KEY, JSON.stringify({ ...readMemory(), [method]: value }));
  } catch {
    // Storage blocked or full: the next checkout simply starts without it.
  }
}
