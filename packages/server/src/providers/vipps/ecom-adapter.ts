/**
 * Vipps eCom API v2 (NOK only): initiate → landing page / app switch → the user confirms in Vipps
 * (reserved = our authorized) → the merchant captures, cancels or refunds. Status comes from
 * `GET …/details` (polling) and from the callback Vipps posts to
 * `{PWB_PUBLIC_URL}/v1/callbacks/vipps-ecom/v2/payments/{orderId}`, authenticated by the per-order
 * authToken we derived when initiating.
 *
 * Express checkout (Vipps Hurtigkasse, `eComm Express Payment`): Vipps also asks
 * `POST …/v2/payments/{orderId}/shippingDetails` (same authToken) for the shipping options of the
 * shopper's address unless the options were sent with the initiate, and on a consent removal calls
 * `DELETE …/consents/{orderId}/{token}/v2/consents/{userId}` (no Authorization header in the spec:
 * the per-order token is in the prefix we gave). `…/details` carries the userDetails and the
 * shippingDetails the shopper chose.
 */
import type { Money } from '@pay-with-bank/protocol';
import type { CallbackResult, CreatePaymentInput, CreatedProviderPayment, ProviderSnapshot } from '../adapter.js';
import { ProviderError } from '../../errors.js';
import type { VippsClient } from './client.js';
import type { VippsConfig } from './config.js';
import { ecomDetailsToSnapshot, ecomSummaryToSnapshot, ECOM_FAILURES, needsTimeoutCheck } from './ecom-mapping.js';
import { EcomShippingQuestion, expressInitiateFields, toAddress, toEcomShippingDetails } from './ecom-express.js';
import {
  EcomCallbackBody,
  EcomDetails,
  EcomInitiateResponse,
  EcomOperationResponse,
  EcomStatusResponse,
} from './ecom-schemas.js';
import { paymentText, norwegianMobile } from './format.js';
import {
  deriveAuthToken,
  deriveConsentToken,
  deriveOrderId,
  operationKey,
  ORDER_ID_PATTERN,
  verifyAuthToken,
  verifyConsentToken,
} from './ids.js';
import {
  assertRedirectUrl,
  PAYMENT_EXPIRY_MS,
  readCallbackBody,
  type VippsAdapter,
  type VippsAdapterContext,
  vippsStartOptions,
} from './shared.js';

export const VIPPS_ECOM_ADAPTER_ID = 'vipps-ecom';

/** The eCom callback path below `/v1/callbacks/vipps-ecom/`: `v2/payments/{orderId}`. */
const CALLBACK_PATH = /^v2\/payments\/([^/]+)$/;
/** Express: `v2/payments/{orderId}/shippingDetails`. */
const SHIPPING_PATH = /^v2\/payments\/([^/]+)\/shippingDetails$/;
/** Express: `consents/{orderId}/{token}/v2/consents/{userId}` (our prefix, then Vipps' suffix). */
const CONSENT_PATH = /^consents\/([^/]+)\/([^/]+)\/v2\/consents\/(.+)$/;
/** UserDetails.userId (`^[\d\w\/=+]+$`, ≤ 50), a little wider. */
const USER_ID_PATTERN = /^[A-Za-z0-9_\-/=+]{1,100}$/;

/** maxLength of fallBack and callbackPrefix in the eCom spec. */
const MAX_ECOM_URL_LENGTH = 255;

