/**
 * The calls made from Pay on: start a payment, check one, read the session with its payment checked.
 * They ship in the payment chunk.
 */
import type {
  CheckoutPayment,
  CheckoutSession,
  StartPaymentRequest,
  StartPaymentResponse,
} from '@pay-with-bank/protocol';
import { fillPath, paths } from '@pay-with-bank/protocol/paths';
import { isPayment } from '../shape-payment.js';
import { isObject } from '../shape.js';
import { getSession, invalid, request, type ApiClientOptions } from './request.js';

/** The session with its latest payment's shape checked (the entry's read checks the rest). */
export async function readSession(options: ApiClientOptions, signal?: AbortSignal): Promise<CheckoutSession> {
  const session = await getSession(options, signal);
  if (session.payment && !isPayment(session.payment)) throw invalid('session');
  return session;
}

export async function startPayment(
  options: ApiClientOptions,
  body: StartPaymentRequest,
  signal?: AbortSignal,
): Promise<StartPaymentResponse> {
  const answer = await request(options, 'POST', paths.checkoutPayments, body, signal);
  if (!isObject(answer) || typeof answer.redirectUrl !== 'string' || !isPayment(answer.payment)) {
    throw invalid('payment');
  }
  return { payment: answer.payment, redirectUrl: answer.redirectUrl };
}

export async function refreshPayment(
  options: ApiClientOptions,
  paymentId: string,
  signal?: AbortSignal,
): Promise<CheckoutPayment> {
  const path = fillPath(paths.checkoutPaymentRefresh, { paymentId });
  const answer = await request(options, 'POST', path, undefined, signal);
  if (!isObject(answer) || !isPayment(answer.payment)) throw invalid('payment');
  return answer.payment;
}
