/**
 * The demo merchant backend's client for the companion server's merchant API. It runs on the
 * merchant's server only: the API key never reaches a browser.
 */
import {
  CreateSessionResponse,
  EraseShopperResponse,
  GetPaymentResponse,
  GetSessionResponse,
  ApiErrorBody,
  fillPath,
  paths,
  type CreateSessionRequest,
} from '@pay-with-bank/protocol';
import type { z } from 'zod';

export class MerchantApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface MerchantClient {
  createSession(body: CreateSessionRequest, idempotencyKey?: string): Promise<CreateSessionResponse>;
  getSession(sessionId: string): Promise<GetSessionResponse>;
  modifyPayment(
    paymentId: string,
    action: 'capture' | 'cancel' | 'refund',
    amount: number | undefined,
    idempotencyKey: string,
  ): Promise<z.infer<typeof GetPaymentResponse>>;
  /** Erases an express checkout's shopper details (the shopper asked the shop). */
  eraseShopper(paymentId: string): Promise<z.infer<typeof EraseShopperResponse>>;
}

export function createMerchantClient(serverUrl: string, apiKey: string): MerchantClient {
  async function call<T>(
    schema: z.ZodType<T>,
    method: string,
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${apiKey}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const res = await fetch(new URL(path, serverUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const err = ApiErrorBody.safeParse(json);
      if (err.success) throw new MerchantApiError(res.status, err.data.error.code, err.data.error.message);
      throw new MerchantApiError(res.status, 'unexpected_response', `companion server answered ${res.status}`);
    }
    return schema.parse(json);
  }

  const actionPath = { capture: paths.merchantCapture, cancel: paths.merchantCancel, refund: paths.merchantRefund };

  return {
    createSession: (body, idempotencyKey) =>
      call(CreateSessionResponse, 'POST', paths.merchantSessions, body, idempotencyKey),
    getSession: (sessionId) => call(GetSessionResponse, 'GET', fillPath(paths.merchantSession, { sessionId })),
    eraseShopper: (paymentId) =>
      call(EraseShopperResponse, 'DELETE', fillPath(paths.merchantPaymentShopper, { paymentId })),
    modifyPayment: (paymentId, action, amount, idempotencyKey) =>
      call(
        GetPaymentResponse,
        'POST',
        fillPath(actionPath[action], { paymentId }),
        action === 'cancel' ? {} : amount === undefined ? {} : { amount },
        idempotencyKey,
      ),
  };
}
