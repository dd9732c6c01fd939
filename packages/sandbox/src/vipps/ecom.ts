/**
 * eCom API v2 (ecom-v2/swagger.yaml), NOK only: initiate (regular and express checkout), details,
 * capture, refund, cancel, the deprecated status endpoint and the test environment's force-approve.
 * Errors are the spec's error array with the documented codes (34, 35, 51, 61, 62, 71, 72, 73, 81, 93, …).
 * The express flow itself (consent, address, shipping) lives in express.ts.
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { countCall, requireApiAuth } from './auth.js';
import { isoNow, publicBase, type PaymentParty, type UserView, type VippsContext, type VippsEnv } from './context.js';
import { sendEcomCallback } from './ecom-callbacks.js';
import {
  ECOM_ERRORS,
  ecomError,
  ecomErrorResponse,
  issuesToEcomErrors,
  jsonResponse,
  type EcomError,
} from './errors.js';
import { ShippingDetailsList, toShippingOptions } from './express-data.js';
import { expressDetails, newExpressOrder, prepareExpressReservation } from './express.js';
import { expressNote } from './express-flow.js';
import { approveDirectly, createSession, expireIfDue } from './flows.js';
import { isAbsoluteUrl, isHttpUrl, readJsonBody } from './http.js';
import { newTransactionId } from './ids.js';
import { parseMobileNumber } from './phone.js';
import type { EcomLogEntry, EcomOperation, EcomPayment } from './state.js';

// ---------------------------------------------------------------- request schemas (swagger.yaml)

const OrderId = z.string().regex(/^[a-zA-Z0-9-]{1,50}$/, "must be 1–50 characters of a–z, A–Z, 0–9 and '-'");
const Msn = z.string().regex(/^\d{5,6}$/, 'must be the 5 or 6 digit merchant serial number');
const TransactionText = z.string().min(1, 'is required').max(100, 'must be at most 100 characters');
const MerchantUrl = z
  .string()
  .max(255, 'must be at most 255 characters')
  .refine(isHttpUrl, 'must be an absolute https (or, in the sandbox, http) URL');

const InitiatePaymentCommand = z.object({
  customerInfo: z.object({
    // Not the spec's strict pattern: Vipps corrects formats like "+47 912 34 567" and answers 81 otherwise.
    mobileNumber: z.string().max(30).optional(),
  }),
  merchantInfo: z
    .object({
      merchantSerialNumber: Msn,
      callbackPrefix: MerchantUrl,
      fallBack: z.string().min(1).max(255),
      authToken: z.string().max(255).optional(),
      isApp: z.boolean().optional(),
      paymentType: z.enum(['eComm Regular Payment', 'eComm Express Payment']).optional(),
      consentRemovalPrefix: MerchantUrl.optional(),
      shippingDetailsPrefix: MerchantUrl.optional(),
      staticShippingDetails: ShippingDetailsList.optional(),
    })
    .superRefine((info, issue) => {
      // With isApp the fallBack may be an app's custom scheme; otherwise it must be a web URL.
      const valid = info.isApp ? isAbsoluteUrl(info.fallBack) : isHttpUrl(info.fallBack);
      if (!valid) issue.addIssue({ code: 'custom', path: ['fallBack'], message: 'must be a valid absolute URL' });
    }),
  transaction: z.object({
    amount: z.number().int('must be an integer number of øre').min(100, 'must be at least 100 øre (1 NOK)'),
    orderId: OrderId,
    transactionText: TransactionText,
    skipLandingPage: z.boolean().optional(),
    scope: z.string().optional(),
    additionalData: z.unknown().optional(),
    useExplicitCheckoutFlow: z.boolean().optional(),
  }),
});

const PaymentActionsRequest = z.object({
  merchantInfo: z.object({ merchantSerialNumber: Msn }).optional(),
  transaction: z.object({
    // 0, null or absent: the whole remaining amount (Vipps' guide); otherwise the spec's minimum of 100 øre.
    amount: z
      .number()
      .int('must be an integer number of øre')
      .refine((value) => value === 0 || value >= 100, 'must be 0 (everything) or at least 100 øre')
      .nullish(),
    transactionText: TransactionText,
  }),
});

const CancelPaymentActionRequest = z.object({
  merchantInfo: z.object({ merchantSerialNumber: Msn }),
  transaction: z.object({ transactionText: TransactionText }),
  shouldReleaseRemainingFunds: z.boolean().optional(),
});

const ForceApproveRequest = z.object({
  customerPhoneNumber: z
    .string()
    .regex(/^\d{8}$/, 'must be 8 digits')
    .optional(),
  token: z.string().optional(),
});

const RequestId = z.string().min(1, 'is required').max(40, 'must be at most 40 characters');

// ---------------------------------------------------------------- responses

function summary(payment: EcomPayment, withBin: boolean) {
  const remainingAmountToCapture =
    payment.status === 'reserved' && !payment.remainderReleased ? payment.amount - payment.capturedAmount : 0;
  return {
    capturedAmount: payment.capturedAmount,
    remainingAmountToCapture,
    refundedAmount: payment.refundedAmount,
    remainingAmountToRefund: payment.capturedAmount - payment.refundedAmount,
    ...(withBin && payment.bankIdentificationNumber !== null
      ? { bankIdentificationNumber: payment.bankIdentificationNumber }
      : {}),
  };
}

/** GET …/details (TransactionDetails): the log newest first. */
export function ecomDetails(payment: EcomPayment) {
  return {
    orderId: payment.orderId,
    transactionLogHistory: [...payment.log].reverse(),
    // Vipps leaves the summary out until the user has reacted to the landing page or app switch.
    ...(payment.status === 'initiated' ? {} : { transactionSummary: summary(payment, true) }),
    // Express: who the user is and where the order goes, once reserved.
    ...expressDetails(payment.express),
  };
}

