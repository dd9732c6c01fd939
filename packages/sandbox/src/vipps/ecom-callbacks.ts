/**
 * eCom callbacks: `POST {callbackPrefix}/v2/payments/{orderId}` with `Authorization: {authToken}`
 * (raw, no scheme) and the RegularCheckOutPaymentRequest body of ms_import.yaml, or for a reserved
 * express payment the ExpressCheckOutPaymentRequest (status RESERVE, with userDetails and
 * shippingDetails). One attempt with a 3 s timeout, like Vipps. Scenario control decides whether
 * it is sent on time, late or never.
 */
import type { VippsContext } from './context.js';
import { postOnce } from './delivery.js';
import { expressCallbackShipping } from './express.js';
import type { CallbackDelivery, CallbackMode, EcomPayment } from './state.js';

/** Statuses of CallbackTransactionInfoRegular, and RESERVE of CallbackTransactionInfoExpress. */
export type EcomCallbackStatus = 'RESERVED' | 'RESERVE' | 'SALE' | 'CANCELLED' | 'REJECTED';

export function callbackModeFor(ctx: VippsContext, orderId: string): CallbackMode {
  return ctx.state.scenario.callbackByOrder.get(orderId) ?? ctx.state.scenario.callbackDefault;
}

export function sendEcomCallback(
  ctx: VippsContext,
  payment: EcomPayment,
  status: EcomCallbackStatus,
): CallbackDelivery {
  const now = ctx.clock.now();
  const transactionInfo = {
    amount: payment.amount,
    status,
    timeStamp: new Date(now).toISOString(),
    transactionId: payment.transactionId,
  };
  // An express payment that was not reserved (cancelled, timed out) has no user or shipping details
  // to share: its callback is the regular body.
  const express = status === 'RESERVE' && payment.express?.reserved ? payment.express : null;
  const body = JSON.stringify(
    express
      ? {
          merchantSerialNumber: payment.msn,
          orderId: payment.orderId,
          shippingDetails: expressCallbackShipping(express),
          transactionInfo,
          userDetails: { ...express.user! },
        }
      : { merchantSerialNumber: payment.msn, orderId: payment.orderId, transactionInfo },
  );
  const mode = callbackModeFor(ctx, payment.orderId);
  const delay = mode.mode === 'late' ? mode.delayMs : 0;
  const delivery: CallbackDelivery = {
    orderId: payment.orderId,
    url: `${payment.callbackPrefix}/v2/payments/${payment.orderId}`,
    status,
    mode: mode.mode,
    state: mode.mode === 'never' ? 'suppressed' : 'scheduled',
    scheduledFor: new Date(now + delay).toISOString(),
    attempt: null,
    body,
  };
  ctx.state.callbackDeliveries.push(delivery);
  if (mode.mode === 'never') return delivery;

  const headers: Record<string, string> = { 'content-type': 'application/json;charset=UTF-8' };
  if (payment.authToken !== null) headers['authorization'] = payment.authToken;
  const generation = ctx.state.generation;
  const attempt = () => {
    if (ctx.state.generation !== generation) return;
    ctx.state.track(
      postOnce(ctx, delivery.url, body, headers, ctx.config.timing.callbackTimeoutMs).then((result) => {
        delivery.attempt = { at: result.at, httpStatus: result.httpStatus, error: result.error };
        delivery.state = result.ok ? 'delivered' : 'failed';
      }),
    );
  };
  if (delay === 0) {
    attempt();
  } else {
    const handle = ctx.clock.setTimeout(() => {
      ctx.state.forgetTimer(handle);
      attempt();
    }, delay);
    ctx.state.trackTimer(handle);
  }
  return delivery;
}