/** The initiate body, exported for tests. */
export function buildEcomInitiateBody(
  config: VippsConfig,
  publicUrl: string,
  input: CreatePaymentInput,
): Record<string, unknown> {
  const orderId = deriveOrderId(config.orderPrefix, input.paymentId);
  const { phoneNumber, mobile } = vippsStartOptions(input.options);
  const callbackPrefix = `${publicUrl}/v1/callbacks/${VIPPS_ECOM_ADAPTER_ID}`;
  // eCom takes URLs of at most 255 characters; say so plainly rather than relay Vipps' field error.
  if (input.returnUrl.length > MAX_ECOM_URL_LENGTH) {
    throw new ProviderError(
      'invalid_request',
      `The return URL is too long for Vipps eCom: with the pay-with-bank parameters it must be at most ${MAX_ECOM_URL_LENGTH} characters; use a shorter return URL.`,
    );
  }
  if (callbackPrefix.length > MAX_ECOM_URL_LENGTH) {
    throw new ProviderError('invalid_request', 'PWB_PUBLIC_URL is too long for Vipps eCom callbacks.');
  }
  const express = input.express
    ? expressInitiateFields(input.express, {
        shippingDetailsPrefix: callbackPrefix,
        consentRemovalPrefix: `${callbackPrefix}/consents/${orderId}/${deriveConsentToken(config.callbackSecrets[0]!, config.merchantSerialNumber, orderId)}`,
      })
    : null;
  if (express && (express.merchantInfo.consentRemovalPrefix as string).length > MAX_ECOM_URL_LENGTH) {
    throw new ProviderError('invalid_request', 'PWB_PUBLIC_URL is too long for Vipps eCom express checkout callbacks.');
  }
  return {
    customerInfo: phoneNumber ? { mobileNumber: norwegianMobile(phoneNumber) } : {},
    merchantInfo: {
      merchantSerialNumber: config.merchantSerialNumber,
      callbackPrefix,
      fallBack: input.returnUrl,
      authToken: deriveAuthToken(config.callbackSecrets[0]!, config.merchantSerialNumber, orderId),
      isApp: mobile,
      paymentType: 'eComm Regular Payment',
      ...express?.merchantInfo,
    },
    transaction: {
      orderId,
      amount: input.amount.value,
      transactionText: paymentText(input.description, input.reference, 1, 100),
      ...express?.transaction,
    },
  };
}