function addLog(
  ctx: VippsContext,
  payment: EcomPayment,
  operation: EcomOperation,
  amount: number,
  transactionText: string,
  requestId = '',
  transactionId = newTransactionId(),
): EcomLogEntry {
  const entry: EcomLogEntry = {
    amount,
    operation,
    operationSuccess: true,
    requestId,
    timeStamp: isoNow(ctx),
    transactionId,
    transactionText,
  };
  payment.log.push(entry);
  return entry;
}

// ---------------------------------------------------------------- the user's side

function viewStatus(payment: EcomPayment): UserView['status'] {
  switch (payment.status) {
    case 'initiated':
      return 'waiting';
    case 'reserved':
    case 'voided':
      return 'authorized';
    case 'expired':
      return 'expired';
    case 'cancelled':
      return payment.cancelledBy === 'merchant' ? 'cancelled' : 'aborted';
  }
}

export function createEcomParty(ctx: VippsContext): PaymentParty {
  const waiting = (orderId: string): EcomPayment | undefined => {
    const payment = ctx.state.ecom.get(orderId);
    return payment?.status === 'initiated' ? payment : undefined;
  };
  return {
    view(orderId) {
      const payment = ctx.state.ecom.get(orderId);
      if (!payment) return undefined;
      return {
        merchantName: ctx.config.merchantName,
        amount: { currency: 'NOK', value: payment.amount },
        description: payment.transactionText,
        status: viewStatus(payment),
        returnUrl: payment.fallBack,
        note: payment.express ? expressNote(payment.express) : null,
      };
    },
    authorize(orderId) {
      const payment = waiting(orderId);
      if (!payment) return;
      // Express: only with a confirmed address and shipping method; the reservation includes shipping.
      if (payment.express && !prepareExpressReservation(payment)) return;
      payment.status = 'reserved';
      payment.bankIdentificationNumber = 492560;
      addLog(ctx, payment, 'RESERVE', payment.amount, payment.transactionText, '', payment.transactionId);
      // Express callbacks say RESERVE, regular ones RESERVED (the guide apologises for it).
      sendEcomCallback(ctx, payment, payment.express ? 'RESERVE' : 'RESERVED');
    },
    abort(orderId) {
      const payment = waiting(orderId);
      if (!payment) return;
      payment.status = 'cancelled';
      payment.cancelledBy = 'user';
      addLog(ctx, payment, 'CANCEL', payment.amount, payment.transactionText, '', payment.transactionId);
      sendEcomCallback(ctx, payment, 'CANCELLED');
    },
    expire(orderId) {
      const payment = waiting(orderId);
      if (!payment) return;
      payment.status = 'expired';
      // The log's operation enum has no REJECTED: a timeout shows as CANCEL; the callback says REJECTED.
      addLog(ctx, payment, 'CANCEL', payment.amount, payment.transactionText, '', payment.transactionId);
      sendEcomCallback(ctx, payment, 'REJECTED');
    },
  };
}

