/**
 * Vipps MobilePay ePayment API v1 (NOK, DKK, EUR): create → landing page / app switch → the user
 * approves (AUTHORIZED = our authorized) → the merchant captures, cancels or refunds. Status comes
 * from `GET …/payments/{reference}` (polling) and from signed webhooks posted to
 * `{PWB_PUBLIC_URL}/v1/callbacks/vipps-epayment/webhooks`.
 *
 * Express (`profile.scope` + `shipping`): the merchant's fixed options go with the create as one
 * shipping group; options that depend on the address are asked per address by Vipps at
 * `{PWB_PUBLIC_URL}/v1/callbacks/vipps-epayment/shipping/{reference}`, authenticated by the
 * per-reference `callbackAuthorizationToken` we derived (Vipps sends it back verbatim as
 * `Authorization`); we answer `{ groups }`, or 400 ("the store cannot deliver there") when the
 * merchant has no options for the address. After the authorization GET (and the signed authorized
 * webhook) carries the shopper and the chosen option; amounts are then items + shipping. ePayment
 * has no consent-removal call: see the server README's express section for what that means.
 */
import type { Money } from '@pay-with-bank/protocol';
import type { CallbackResult, CreatePaymentInput, CreatedProviderPayment, ProviderSnapshot } from '../adapter.js';
import { ProviderError } from '../../errors.js';
import type { VippsClient } from './client.js';
import type { VippsConfig, VippsCurrency } from './config.js';
import { epaymentEventToSnapshot, epaymentToSnapshot } from './epayment-mapping.js';
import { EpaymentCreateResponse, EpaymentPayment, EpaymentWebhookEvent } from './epayment-schemas.js';
import { paymentText, norwegianMsisdn } from './format.js';
import { epaymentExpressFields, EpaymentShippingQuestion, toEpaymentShippingGroups } from './epayment-express.js';
import { toAddress } from './ecom-express.js';
import {
  createIdempotencyKey,
  deriveOrderId,
  deriveShippingToken,
  operationKey,
  ORDER_ID_PATTERN,
  verifyShippingToken,
} from './ids.js';
import {
  assertRedirectUrl,
  parseCallbackJson,
  readCallbackBody,
  PAYMENT_EXPIRY_MS,
  type VippsAdapter,
  type VippsAdapterContext,
  vippsStartOptions,
} from './shared.js';
import {
  ensureWebhookWith,
  epaymentWebhookUrl,
  verifyWebhook,
  webhookTargets,
  type WebhookRejection,
} from './webhooks.js';

export const VIPPS_EPAYMENT_ADAPTER_ID = 'vipps-epayment';

/** Express: the dynamic shipping callback below `/v1/callbacks/vipps-epayment/`: `shipping/{reference}`. */
const SHIPPING_PATH = /^shipping\/([^/]+)$/;

/** After a failed automatic webhook registration, wait this long before the next automatic one. */
const WEBHOOK_RETRY_AFTER_MS = 60_000;

const REJECTIONS: Record<WebhookRejection, string> = {
  missing_headers: 'The Vipps webhook is not signed.',
  content_hash: 'The Vipps webhook body does not match its signature.',
  stale: 'The Vipps webhook is outside the accepted time window.',
  signature: 'The Vipps webhook signature is invalid.',
};

/** The create body, exported for tests. */
export function buildEpaymentCreateBody(
  config: VippsConfig,
  input: CreatePaymentInput,
  publicUrl = '',
): Record<string, unknown> {
  const { phoneNumber, mobile } = vippsStartOptions(input.options);
  const reference = deriveOrderId(config.orderPrefix, input.paymentId);
  const express = input.express
    ? epaymentExpressFields(input.express, input.amount.currency, {
        callbackUrl: `${publicUrl}/v1/callbacks/${VIPPS_EPAYMENT_ADAPTER_ID}/shipping/${reference}`,
        callbackAuthorizationToken: deriveShippingToken(
          shippingSecrets(config)[0]!,
          config.merchantSerialNumber,
          reference,
        ),
      })
    : null;
  if (express?.shipping.dynamicOptions && !/^https?:\/\//.test(publicUrl)) {
    throw new ProviderError(
      'invalid_request',
      'PWB_PUBLIC_URL is needed for Vipps ePayment Express shipping callbacks.',
    );
  }
  return {
    amount: { currency: input.amount.currency, value: input.amount.value },
    paymentMethod: { type: 'WALLET' },
    reference,
    userFlow: mobile ? 'NATIVE_REDIRECT' : 'WEB_REDIRECT',
    returnUrl: input.returnUrl,
    // Vipps takes Norwegian numbers only (for now); other markets enter theirs on the landing page.
    ...(phoneNumber && input.amount.currency === 'NOK'
      ? { customer: { phoneNumber: norwegianMsisdn(phoneNumber) } }
      : {}),
    paymentDescription: paymentText(input.description, input.reference, 3, 100),
    // Express: `amount` stays the items; Vipps adds the shipping the shopper picks.
    ...express,
  };
}