export function createEcomAdapter(ctx: VippsAdapterContext, client: VippsClient): VippsAdapter {
  const { config, publicUrl, now, pollingPolicy } = ctx;
  const base = (orderId: string) => `/ecomm/v2/payments/${encodeURIComponent(orderId)}`;
  const merchantInfo = { merchantSerialNumber: config.merchantSerialNumber };

  const assertNok = (amount: Money) => {
    if (amount.currency !== 'NOK') throw new ProviderError('invalid_request', 'The Vipps eCom API takes NOK only.');
  };

  const refresh = async (orderId: string): Promise<ProviderSnapshot> => {
    const details = await client.request({
      method: 'GET',
      path: `${base(orderId)}/details`,
      api: 'ecom',
      action: 'read the payment',
      schema: EcomDetails,
    });
    if (!needsTimeoutCheck(details)) return ecomDetailsToSnapshot(details);
    // The log shows CANCEL both when the user cancelled and when the payment timed out; only the
    // (deprecated, still served) status endpoint says REJECTED for a timeout.
    try {
      const status = await client.request({
        method: 'GET',
        path: `${base(orderId)}/status`,
        api: 'ecom',
        action: 'read the payment status',
        schema: EcomStatusResponse,
      });
      return ecomDetailsToSnapshot(details, status.transactionInfo.status.toUpperCase() === 'REJECTED');
    } catch (error) {
      // Only a refusal (404, 410, …) means the deprecated endpoint is gone: then the log's CANCEL is
      // all there is. Anything else (no answer, a 5xx, a garbled 2xx body) may be transient: fail
      // this refresh and decide later, since a terminal status cannot be corrected.
      const status = (error as { details?: { providerStatus?: unknown } } | null)?.details?.providerStatus;
      const refused =
        error instanceof ProviderError &&
        (error.code === 'not_found' || (typeof status === 'number' && status >= 400 && status < 500 && status !== 429));
      if (!refused) throw error;
      ctx.logger.warn('vipps eCom status check refused; reporting the payment as cancelled', { orderId, error });
      return ecomDetailsToSnapshot(details);
    }
  };

  /** Authenticate before reading anything else, so forgers learn nothing about our validation. */
  const authenticate = (request: Request, orderId: string) => {
    const presented = request.headers.get('authorization') ?? '';
    if (!presented || !verifyAuthToken(config.callbackSecrets, config.merchantSerialNumber, orderId, presented)) {
      throw new ProviderError('unauthorized', 'The Vipps callback is not authenticated.');
    }
  };

  /** Express: Vipps asks the shipping options for the shopper's address; the core decides them. */
  const shippingQuestion = async (request: Request, orderId: string): Promise<CallbackResult> => {
    if (!ORDER_ID_PATTERN.test(orderId)) throw new ProviderError('not_found', 'No such Vipps callback endpoint.');
    authenticate(request, orderId);
    const parsed = EcomShippingQuestion.safeParse(await readCallbackBody(request));
    if (!parsed.success) {
      const fields = parsed.error.issues.slice(0, 5).map((i) => i.path.join('.') || '(root)');
      throw new ProviderError('invalid_request', 'The Vipps shipping details request is not a valid address.', {
        fields,
      });
    }
    const question = parsed.data;
    return {
      kind: 'shipping-quote',
      providerPaymentId: orderId,
      address: toAddress(question),
      // FetchShippingCostResponse: the addressId Vipps sent, our orderId, the options.
      reply: (options) => ({
        addressId: question.addressId,
        orderId,
        shippingDetails: toEcomShippingDetails(options),
      }),
    };
  };

  /** Express: the user withdrew consent (DELETE {consentRemovalPrefix}/v2/consents/{userId}). */
  const consentRemoval = (subPath: string): CallbackResult => {
    const match = CONSENT_PATH.exec(subPath);
    if (!match) throw new ProviderError('not_found', 'No such Vipps callback endpoint.');
    const [, orderId = '', token = '', rawUserId = ''] = match;
    if (
      !ORDER_ID_PATTERN.test(orderId) ||
      !verifyConsentToken(config.callbackSecrets, config.merchantSerialNumber, orderId, token)
    ) {
      throw new ProviderError('unauthorized', 'The Vipps consent removal is not authenticated.');
    }
    let userId: string;
    try {
      userId = decodeURIComponent(rawUserId);
    } catch {
      userId = '';
    }
    if (!USER_ID_PATTERN.test(userId)) throw new ProviderError('invalid_request', 'The Vipps user id is not valid.');
    return { kind: 'consent-removal', providerPaymentId: orderId, providerUserId: userId };
  };

  return {
    id: VIPPS_ECOM_ADAPTER_ID,
    method: 'vipps',
    currencies: ['NOK'],
    // Reserved means the money is held for the merchant: the checkout is paid.
    authorizedMeansPaid: true,
    pollingPolicy,
    express: { supported: true },

    async createPayment(input: CreatePaymentInput): Promise<CreatedProviderPayment> {
      assertNok(input.amount);
      const body = buildEcomInitiateBody(config, publicUrl, input);
      const orderId = (body.transaction as { orderId: string }).orderId;
      const startedAt = now();
      // Not idempotent at Vipps: a retry with the same orderId is error 34, never a second payment.
      const created = await client.request({
        method: 'POST',
        path: '/ecomm/v2/payments',
        api: 'ecom',
        action: 'start the Vipps payment',
        schema: EcomInitiateResponse,
        body,
      });
      if (created.orderId !== orderId)
        throw new ProviderError('provider_error', 'Vipps answered for a different order id.');
      assertRedirectUrl(created.url, vippsStartOptions(input.options).mobile);
      return {
        providerPaymentId: orderId,
        redirectUrl: created.url,
        snapshot: { status: 'pending', providerStatus: 'INITIATE', authorizedAmount: 0 },
        expiresAt: new Date(startedAt.getTime() + PAYMENT_EXPIRY_MS),
      };
    },

    refresh,

    async capture(orderId: string, amount: Money, idempotencyKey: string): Promise<ProviderSnapshot> {
      assertNok(amount);
      const response = await client.request({
        method: 'POST',
        path: `${base(orderId)}/capture`,
        api: 'ecom',
        action: 'capture the payment',
        schema: EcomOperationResponse,
        headers: { 'X-Request-Id': operationKey(idempotencyKey) },
        body: {
          merchantInfo,
          transaction: { amount: amount.value, transactionText: `Capture ${orderId}`.slice(0, 100) },
        },
      });
      return response.transactionSummary
        ? ecomSummaryToSnapshot(response.transactionSummary, 'CAPTURE')
        : refresh(orderId);
    },

    async refund(orderId: string, amount: Money, idempotencyKey: string): Promise<ProviderSnapshot> {
      assertNok(amount);
      const response = await client.request({
        method: 'POST',
        path: `${base(orderId)}/refund`,
        api: 'ecom',
        action: 'refund the payment',
        schema: EcomOperationResponse,
        headers: { 'X-Request-Id': operationKey(idempotencyKey) },
        body: {
          merchantInfo,
          transaction: { amount: amount.value, transactionText: `Refund ${orderId}`.slice(0, 100) },
        },
      });
      return response.transactionSummary
        ? ecomSummaryToSnapshot(response.transactionSummary, 'REFUND')
        : refresh(orderId);
    },

    // eCom's cancel has no idempotency header; it is safe to repeat (a cancelled order answers as such).
    async cancel(orderId: string): Promise<ProviderSnapshot> {
      await client.request({
        method: 'PUT',
        path: `${base(orderId)}/cancel`,
        api: 'ecom',
        action: 'cancel the payment',
        schema: EcomOperationResponse,
        // After a partial capture, release the rest (otherwise Vipps refuses with error 51).
        body: {
          merchantInfo,
          transaction: { transactionText: `Cancel ${orderId}`.slice(0, 100) },
          shouldReleaseRemainingFunds: true,
        },
      });
      const snapshot = await refresh(orderId);
      // We cancelled it: say so, rather than "cancelled in Vipps" (the log cannot tell who did).
      return snapshot.status === 'cancelled' ? { ...snapshot, failure: ECOM_FAILURES.merchantCancelled } : snapshot;
    },

    async handleCallback(request: Request, subPath: string): Promise<CallbackResult> {
      if (request.method === 'DELETE') return consentRemoval(subPath);
      const shippingOrderId = SHIPPING_PATH.exec(subPath)?.[1];
      if (shippingOrderId !== undefined) return shippingQuestion(request, shippingOrderId);
      // orderIds are [a-zA-Z0-9-] only, so the raw path segment is the orderId (nothing to decode).
      const orderId = CALLBACK_PATH.exec(subPath)?.[1];
      if (!orderId || !ORDER_ID_PATTERN.test(orderId)) {
        throw new ProviderError('not_found', 'No such Vipps callback endpoint.');
      }
      authenticate(request, orderId);
      const parsed = EcomCallbackBody.safeParse(await readCallbackBody(request));
      if (!parsed.success) {
        const fields = parsed.error.issues.slice(0, 5).map((i) => i.path.join('.') || '(root)');
        throw new ProviderError('invalid_request', 'The Vipps callback body is not a valid transaction update.', {
          fields,
        });
      }
      const body = parsed.data;
      if (body.orderId !== orderId || body.merchantSerialNumber !== config.merchantSerialNumber) {
        throw new ProviderError('invalid_request', 'The Vipps callback body does not match its order.');
      }
      const { status, transactionId, timeStamp } = body.transactionInfo;
      // The callback body is not signed (only the per-order token authenticates it), so it is a
      // prompt to ask Vipps, never a status to apply: the core refreshes from /details.
      return {
        providerPaymentId: orderId,
        eventKey: `vipps-ecom:${orderId}:${status.toUpperCase()}:${transactionId ?? timeStamp}`.slice(0, 200),
      };
    },
  };
}