// ---------------------------------------------------------------- routes

type Handler = (c: Context<VippsEnv>) => Promise<Response> | Response;

export function registerEcomRoutes(app: Hono<VippsEnv>, ctx: VippsContext): void {
  const auth = requireApiAuth(ctx, 'ecom');

  const loadOrder = (c: Context<VippsEnv>): EcomPayment | Response => {
    const orderId = c.req.param('orderId') ?? '';
    const payment = ctx.state.ecom.get(orderId);
    // orderIds are unique per sales unit: another MSN's order is "not found" (Vipps FAQ on error 35).
    if (!payment || payment.msn !== c.var.msn) return ecomErrorResponse(404, [ECOM_ERRORS.orderNotFound()]);
    const session = ctx.state.sessions.get(payment.userToken);
    if (session) expireIfDue(ctx, session);
    return payment;
  };

  const bodyMsnMismatch = (c: Context<VippsEnv>, msn: string | undefined): Response | undefined =>
    msn !== undefined && msn !== c.var.msn
      ? ecomErrorResponse(403, [
          ecomError(
            'Authentication',
            'merchantSerialNumber',
            `Invalid MSN: ${msn}. This MSN is not valid for the access token.`,
          ),
        ])
      : undefined;

  const parse = async <T extends z.ZodType>(c: Context<VippsEnv>, schema: T): Promise<z.infer<T> | Response> => {
    const body = await readJsonBody(c);
    if (!body.ok) return ecomErrorResponse(400, [ecomError('InvalidRequest', 'body', body.message)]);
    const parsed = schema.safeParse(body.value ?? {});
    if (!parsed.success) return ecomErrorResponse(400, issuesToEcomErrors(parsed.error.issues));
    return parsed.data;
  };

  // POST /ecomm/v2/payments: initiate.
  const orderIdOf = (body: unknown) =>
    (body as { transaction?: { orderId?: unknown } } | undefined)?.transaction?.orderId;
  app.post(
    '/ecomm/v2/payments',
    countCall(ctx, 'POST /ecomm/v2/payments', { bodyField: orderIdOf }),
    auth,
    async (c) => {
      const body = await readJsonBody(c);
      if (!body.ok) return ecomErrorResponse(400, [ecomError('InvalidRequest', 'body', body.message)]);
      const parsed = InitiatePaymentCommand.safeParse(body.value ?? {});
      if (!parsed.success) return ecomErrorResponse(400, issuesToEcomErrors(parsed.error.issues));
      const { customerInfo, merchantInfo, transaction } = parsed.data;
      const mismatch = bodyMsnMismatch(c, merchantInfo.merchantSerialNumber);
      if (mismatch) return mismatch;

      const errors: EcomError[] = [];
      const express = merchantInfo.paymentType === 'eComm Express Payment';
      // staticShippingDetails: [] counts as none.
      const staticShipping = merchantInfo.staticShippingDetails?.length
        ? toShippingOptions(merchantInfo.staticShippingDetails)
        : null;
      if (express) {
        // "Express checkouts require consentRemovalPrefix"; shipping comes from the prefix or the static list.
        if (merchantInfo.consentRemovalPrefix === undefined) {
          errors.push(
            ecomError(
              'InvalidRequest',
              'merchantInfo.consentRemovalPrefix',
              'consentRemovalPrefix is required for express checkout (paymentType "eComm Express Payment").',
            ),
          );
        }
        if (merchantInfo.shippingDetailsPrefix === undefined && staticShipping === null) {
          errors.push(
            ecomError(
              'InvalidRequest',
              'merchantInfo.shippingDetailsPrefix',
              'shippingDetailsPrefix is required for express checkout unless staticShippingDetails are given.',
            ),
          );
        }
      }
      let mobileNumber: string | null = null;
      if (customerInfo.mobileNumber !== undefined && customerInfo.mobileNumber !== '') {
        const parsedNumber = parseMobileNumber(customerInfo.mobileNumber, 'NOK');
        if (!parsedNumber) return ecomErrorResponse(400, [ECOM_ERRORS.userNotRegistered()]);
        mobileNumber = parsedNumber.national;
      }
      if (transaction.skipLandingPage) {
        if (!ctx.config.skipLandingPageAllowed)
          return ecomErrorResponse(400, [ECOM_ERRORS.skipLandingPageNotAllowed()]);
        if (mobileNumber === null) {
          errors.push(
            ecomError(
              'InvalidRequest',
              'customerInfo.mobileNumber',
              'skipLandingPage requires customerInfo.mobileNumber.',
            ),
          );
        }
      }
      if (errors.length > 0) return ecomErrorResponse(400, errors);
      if (ctx.state.ecom.has(transaction.orderId)) return ecomErrorResponse(400, [ECOM_ERRORS.duplicateOrderId()]);

      const skipLandingPage = transaction.skipLandingPage === true;
      const isApp = merchantInfo.isApp === true;
      const session = createSession(ctx, {
        kind: 'ecom',
        paymentId: transaction.orderId,
        phoneNumber: mobileNumber,
        forceApp: isApp,
        pushNow: skipLandingPage,
      });
      const payment: EcomPayment = {
        kind: 'ecom',
        orderId: transaction.orderId,
        msn: c.var.msn,
        amount: transaction.amount,
        transactionText: transaction.transactionText,
        createdAt: ctx.clock.now(),
        callbackPrefix: merchantInfo.callbackPrefix,
        fallBack: merchantInfo.fallBack,
        authToken: merchantInfo.authToken ?? null,
        isApp,
        skipLandingPage,
        mobileNumber,
        status: 'initiated',
        cancelledBy: null,
        capturedAmount: 0,
        refundedAmount: 0,
        remainderReleased: false,
        transactionId: newTransactionId(),
        bankIdentificationNumber: null,
        log: [],
        userToken: session.token,
        requestIds: new Map(),
        express: express
          ? newExpressOrder({
              consentRemovalPrefix: merchantInfo.consentRemovalPrefix!,
              shippingDetailsPrefix: merchantInfo.shippingDetailsPrefix ?? null,
              staticShippingDetails: staticShipping,
              explicitCheckoutFlow: transaction.useExplicitCheckoutFlow === true,
              itemsAmount: transaction.amount,
            })
          : null,
      };
      addLog(ctx, payment, 'INITIATE', payment.amount, payment.transactionText, '', payment.transactionId);
      ctx.state.ecom.set(payment.orderId, payment);
      // Shaped like Vipps' deeplink URL; the sandbox serves the landing page there.
      const url = `${publicBase(ctx, c)}/dwo-api-application/v1/deeplink/vippsgateway?v=2&token=${session.token}`;
      return jsonResponse(200, { orderId: payment.orderId, url });
    },
  );

  const details: Handler = (c) => {
    const payment = loadOrder(c);
    if (payment instanceof Response) return payment;
    return jsonResponse(200, ecomDetails(payment));
  };
  app.get(
    '/ecomm/v2/payments/:orderId/details',
    countCall(ctx, 'GET /ecomm/v2/payments/{orderId}/details', { param: 'orderId' }),
    auth,
    details,
  );

  const status: Handler = (c) => {
    const payment = loadOrder(c);
    if (payment instanceof Response) return payment;
    const last = payment.log[payment.log.length - 1] as EcomLogEntry;
    return jsonResponse(200, {
      orderId: payment.orderId,
      transactionInfo: {
        amount: payment.amount,
        status: payment.status === 'expired' ? 'REJECTED' : last.operation,
        timeStamp: last.timeStamp,
        transactionId: last.transactionId,
      },
    });
  };
  app.get(
    '/ecomm/v2/payments/:orderId/status',
    countCall(ctx, 'GET /ecomm/v2/payments/{orderId}/status', { param: 'orderId' }),
    auth,
    status,
  );

  /** Shared idempotency of capture and refund (X-Request-Id, unique per order and endpoint). */
  const withRequestId = async (
    c: Context<VippsEnv>,
    endpoint: 'capture' | 'refund',
    run: (payment: EcomPayment, body: z.infer<typeof PaymentActionsRequest>, requestId: string) => Response,
  ): Promise<Response> => {
    const payment = loadOrder(c);
    if (payment instanceof Response) return payment;
    const requestId = RequestId.safeParse(c.req.header('X-Request-Id') ?? '');
    if (!requestId.success) {
      return ecomErrorResponse(400, [
        ecomError(
          'InvalidRequest',
          'X-Request-Id',
          `X-Request-Id ${requestId.error.issues[0]?.message ?? 'is invalid'}`,
        ),
      ]);
    }
    const body = await parse(c, PaymentActionsRequest);
    if (body instanceof Response) return body;
    const mismatch = bodyMsnMismatch(c, body.merchantInfo?.merchantSerialNumber);
    if (mismatch) return mismatch;
    const key = `${endpoint}:${requestId.data}`;
    const fingerprint = String(body.transaction.amount || 'all');
    const previous = payment.requestIds.get(key);
    if (previous) {
      if (previous.fingerprint !== fingerprint) return ecomErrorResponse(400, [ECOM_ERRORS.idempotentAmountMismatch()]);
      return jsonResponse(previous.status, previous.body);
    }
    const response = run(payment, body, requestId.data);
    if (response.status === 200) {
      payment.requestIds.set(key, { fingerprint, status: 200, body: await response.clone().json() });
    }
    return response;
  };

  app.post(
    '/ecomm/v2/payments/:orderId/capture',
    countCall(ctx, 'POST /ecomm/v2/payments/{orderId}/capture', { param: 'orderId' }),
    auth,
    (c) =>
      withRequestId(c, 'capture', (payment, body, requestId) => {
        if (payment.status !== 'reserved') return ecomErrorResponse(400, [ECOM_ERRORS.nothingReserved()]);
        const remaining = payment.remainderReleased ? 0 : payment.amount - payment.capturedAmount;
        const amount = body.transaction.amount || remaining;
        if (remaining === 0 || amount > remaining)
          return ecomErrorResponse(400, [ECOM_ERRORS.captureExceedsReserved()]);
        payment.capturedAmount += amount;
        const entry = addLog(ctx, payment, 'CAPTURE', amount, body.transaction.transactionText, requestId);
        return jsonResponse(200, {
          orderId: payment.orderId,
          paymentInstrument: 'Visa',
          transactionInfo: {
            amount,
            status: 'Captured',
            timeStamp: entry.timeStamp,
            transactionId: entry.transactionId,
            transactionText: entry.transactionText,
          },
          transactionSummary: summary(payment, false),
        });
      }),
  );

  app.post(
    '/ecomm/v2/payments/:orderId/refund',
    countCall(ctx, 'POST /ecomm/v2/payments/{orderId}/refund', { param: 'orderId' }),
    auth,
    (c) =>
      withRequestId(c, 'refund', (payment, body, requestId) => {
        if (payment.capturedAmount === 0) {
          const cancelled =
            payment.status === 'cancelled' || payment.status === 'expired' || payment.status === 'voided';
          return ecomErrorResponse(400, [cancelled ? ECOM_ERRORS.refundOfCancelled() : ECOM_ERRORS.refundOfReserved()]);
        }
        const refundable = payment.capturedAmount - payment.refundedAmount;
        const amount = body.transaction.amount || refundable;
        if (refundable === 0 || amount > refundable)
          return ecomErrorResponse(400, [ECOM_ERRORS.refundExceedsCaptured()]);
        payment.refundedAmount += amount;
        const entry = addLog(ctx, payment, 'REFUND', amount, body.transaction.transactionText, requestId);
        return jsonResponse(200, {
          orderId: payment.orderId,
          transaction: {
            amount,
            status: 'Refund',
            timeStamp: entry.timeStamp,
            transactionId: entry.transactionId,
            transactionText: entry.transactionText,
          },
          transactionSummary: summary(payment, false),
        });
      }),
  );

  app.put(
    '/ecomm/v2/payments/:orderId/cancel',
    countCall(ctx, 'PUT /ecomm/v2/payments/{orderId}/cancel', { param: 'orderId' }),
    auth,
    async (c) => {
      const payment = loadOrder(c);
      if (payment instanceof Response) return payment;
      const body = await parse(c, CancelPaymentActionRequest);
      if (body instanceof Response) return body;
      const mismatch = bodyMsnMismatch(c, body.merchantInfo.merchantSerialNumber);
      if (mismatch) return mismatch;
      const text = body.transaction.transactionText;

      let entry: EcomLogEntry | undefined;
      if (payment.status === 'initiated') {
        // Cancelling before the user acted: the log shows CANCEL (Vipps' guide, "Cancelling a pending order").
        payment.status = 'cancelled';
        payment.cancelledBy = 'merchant';
        entry = addLog(ctx, payment, 'CANCEL', payment.amount, text);
      } else if (payment.status === 'reserved' && !payment.remainderReleased) {
        if (payment.capturedAmount === 0) {
          payment.status = 'voided';
          entry = addLog(ctx, payment, 'VOID', payment.amount, text);
        } else if (body.shouldReleaseRemainingFunds && payment.capturedAmount < payment.amount) {
          payment.remainderReleased = true;
          entry = addLog(ctx, payment, 'VOID', payment.amount - payment.capturedAmount, text);
        } else {
          return ecomErrorResponse(400, [ECOM_ERRORS.cannotCancelCaptured()]);
        }
      }
      // Already cancelled, expired, voided or released: answer with the current state (safe to retry).
      const last = entry ?? [...payment.log].reverse().find((e) => e.operation === 'CANCEL' || e.operation === 'VOID');
      if (!last) return ecomErrorResponse(400, [ECOM_ERRORS.cannotCancelCaptured()]);
      return jsonResponse(200, {
        orderId: payment.orderId,
        transactionInfo: {
          amount: last.amount,
          status: 'Cancelled',
          timeStamp: last.timeStamp,
          transactionId: last.transactionId,
          transactionText: last.transactionText,
        },
        transactionSummary: summary(payment, false),
      });
    },
  );

  app.post(
    '/ecomm/v2/integration-test/payments/:orderId/approve',
    countCall(ctx, 'POST /ecomm/v2/integration-test/payments/{orderId}/approve', { param: 'orderId' }),
    auth,
    async (c) => {
      const payment = loadOrder(c);
      if (payment instanceof Response) return payment;
      const body = await parse(c, ForceApproveRequest);
      if (body instanceof Response) return body;
      // "Express checkout is not supported for this endpoint."
      if (payment.express) {
        return ecomErrorResponse(400, [
          ecomError(
            'VippsError',
            '91',
            'Transaction is not allowed: express checkout is not supported by force approve',
          ),
        ]);
      }
      const session = ctx.state.sessions.get(payment.userToken);
      const result = session ? approveDirectly(ctx, session, body.customerPhoneNumber) : { ok: false };
      if (!result.ok) {
        return ecomErrorResponse(400, [ecomError('VippsError', '92', 'Transaction already processed')]);
      }
      return new Response(null, { status: 200 });
    },
  );
}

/** What inspection shows of an order: everything but the merchant's callback secret. */
export function ecomSnapshot(payment: EcomPayment) {
  const { authToken, requestIds: _requestIds, ...rest } = payment;
  return { ...rest, hasAuthToken: authToken !== null, details: ecomDetails(payment) };
}