/** The secrets the shipping-callback tokens come from: PWB_VIPPS_CALLBACK_SECRET, else the client secret. */
function shippingSecrets(config: VippsConfig): string[] {
  return config.callbackSecrets.length > 0 ? config.callbackSecrets : [config.clientSecret];
}

export function createEpaymentAdapter(
  ctx: VippsAdapterContext,
  client: VippsClient,
  webhookSecret: {
    get(): string | null;
    set(secret: string): void;
  },
): VippsAdapter {
  const { config, publicUrl, now, logger, pollingPolicy } = ctx;
  const base = (reference: string) => `/epayment/v1/payments/${encodeURIComponent(reference)}`;
  const webhookUrl = epaymentWebhookUrl(publicUrl);
  let webhookReady = false;
  let ensuring: Promise<boolean> | null = null;
  let lastFailureAt: number | null = null;

  /** Register (or find) our webhook; one attempt at a time. */
  const ensureWebhook = (): Promise<boolean> => {
    if (webhookReady) return Promise.resolve(true);
    if (!ensuring) {
      ensuring = ensureWebhookWith(client, { url: webhookUrl, configuredSecret: webhookSecret.get(), logger })
        .then((ensured) => {
          webhookSecret.set(ensured.secret);
          webhookReady = true;
          lastFailureAt = null;
          return true;
        })
        .catch((error: unknown) => {
          // Payments still work (polling); a later payment or webhook tries again.
          logger.warn('vipps webhook registration failed; relying on polling until it succeeds', { error });
          lastFailureAt = now().getTime();
          return false;
        })
        .finally(() => {
          ensuring = null;
        });
    }
    return ensuring;
  };

  /**
   * The automatic attempts (before a payment, on a webhook we cannot verify) wait a minute after a
   * failure, so neither a Vipps outage nor a stream of forged webhooks makes us call Vipps each time.
   */
  const ensureWebhookSoon = (): Promise<boolean> => {
    if (
      !webhookReady &&
      ensuring === null &&
      lastFailureAt !== null &&
      now().getTime() - lastFailureAt < WEBHOOK_RETRY_AFTER_MS
    ) {
      return Promise.resolve(false);
    }
    return ensureWebhook();
  };

  const assertCurrency = (amount: Money) => {
    if (!(config.currencies as readonly string[]).includes(amount.currency)) {
      throw new ProviderError('invalid_request', `Vipps ePayment is not configured for ${amount.currency}.`);
    }
  };

  const refresh = async (reference: string): Promise<ProviderSnapshot> => {
    const payment = await client.request({
      method: 'GET',
      path: base(reference),
      api: 'epayment',
      action: 'read the payment',
      schema: EpaymentPayment,
    });
    return epaymentToSnapshot(payment);
  };

  /** Express, dynamic options: Vipps asks the options for the shopper's address; the core decides them. */
  const shippingQuestion = async (request: Request, reference: string): Promise<CallbackResult> => {
    if (!ORDER_ID_PATTERN.test(reference)) throw new ProviderError('not_found', 'No such Vipps callback endpoint.');
    // Authenticate before reading anything else, so forgers learn nothing about our validation.
    const presented = request.headers.get('authorization') ?? '';
    if (
      !presented ||
      !verifyShippingToken(shippingSecrets(config), config.merchantSerialNumber, reference, presented)
    ) {
      throw new ProviderError('unauthorized', 'The Vipps shipping callback is not authenticated.');
    }
    const parsed = EpaymentShippingQuestion.safeParse(await readCallbackBody(request));
    if (!parsed.success) {
      const fields = parsed.error.issues.slice(0, 5).map((i) => i.path.join('.') || '(root)');
      throw new ProviderError('invalid_request', 'The Vipps shipping callback is not a valid address.', { fields });
    }
    if (parsed.data.reference !== reference) {
      throw new ProviderError('invalid_request', 'The Vipps shipping callback does not match its payment.');
    }
    return {
      kind: 'shipping-quote',
      providerPaymentId: reference,
      address: toAddress(parsed.data),
      reply: (options, currency) => ({ groups: toEpaymentShippingGroups(options, currency) }),
      // "Cannot ship to that address": the app tells the shopper the store cannot deliver there.
      decline: () => ({
        status: 400,
        body: { title: 'No shipping options', detail: 'The store has no shipping options for this address.' },
      }),
    };
  };

  const modify = async (
    reference: string,
    operation: 'capture' | 'refund' | 'cancel',
    idempotencyKey: string,
    amount?: Money,
  ): Promise<ProviderSnapshot> => {
    if (amount) assertCurrency(amount);
    const payment = await client.request({
      method: 'POST',
      path: `${base(reference)}/${operation}`,
      api: 'epayment',
      action: `${operation} the payment`,
      schema: EpaymentPayment,
      headers: { 'Idempotency-Key': operationKey(idempotencyKey) },
      ...(amount ? { body: { modificationAmount: { currency: amount.currency, value: amount.value } } } : {}),
    });
    return epaymentToSnapshot(payment);
  };

  return {
    id: VIPPS_EPAYMENT_ADAPTER_ID,
    method: 'vipps',
    currencies: [...config.currencies] as VippsCurrency[],
    // AUTHORIZED means the amount is reserved for the merchant: the checkout is paid.
    authorizedMeansPaid: true,
    express: { supported: true },
    pollingPolicy,
    ensureWebhook,
    // Register the webhook at start-up so the first deliveries already verify.
    start: ensureWebhook,

    async createPayment(input: CreatePaymentInput): Promise<CreatedProviderPayment> {
      assertCurrency(input.amount);
      const body = buildEpaymentCreateBody(config, input, publicUrl);
      if (!webhookReady) await ensureWebhookSoon();
      const startedAt = now();
      const created = await client.request({
        method: 'POST',
        path: '/epayment/v1/payments',
        api: 'epayment',
        action: 'start the Vipps payment',
        schema: EpaymentCreateResponse,
        // Same attempt, same key: a retried create returns the first payment instead of a second.
        headers: { 'Idempotency-Key': createIdempotencyKey(input.paymentId) },
        body,
      });
      if (created.reference !== body.reference)
        throw new ProviderError('provider_error', 'Vipps answered for a different reference.');
      assertRedirectUrl(created.redirectUrl, vippsStartOptions(input.options).mobile);
      return {
        providerPaymentId: created.reference,
        redirectUrl: created.redirectUrl,
        snapshot: { status: 'pending', providerStatus: 'CREATED', authorizedAmount: 0 },
        expiresAt: new Date(startedAt.getTime() + PAYMENT_EXPIRY_MS),
      };
    },

    refresh,

    capture: (reference, amount, idempotencyKey) => modify(reference, 'capture', idempotencyKey, amount),
    refund: (reference, amount, idempotencyKey) => modify(reference, 'refund', idempotencyKey, amount),
    // No body: the whole remaining reservation is released (or, before approval, the payment terminated).
    cancel: (reference, idempotencyKey) => modify(reference, 'cancel', idempotencyKey),

    async handleCallback(request: Request, subPath: string): Promise<CallbackResult> {
      const shippingReference = SHIPPING_PATH.exec(subPath)?.[1];
      if (shippingReference !== undefined && request.method === 'POST') {
        return shippingQuestion(request, shippingReference);
      }
      if (subPath !== 'webhooks' || request.method !== 'POST') {
        throw new ProviderError('not_found', 'No such Vipps webhook endpoint.');
      }
      let text: string;
      try {
        text = await request.text();
      } catch {
        throw new ProviderError('invalid_request', 'The webhook body could not be read.');
      }
      // After a restart without PWB_VIPPS_WEBHOOK_SECRET the secret is unknown: re-register so the
      // next deliveries verify (this one cannot, and is refused; polling covers it).
      if (webhookSecret.get() === null) await ensureWebhookSoon();
      const secret = webhookSecret.get();
      if (secret === null) throw new ProviderError('unauthorized', 'The Vipps webhook cannot be verified yet.');
      const rejection = verifyWebhook({
        secret,
        method: request.method,
        targets: webhookTargets(webhookUrl, request),
        headers: request.headers,
        body: text,
        nowMs: now().getTime(),
      });
      if (rejection) throw new ProviderError('unauthorized', REJECTIONS[rejection]);

      const parsed = EpaymentWebhookEvent.safeParse(parseCallbackJson(text));
      if (!parsed.success) {
        const fields = parsed.error.issues.slice(0, 5).map((i) => i.path.join('.') || '(root)');
        throw new ProviderError('invalid_request', 'The Vipps webhook body is not a payment event.', { fields });
      }
      const event = parsed.data;
      if (event.msn !== config.merchantSerialNumber) {
        throw new ProviderError('invalid_request', 'The Vipps webhook is for another sales unit.');
      }
      const snapshot = epaymentEventToSnapshot(event);
      return {
        providerPaymentId: event.reference,
        eventKey: `vipps-epayment:${event.reference}:${event.name.toUpperCase()}:${event.pspReference}:${event.timestamp}:${event.success}`,
        ...(snapshot ? { snapshot } : {}),
      };
    },
  };
}
