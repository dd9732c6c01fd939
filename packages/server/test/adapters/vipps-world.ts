/**
 * The adapter-contract world of the Vipps adapters (eCom v2 and ePayment v1): the Vipps sandbox on a
 * manual clock, the adapter's calls recorded on their way in, and every callback / webhook the
 * sandbox sends to our public URL recorded as it arrived (answered 200, never handled here: the
 * contract hands them to handleCallback itself). The shopper acts through the sandbox's controls.
 */
import { Hono } from 'hono';
import { createManualClock, createVippsSandbox, DEFAULT_VIPPS_CREDENTIALS } from '@pay-with-bank/sandbox';
import { silentLogger } from '../../src/log.js';
import {
  createVippsAdapter,
  loadVippsConfig,
  vippsSecrets,
  type VippsConfig,
} from '../../src/providers/vipps/index.js';
import type { AdapterWorld, WorldSettings } from './contract.js';
import { createTransport, recordDelivery, type Delivery, type RecordedCall } from './transport.js';

export type VippsApi = 'ecom' | 'epayment';

const ORIGIN = 'https://sandbox.test';
const PUBLIC_URL = 'https://pay.shop.test';
const PREFIX = 'shop1';
const CALLBACK_SECRET = 'contract-callback-secret-0123456789-abcdefghij';

const PATHS = {
  ecom: { create: '/vipps/ecomm/v2/payments', faults: '/ecomm/v2/payments' },
  epayment: { create: '/vipps/epayment/v1/payments', faults: '/epayment/v1/payments' },
} as const;

export function vippsConfig(api: VippsApi): VippsConfig {
  const { config, issues } = loadVippsConfig({
    PWB_VIPPS_API: api,
    PWB_VIPPS_BASE_URL: `${ORIGIN}/vipps`,
    PWB_VIPPS_CLIENT_ID: DEFAULT_VIPPS_CREDENTIALS.clientId,
    PWB_VIPPS_CLIENT_SECRET: DEFAULT_VIPPS_CREDENTIALS.clientSecret,
    PWB_VIPPS_SUBSCRIPTION_KEY: DEFAULT_VIPPS_CREDENTIALS.subscriptionKey,
    PWB_VIPPS_MERCHANT_SERIAL_NUMBER: DEFAULT_VIPPS_CREDENTIALS.merchantSerialNumber,
    PWB_VIPPS_ORDER_PREFIX: PREFIX,
    ...(api === 'ecom' ? { PWB_VIPPS_CALLBACK_SECRET: CALLBACK_SECRET } : {}),
  });
  if (!config) throw new Error(`contract Vipps config invalid: ${issues.join('; ')}`);
  return config;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- recorded bodies are read loosely
type Loose = Record<string, any>;
const json = (text: string): Loose => {
  try {
    return JSON.parse(text) as Loose;
  } catch {
    return {};
  }
};

/** What the provider taught the adapter at run time: access tokens, the webhook secret. */
function learntSecrets(calls: readonly RecordedCall[]): string[] {
  const learnt: string[] = [];
  for (const call of calls) {
    if (call.status < 200 || call.status >= 300) continue;
    const body = json(call.response);
    if (call.path.startsWith('/vipps/accesstoken/get') && typeof body.access_token === 'string') {
      learnt.push(body.access_token);
    }
    if (call.method === 'POST' && call.path === '/vipps/webhooks/v1/webhooks' && typeof body.secret === 'string') {
      learnt.push(body.secret);
    }
  }
  return learnt;
}

export function makeVippsWorld(api: VippsApi, settings: WorldSettings): AdapterWorld {
  const clock = createManualClock(Date.UTC(2030, 0, 15, 12, 0, 0));
  const deliveries: Delivery[] = [];
  const sandbox = createVippsSandbox({
    clock,
    publicUrl: ORIGIN,
    mountPath: '/vipps',
    // The merchant side of the sandbox's callbacks and webhooks: record, acknowledge.
    fetch: async (input, init) => {
      const request = new Request(input, init);
      if (!request.url.startsWith(`${PUBLIC_URL}/`)) throw new TypeError('fetch failed');
      deliveries.push(await recordDelivery(request));
      return Response.json({ received: true });
    },
  });
  const root = new Hono();
  root.route('/vipps', sandbox.app);
  const transport = createTransport(ORIGIN, (request) => root.fetch(request));
  const config = vippsConfig(api);
  const adapter = createVippsAdapter(config, {
    fetch: transport.fetch,
    logger: silentLogger,
    publicUrl: PUBLIC_URL,
    timeoutMs: settings.timeoutMs,
    now: () => new Date(clock.now()),
  });
  const paths = PATHS[api];

  const settle = async () => {
    for (let i = 0; i < 20; i++) {
      await sandbox.controls.flush();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const createCalls = () => transport.calls.filter((c) => c.method === 'POST' && c.path === paths.create);
  const atProvider = (id: string) => {
    const found = sandbox.controls.inspect(id);
    if (!found) return undefined;
    return found.kind === 'ecom'
      ? // eCom v2 is NOK only: its payments carry no currency.
        { amountMinor: found.payment.amount, currency: 'NOK' }
      : { amountMinor: found.payment.amount.value, currency: found.payment.amount.currency };
  };

  return {
    adapter,
    transport,
    now: () => clock.now(),
    async advance(ms) {
      await settle();
      clock.advance(ms);
      await settle();
    },
    createCalls,
    sent(call) {
      const body = json(call.body);
      return api === 'ecom'
        ? {
            amount: { value: body.transaction?.amount, currency: null },
            returnUrl: body.merchantInfo?.fallBack,
            bankId: null,
          }
        : { amount: body.amount, returnUrl: body.returnUrl, bankId: null };
    },
    atProvider,
    providerPayments() {
      // Provider ids are derived from ours and the sandbox keys payments by them: every id the
      // adapter asked to create that the sandbox now holds is one payment (answered or not).
      const ids = createCalls().map((c) => {
        const body = json(c.body);
        return (api === 'ecom' ? body.transaction?.orderId : body.reference) as string;
      });
      return [...new Set(ids)].filter((id) => atProvider(id) !== undefined);
    },
    async approve(created) {
      await settle();
      sandbox.controls.approve(created.providerPaymentId, '91234567');
      await settle();
    },
    async decline(created) {
      await settle();
      sandbox.controls.reject(created.providerPaymentId);
      await settle();
    },
    deliveries,
    injectFault(fault, count, target) {
      if (target === 'banks') throw new Error('Vipps lists no banks');
      sandbox.controls.injectFaults({ ...fault, pathPrefix: paths.faults }, count);
    },
    clearFaults: () => sandbox.controls.clearFaults(),
    refuseNext(text) {
      transport.refuseNext =
        api === 'ecom'
          ? Response.json(
              [{ errorGroup: 'InvalidRequest', errorCode: 'widgets', errorMessage: text, contextId: 'c-1' }],
              {
                status: 400,
              },
            )
          : new Response(JSON.stringify({ type: 'about:blank', title: 'Bad Request', detail: text, status: 400 }), {
              status: 400,
              headers: { 'content-type': 'application/problem+json' },
            });
    },
    unknownProviderPaymentId: () => `${PREFIX}-${'f'.repeat(32)}`,
    secrets: () => [...vippsSecrets(config), ...learntSecrets(transport.calls)],
    // The callback secret never leaves the server (Vipps only sees tokens derived from it).
    providerSecrets: () => [
      config.clientId,
      config.clientSecret,
      config.subscriptionKey,
      ...learntSecrets(transport.calls),
    ],
  };
}
