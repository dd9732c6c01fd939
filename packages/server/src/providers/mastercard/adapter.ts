/**
 * Mastercard Open Finance (Aiia Enterprise) payment initiation. Bank payments: the shopper picks
 * the bank in the widget (providerId) or in Mastercard's hosted UI, authorises at the bank, and
 * we learn the outcome by refresh-status (this product has no webhooks).
 */
import type { Currency } from '@pay-with-bank/protocol';
import type { PayeeAccount } from './config.js';
import type { Logger } from '../../log.js';
import { hmacSha256Hex } from '../../security/crypto.js';
import type {
  CreatePaymentInput,
  CreatedProviderPayment,
  ProviderAdapter,
  ProviderBank,
  ProviderSnapshot,
} from '../adapter.js';
import { ProviderError } from '../../errors.js';
import { MastercardClient } from './client.js';
import { toDecimalString, toProviderBank, toSnapshot } from './mapping.js';
import { McCreatePaymentResponse, McPaymentEnvelope, McProviderList } from './schemas.js';

export interface MastercardAdapterOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  accounts: Partial<Record<Currency, PayeeAccount>>;
  userHashSalt: string;
  payeeName: string;
  timeoutMs: number;
  fetch: typeof fetch;
  logger: Logger;
}

export const MASTERCARD_ADAPTER_ID = 'mastercard';

/** Mastercard's length limits (sandbox-checked): reference ≤35, message / transactionText ≤140. */
const truncate = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);

/** The create-payment body, exported for the mapping tests. */
export function buildCreatePaymentBody(
  options: MastercardAdapterOptions,
  input: CreatePaymentInput,
): Record<string, unknown> {
  const account = options.accounts[input.amount.currency];
  if (!account) {
    throw new ProviderError('invalid_state', `No payee account is configured for ${input.amount.currency}.`);
  }
  const destination =
    account.kind === 'iban'
      ? { iban: { ibanNumber: account.iban }, name: options.payeeName }
      : { bban: { bankCode: account.bankCode, accountNumber: account.accountNumber }, name: options.payeeName };
  const sepa = input.amount.currency === 'EUR';
  return {
    // Salted hash of our session id: stable per checkout, unlinkable to the shopper.
    userHash: hmacSha256Hex(options.userHashSalt, input.sessionId),
    redirectUrl: input.returnUrl,
    ...(input.bankId ? { providerId: input.bankId } : {}),
    request: {
      destination,
      amount: { value: toDecimalString(input.amount.value, input.amount.currency), currency: input.amount.currency },
      reference: truncate(input.reference, 35),
      transactionText: truncate(input.description, 140),
      message: truncate(input.description, 140),
      ...(sepa ? { paymentMethod: 'SEPA' } : {}),
    },
  };
}

export function createMastercardAdapter(options: MastercardAdapterOptions): ProviderAdapter {
  const client = new MastercardClient(options);
  const currencies = (Object.keys(options.accounts) as Currency[]).filter((c) => options.accounts[c]);

  const refresh = async (providerPaymentId: string): Promise<ProviderSnapshot> => {
    const { payment } = await client.request(
      'POST',
      `/v1/payments/${encodeURIComponent(providerPaymentId)}/refresh-status`,
      McPaymentEnvelope,
      {},
    );
    return toSnapshot(payment);
  };

  return {
    id: MASTERCARD_ADAPTER_ID,
    method: 'bank',
    currencies,
    // Payments settle at the bank: nothing to capture, cancel or refund through this API.
    // `Pending` (our authorized) means the bank is still executing and may fail it.
    authorizedMeansPaid: false,

    async listBanks(): Promise<ProviderBank[]> {
      const providers = await client.request('GET', '/v1/providers', McProviderList);
      return providers
        .map((p) => ({ bank: toProviderBank(p, currencies), priority: p.presentation?.priority ?? 0 }))
        .filter(({ bank }) => bank.currencies.length > 0)
        .sort((a, b) => b.priority - a.priority || a.bank.name.localeCompare(b.bank.name))
        .map(({ bank }) => bank);
    },

    async createPayment(input: CreatePaymentInput): Promise<CreatedProviderPayment> {
      const body = buildCreatePaymentBody(options, input);
      const created = await client.request('POST', '/v1/payments/create', McCreatePaymentResponse, body);
      return {
        providerPaymentId: created.paymentId,
        redirectUrl: created.redirectUrl,
        // The provider's first status is Preparing; no need for a second call to learn it.
        snapshot: { status: 'pending', providerStatus: 'Preparing', bankId: input.bankId },
        expiresAt: null,
      };
    },

    refresh,
  };
}
