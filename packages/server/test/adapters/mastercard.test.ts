/**
 * The adapter contract for Mastercard Open Finance, against the in-process Mastercard sandbox. The
 * shopper walks the hosted pages (bank login → account → confirm / reject) like a browser; the suite
 * pays at Slow Bank, whose Pending lasts a while before Succeeded, so both steps are seen.
 */
import { Hono } from 'hono';
import {
  createManualClock,
  createMastercardSandbox,
  DEFAULT_MASTERCARD_CLIENT,
  type Sandbox,
} from '@pay-with-bank/sandbox';
import { silentLogger } from '../../src/log.js';
import { createMastercardAdapter } from '../../src/providers/mastercard/adapter.js';
import { SANDBOX_BASE } from '../helpers/config.js';
import { shopperAtProvider } from '../helpers/sandbox.js';
import { runAdapterContract, type AdapterWorld, type WorldSettings } from './contract.js';
import { createTransport } from './transport.js';

const SLOW_BANK_DELAY_MS = 5_000;
const USER_HASH_SALT = 'contract-user-hash-salt';
const BANKS: Record<string, string> = { DKK: 'DK_SlowBank', EUR: 'FI_SlowBank' };

function makeMastercardWorld(settings: WorldSettings): AdapterWorld {
  const clock = createManualClock(Date.UTC(2030, 0, 15, 12, 0, 0));
  const sandbox = createMastercardSandbox({
    publicUrl: SANDBOX_BASE,
    mountPath: '/mastercard',
    clock: () => new Date(clock.now()),
    slowBankDelayMs: SLOW_BANK_DELAY_MS,
  });
  const root = new Hono();
  root.route('/mastercard', sandbox.app);
  const transport = createTransport(SANDBOX_BASE, (request) => root.fetch(request));
  const { clientId, clientSecret } = DEFAULT_MASTERCARD_CLIENT;
  const adapter = createMastercardAdapter({
    baseUrl: `${SANDBOX_BASE}/mastercard`,
    clientId,
    clientSecret,
    accounts: {
      DKK: { kind: 'bban', bankCode: '1234', accountNumber: '0123456789' },
      EUR: { kind: 'iban', iban: 'DK5000400440116243' },
    },
    userHashSalt: USER_HASH_SALT,
    payeeName: 'Nordic Goods ApS',
    timeoutMs: settings.timeoutMs,
    fetch: transport.fetch,
    logger: silentLogger,
  });
  // The hosted pages only need the sandbox's fetch.
  const pages = { fetch: (request: Request) => root.fetch(request) } as unknown as Sandbox;
  const prefixes = { payments: '/v1/payments', banks: '/v1/providers' } as const;

  return {
    adapter,
    transport,
    now: () => clock.now(),
    async advance(ms) {
      clock.advance(ms);
    },
    createCalls: () =>
      transport.calls.filter((c) => c.method === 'POST' && c.path === '/mastercard/v1/payments/create'),
    sent(call) {
      const body = JSON.parse(call.body) as {
        redirectUrl: string;
        providerId?: string;
        request: { amount: { value: unknown; currency: string } };
      };
      return { amount: body.request.amount, returnUrl: body.redirectUrl, bankId: body.providerId ?? null };
    },
    atProvider(id) {
      const payment = sandbox.controls.getPayment(id);
      if (!payment) return undefined;
      // The sandbox answers the amount as decimal major units (a number), as Mastercard does.
      return { amountMinor: Math.round(payment.request.amount.value * 100), currency: payment.request.amount.currency };
    },
    providerPayments: () => sandbox.controls.listPayments().map((p) => p.paymentId),
    async approve(created) {
      await shopperAtProvider(pages, created.redirectUrl, { action: 'confirm', account: 'everyday' });
    },
    async decline(created) {
      await shopperAtProvider(pages, created.redirectUrl, { action: 'reject' });
    },
    // Mastercard's payment initiation has no callbacks or webhooks.
    deliveries: [],
    injectFault(fault, count, target) {
      sandbox.controls.injectFaults({ ...fault, pathPrefix: prefixes[target] }, count);
    },
    clearFaults: () => sandbox.controls.clearFaults(),
    refuseNext(text) {
      transport.refuseNext = Response.json({ error: 'InvalidInput', details: { reason: text } }, { status: 400 });
    },
    unknownProviderPaymentId: () => '20300115.contractunknownpaymentid00',
    // The user-hash salt never leaves the server, but it is configuration that must stay out of answers too.
    secrets: () => [clientId, clientSecret, USER_HASH_SALT],
    // The salt is only ever used for the user hash: Mastercard never sees it.
    providerSecrets: () => [clientId, clientSecret],
  };
}

runAdapterContract('Mastercard Open Finance', makeMastercardWorld, {
  id: 'mastercard',
  method: 'bank',
  currencies: ['DKK', 'EUR'],
  currency: 'DKK',
  bankFor: (currency) => BANKS[currency] ?? null,
  // Mastercard takes decimal major units as a string ("123.45").
  wireAmount: ({ value, currency }) => ({
    value: `${Math.floor(value / 100)}.${String(value % 100).padStart(2, '0')}`,
    currency,
  }),
  // Payments settle at the bank: this API has no capture, cancel, refund or callbacks.
  capabilities: { capture: false, cancel: false, refund: false },
  callbacks: null,
  banks: { available: 'DK_TestBank', unavailable: 'DK_Kystsparekassen' },
  pollingPolicy: false,
  // Pending (our authorized) means the shopper approved but the bank may still fail it.
  authorizedMeansPaid: false,
  express: { supported: false, why: 'Mastercard Open Finance has no express checkout' },
  unsupportedCurrency: { currency: 'SEK', code: 'invalid_state' },
  sameAttemptTwice: {
    kind: 'second-payment',
    why: 'Mastercard create has no idempotency key: the core must never send it twice for one attempt',
  },
  approval: { status: 'authorized', settles: { afterMs: SLOW_BANK_DELAY_MS, status: 'completed' } },
  declined: { status: 'cancelled', failureCode: 'rejected' },
  unknownPayment: 'provider_error',
});
