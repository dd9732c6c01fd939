/**
 * Pure conversions between Mastercard's shapes and ours: money, statuses, failures and banks.
 *
 * | Mastercard status.code                       | ours       |
 * |----------------------------------------------|------------|
 * | Preparing, ReadyForAuthorize, Authorizing    | pending    |
 * | Pending (shopper authorised, bank executing) | authorized |
 * | Succeeded                                    | completed  |
 * | Failed                                       | failed     |
 * | Cancelled                                    | cancelled  |
 * | anything else                                | terminal ? failed : pending |
 */
import { MINOR_UNITS, type Currency, type PaymentFailure, type PaymentStatus } from '@pay-with-bank/protocol';
import type { ProviderBank, ProviderSnapshot } from '../adapter.js';
import type { McPayment, McProvider, McStatusDetails } from './schemas.js';

/** Integer minor units → the decimal string Mastercard expects ("125.00"). */
export function toDecimalString(minor: number, currency: Currency): string {
  const digits = MINOR_UNITS[currency];
  const factor = 10 ** digits;
  const major = Math.floor(minor / factor);
  const fraction = String(minor % factor).padStart(digits, '0');
  return digits === 0 ? String(major) : `${major}.${fraction}`;
}

/** Mastercard's decimal amount (number or string) → integer minor units. */
export function toMinorUnits(value: number | string, currency: Currency): number {
  const digits = MINOR_UNITS[currency];
  const text = typeof value === 'number' ? value.toFixed(digits) : value.trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error('not a decimal amount');
  const fraction = (match[2] ?? '').padEnd(digits, '0').slice(0, digits);
  return Number(match[1]) * 10 ** digits + Number(fraction || '0');
}

const STATUS_MAP: Record<string, PaymentStatus> = {
  Preparing: 'pending',
  ReadyForAuthorize: 'pending',
  Authorizing: 'pending',
  Pending: 'authorized',
  Succeeded: 'completed',
  Failed: 'failed',
  Cancelled: 'cancelled',
};

export function mapStatus(code: string, terminal: boolean): PaymentStatus {
  const mapped = STATUS_MAP[code];
  if (mapped) return mapped;
  return terminal ? 'failed' : 'pending';
}

const clean = (value: string | null | undefined): string | null =>
  value && value.trim() ? value.trim().slice(0, 300) : null;

/** status.details → the failure the shopper and merchant see (provider words kept beside it). */
export function mapFailure(status: PaymentStatus, details: McStatusDetails | null | undefined): PaymentFailure | null {
  if (status !== 'failed' && status !== 'cancelled') return null;
  const d = details ?? {};
  const haystack = [d.errorCode, d.errorType, d.providerMessage, d.reason].filter(Boolean).join(' ').toLowerCase();
  const providerCode = clean(d.errorCode) ?? clean(d.providerStatusCode) ?? clean(d.errorType);
  const providerMessage = clean(d.providerMessage) ?? clean(d.reason);

  if (status === 'cancelled') {
    const rejected = /reject/.test(haystack);
    return {
      code: rejected ? 'rejected' : 'cancelled',
      message: rejected ? 'You declined the payment at your bank.' : 'The payment was cancelled.',
      providerCode,
      providerMessage,
    };
  }
  if (/insufficient|am04|funds/.test(haystack)) {
    return {
      code: 'insufficient_funds',
      message: 'The account does not have enough funds for this payment.',
      providerCode,
      providerMessage,
    };
  }
  if (/reject|declin|denied|rjct/.test(haystack)) {
    return { code: 'rejected', message: 'The bank rejected the payment.', providerCode, providerMessage };
  }
  if (/expire|timeout|timed out/.test(haystack)) {
    return { code: 'expired', message: 'The payment was not completed in time.', providerCode, providerMessage };
  }
  return { code: 'bank_error', message: 'The bank could not complete the payment.', providerCode, providerMessage };
}

/** A Mastercard payment → our snapshot. Throws when the amount cannot be read (caller maps it). */
export function toSnapshot(payment: McPayment): ProviderSnapshot {
  const status = mapStatus(payment.status.code, payment.status.terminal);
  return {
    status,
    providerStatus: payment.status.code,
    bankId: payment.providerId ?? null,
    failure: mapFailure(status, payment.status.details),
    raw: {
      code: payment.status.code,
      codeV2: payment.status.codeV2 ?? null,
      terminal: payment.status.terminal,
      lastUpdated: payment.status.lastUpdated ?? null,
      details: payment.status.details ?? null,
    },
  };
}

/** Local currency of the countries we list (domestic payments are in it). */
export const LOCAL_CURRENCY: Record<string, Currency> = { DK: 'DKK', SE: 'SEK', NO: 'NOK', FI: 'EUR', DE: 'EUR' };

/** Currencies a bank can pay in for us: domestic in its local currency, SEPA for EUR. */
export function bankCurrencies(provider: McProvider, configured: readonly Currency[]): Currency[] {
  const methods = provider.paymentMethods ?? {};
  const out: Currency[] = [];
  for (const currency of configured) {
    const ok =
      currency === 'EUR'
        ? Boolean(methods.sepa)
        : Boolean(methods.domestic) && LOCAL_CURRENCY[provider.countryCode] === currency;
    if (ok) out.push(currency);
  }
  return out;
}

const UNAVAILABLE_SYNC_MODES = new Set(['none', 'disabled', 'unavailable', 'offline']);

export function toProviderBank(provider: McProvider, configured: readonly Currency[]): ProviderBank {
  const syncMode = provider.status?.syncMode ?? 'Full';
  const available = !UNAVAILABLE_SYNC_MODES.has(syncMode.toLowerCase());
  const logos = provider.presentation?.logos?.large;
  return {
    id: provider.id,
    name: provider.name,
    country: provider.countryCode,
    logoUrl: logos?.svg ?? logos?.png ?? null,
    available,
    unavailableMessage: available ? null : (clean(provider.status?.message) ?? 'This bank is unavailable right now.'),
    currencies: bankCurrencies(provider, configured),
  };
}
