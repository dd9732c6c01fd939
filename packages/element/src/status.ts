import type { CheckoutPayment, PaymentStatus } from '@pay-with-bank/protocol';

/** The protocol's status model (kept here as plain data: the protocol's runtime pulls in zod). */
export const PAYMENT_STATUSES: readonly PaymentStatus[] = [
  'created',
  'pending',
  'authorized',
  'completed',
  'failed',
  'cancelled',
  'expired',
];

export const TERMINAL_STATUSES: readonly PaymentStatus[] = ['completed', 'failed', 'cancelled', 'expired'];

export function isTerminalStatus(status: PaymentStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/**
 * Whether the shopper is done: a terminal status, or a Vipps reservation (`authorized`), which
 * the merchant captures later. A bank payment that is `authorized` is still being executed.
 */
export function isSettled(payment: Pick<CheckoutPayment, 'status' | 'method'>): boolean {
  return isTerminalStatus(payment.status) || (payment.method === 'vipps' && payment.status === 'authorized');
}

/** A fresh attempt id per Pay action: 16 random bytes as base64url (22 characters). */
export function newAttemptId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Only http(s) URLs may be followed or linked (never javascript: or data:). */
export function safeHttpUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url, globalThis.location?.href);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}
