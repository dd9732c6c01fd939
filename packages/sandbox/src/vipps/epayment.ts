/**
 * ePayment API v1 (epayment-v1.openapi.yaml), NOK/DKK/EUR: create (Idempotency-Key), get, events,
 * capture, refund, cancel and the test environment's force-approve. Errors are RFC 7807
 * problem+json with `extraDetails`, titles from Vipps' ePayment error list. Express (`shipping`) and
 * profile sharing (`profile.scope`), which the stored spec predates, are in epayment-express.ts.
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { countCall, requireApiAuth } from './auth.js';
import { isoNow, publicBase, type PaymentParty, type UserView, type VippsContext, type VippsEnv } from './context.js';
import { instancePath, issuesToExtraDetails, jsonResponse, problemResponse, type ExtraDetail } from './errors.js';
import {
  EXPRESS_SCOPES,
  groupProblems,
  newEpaymentExpress,
  prepareEpaymentReservation,
  PROFILE_SCOPES,
  profileFields,
  RESTRICTED_SCOPES,
  scopesOf,
  sharedProfileFor,
  ShippingRequestSchema,
  subFor,
} from './epayment-express.js';
import { expressNote } from './express-flow.js';
import { approveDirectly, createSession, expireIfDue } from './flows.js';
import { canonicalJson, isAbsoluteUrl, isHttpUrl, readJsonBody } from './http.js';
import { newPspReference } from './ids.js';
import { parseMobileNumber } from './phone.js';
import type { EpaymentAmount, EpaymentEvent, EpaymentEventName, EpaymentPayment } from './state.js';
import { emitEpaymentEvent } from './webhooks.js';

// ---------------------------------------------------------------- request schemas

const Currency = z.enum(['NOK', 'DKK', 'EUR']);
const Amount = z.object({
  currency: Currency,
  value: z.number().int('must be an integer number of minor units').min(0).max(65_000_000),
});
const Reference = z.string().regex(/^[a-zA-Z0-9-]{8,50}$/, "must match '^[a-zA-Z0-9-]{8,50}$'");
const IdempotencyKey = z.string().min(1, 'is required').max(50, 'must be at most 50 characters');

const CreatePaymentRequest = z
  .object({
    amount: Amount,
    customer: z
      .object({
        phoneNumber: z
          .string()
          .regex(/^\d{10,15}$/, 'must be an MSISDN: country code and number, 10–15 digits')
          .optional(),
        personalQr: z.string().min(5).max(255).optional(),
        customerToken: z.string().optional(),
      })
      .optional(),
    customerInteraction: z.enum(['CUSTOMER_PRESENT', 'CUSTOMER_NOT_PRESENT']).optional(),
    industryData: z.unknown().optional(),
    paymentMethod: z.object({ type: z.enum(['WALLET', 'CARD']) }),
    profile: z.object({ scope: z.string().optional() }).optional(),
    reference: Reference,
    returnUrl: z.string().max(2048).optional(),
    userFlow: z.enum(['PUSH_MESSAGE', 'NATIVE_REDIRECT', 'WEB_REDIRECT', 'QR']),
    expiresAt: z.string().nullish(),
    qrFormat: z.unknown().nullish(),
    paymentDescription: z.string().min(3).max(100).optional(),
    receipt: z.unknown().optional(),
    metadata: z
      .record(z.string().max(100), z.string().max(500))
      .refine((value) => Object.keys(value).length <= 5, 'can hold at most 5 key-value pairs')
      .nullish(),
    receiptUrl: z.string().nullish(),
    shipping: ShippingRequestSchema.optional(),
  })
  .superRefine((request, issue) => {
    const customer = request.customer ?? {};
    const given = (['phoneNumber', 'personalQr', 'customerToken'] as const).filter(
      (key) => customer[key] !== undefined,
    );
    if (given.length > 1)
      issue.addIssue({
        code: 'custom',
        path: ['customer'],
        message: 'specify only one of phoneNumber, personalQr and customerToken',
      });
    if (customer.personalQr !== undefined || customer.customerToken !== undefined) {
      issue.addIssue({ code: 'custom', path: ['customer'], message: 'the sandbox supports customer.phoneNumber only' });
    }
    if (request.userFlow === 'WEB_REDIRECT' || request.userFlow === 'NATIVE_REDIRECT') {
      const valid =
        request.returnUrl !== undefined &&
        (request.userFlow === 'NATIVE_REDIRECT' ? isAbsoluteUrl(request.returnUrl) : isHttpUrl(request.returnUrl));
      if (!valid)
        issue.addIssue({
          code: 'custom',
          path: ['returnUrl'],
          message: `a valid returnUrl is required for ${request.userFlow}`,
        });
    }
    if (request.userFlow === 'PUSH_MESSAGE' && customer.phoneNumber === undefined) {
      issue.addIssue({
        code: 'custom',
        path: ['customer', 'phoneNumber'],
        message: 'PUSH_MESSAGE requires customer.phoneNumber',
      });
    }
    if (request.userFlow === 'QR') {
      issue.addIssue({ code: 'custom', path: ['userFlow'], message: 'the sandbox does not support the QR flow' });
    }
    if (request.paymentMethod.type === 'CARD') {
      issue.addIssue({ code: 'custom', path: ['paymentMethod', 'type'], message: 'the sandbox supports WALLET only' });
    }
    if (request.expiresAt != null) {
      issue.addIssue({ code: 'custom', path: ['expiresAt'], message: 'ExpiresAt not allowed for this sales unit' });
    }
    if (request.shipping) expressIssues(request, request.shipping).forEach((problem) => issue.addIssue(problem));
  });

/** Shape problems of an Express request (`shipping`); the scope is checked as a domain error later. */
function expressIssues(
  request: { amount: { currency: 'NOK' | 'DKK' | 'EUR' }; paymentMethod: { type: string } },
  shipping: z.infer<typeof ShippingRequestSchema>,
): { code: 'custom'; path: (string | number)[]; message: string }[] {
  const issues: { code: 'custom'; path: (string | number)[]; message: string }[] = [];
  const add = (path: (string | number)[], message: string) => issues.push({ code: 'custom', path, message });
  // "Express is initiated with … paymentMethod set to WALLET … and the shipping property" (Express feature page).
  if (request.paymentMethod.type !== 'WALLET') add(['paymentMethod', 'type'], 'Express requires WALLET');
  // "shipping.fixedOptions or shipping.dynamicOptions" (How Express works): exactly one of them.
  if (shipping.fixedOptions && shipping.dynamicOptions) {
    add(['shipping'], 'specify either fixedOptions or dynamicOptions, not both');
  }
  if (!shipping.fixedOptions && !shipping.dynamicOptions) {
    add(['shipping'], 'specify fixedOptions or dynamicOptions');
  }
  if (shipping.fixedOptions) {
    for (const problem of groupProblems(shipping.fixedOptions, request.amount.currency, ['shipping', 'fixedOptions'])) {
      add(problem.path, problem.message);
    }
  }
  // The sandbox's test user has Norwegian addresses only, and Express wants the address's currency.
  if (request.amount.currency !== 'NOK') add(['amount', 'currency'], 'the sandbox supports Express in NOK only');
  if (shipping.allowedCountries && !shipping.allowedCountries.includes('NO')) {
    add(['shipping', 'allowedCountries'], "the sandbox's test addresses are in NO: the list must include it");
  }
  return issues;
}

const ModificationRequest = z.object({ modificationAmount: Amount });
const CancelRequest = z.object({ cancelTransactionOnly: z.boolean().optional() }).optional();
const ForceApprove = z
  .object({
    customer: z
      .object({
        phoneNumber: z
          .string()
          .regex(/^\d{10,15}$/)
          .optional(),
      })
      .optional(),
    token: z.string().optional(),
  })
  .optional();

// ---------------------------------------------------------------- responses

const zero = (currency: EpaymentAmount['currency']): EpaymentAmount => ({ currency, value: 0 });

function aggregate(payment: EpaymentPayment) {
  const { currency } = payment.amount;
  return {
    authorizedAmount: payment.state === 'AUTHORIZED' ? payment.amount : zero(currency),
    cancelledAmount: { currency, value: payment.cancelledValue },
    capturedAmount: { currency, value: payment.capturedValue },
    refundedAmount: { currency, value: payment.refundedValue },
  };
}

/** GET /epayment/v1/payments/{reference} (GetPaymentResponse; userDetails and shippingDetails: epayment-express.ts). */
export function epaymentView(payment: EpaymentPayment) {
  return {
    aggregate: aggregate(payment),
    amount: payment.amount,
    state: payment.state,
    paymentMethod: payment.state === 'AUTHORIZED' ? { type: 'WALLET', cardBin: '540185' } : { type: 'WALLET' },
    profile: payment.sub !== null ? { sub: payment.sub } : {},
    pspReference: payment.pspReference,
    ...(payment.redirectUrl !== null && payment.state === 'CREATED' ? { redirectUrl: payment.redirectUrl } : {}),
    reference: payment.reference,
    ...(payment.metadata !== null ? { metadata: payment.metadata } : {}),
    ...(payment.state === 'AUTHORIZED' ? profileFields(payment) : {}),
  };
}

function addEvent(
  ctx: VippsContext,
  payment: EpaymentPayment,
  name: EpaymentEventName,
  amount: EpaymentAmount,
  idempotencyKey: string | null,
  pspReference = payment.pspReference,
  extra: Record<string, unknown> = {},
): EpaymentEvent {
  const event: EpaymentEvent = {
    reference: payment.reference,
    pspReference,
    name,
    amount,
    timestamp: isoNow(ctx),
    idempotencyKey,
    success: true,
  };
  payment.events.push(event);
  emitEpaymentEvent(ctx, payment.msn, event, extra);
  return event;
}

// ---------------------------------------------------------------- the user's side

const VIEW_STATUS: Record<EpaymentPayment['state'], UserView['status']> = {
  CREATED: 'waiting',
  AUTHORIZED: 'authorized',
  ABORTED: 'aborted',
  EXPIRED: 'expired',
  TERMINATED: 'cancelled',
};

export function createEpaymentParty(ctx: VippsContext): PaymentParty {
  const waiting = (reference: string): EpaymentPayment | undefined => {
    const payment = ctx.state.epayment.get(reference);
    return payment?.state === 'CREATED' ? payment : undefined;
  };
  return {
    view(reference) {
      const payment = ctx.state.epayment.get(reference);
      if (!payment) return undefined;
      return {
        merchantName: ctx.config.merchantName,
        amount: payment.amount,
        description: payment.paymentDescription ?? `Payment ${payment.reference}`,
        status: VIEW_STATUS[payment.state],
        returnUrl: payment.returnUrl,
        note: payment.express ? expressNote(payment.express) : null,
      };
    },
    authorize(reference) {
      const payment = waiting(reference);
      if (!payment) return;
      // Express: only with a confirmed address and shipping option; the authorization includes shipping.
      if (payment.express && !prepareEpaymentReservation(payment)) return;
      payment.state = 'AUTHORIZED';
      const session = ctx.state.sessions.get(payment.userToken);
      payment.sharedProfile = sharedProfileFor(payment, session?.phoneNumber ?? null, ctx.clock.now());
      payment.sub = payment.sharedProfile ? subFor(payment.msn, payment.sharedProfile.msisdn) : null;
      // "With profile sharing, userDetails and profile.sub ride along on epayments.payment.authorized.v1".
      const extra = payment.sub !== null ? { profile: { sub: payment.sub }, ...profileFields(payment) } : {};
      addEvent(ctx, payment, 'AUTHORIZED', payment.amount, null, payment.pspReference, extra);
    },
    abort(reference) {
      const payment = waiting(reference);
      if (!payment) return;
      payment.state = 'ABORTED';
      addEvent(ctx, payment, 'ABORTED', payment.amount, null);
    },
    expire(reference) {
      const payment = waiting(reference);
      if (!payment) return;
      payment.state = 'EXPIRED';
      addEvent(ctx, payment, 'EXPIRED', payment.amount, null);
    },
  };
}

// ---------------------------------------------------------------- routes

/** Titles and details from Vipps' "ePayment API Errors" list. */
const DOMAIN_ERRORS = {
  amountTooSmall: [
    'Amount too small',
    'The amount is too small. Amounts are specified in minor units, like øre or cent.',
  ],
  captureBeforeReservation: [
    'Cannot capture before reservation',
    'The amount you tried to capture is not reserved. The user must accept the payment before capture can be done.',
  ],
  captureCancelled: [
    'Cannot capture a cancelled payment',
    'Cannot capture a payment that has been cancelled, aborted or has expired.',
  ],
  captureTooHigh: [
    'Capture amount too high',
    'The total capture amount exceeds the reserved amount. Cannot capture a higher amount than the amount the user has accepted.',
  ],
  refundBeforeReservation: [
    'Attempted refund before reservation',
    'Cannot refund a payment that is not reserved. Check the payment event log.',
  ],
  refundTooHigh: [
    'Refund amount too high',
    'The total refund amount exceeds the captured amount. Check the payment details.',
  ],
  cancelCaptured: [
    'Cannot cancel a captured payment',
    'Cannot cancel a payment that has been captured. Check the payment event log.',
  ],
  cancelNotReserved: [
    'Cannot cancel a non-reserved payment',
    'Cannot cancel a payment that is not reserved. Check the payment event log.',
  ],
  currencyMismatch: ['Currency mismatch', 'The modification currency must be the currency of the payment.'],
  // Profile sharing and Express (errors page codes 4140, 4080, 5030; details: the sandbox's words).
  missingParameter: [
    'Missing required parameter',
    'Express payments require profile.scope "name address email phoneNumber".',
  ],
  invalidScope: ['Invalid scope', 'The profile.scope is not valid for this payment.'],
  illegalScope: ['Illegal scope', 'This sales unit may not ask for the national identity number or account numbers.'],
} as const satisfies Record<string, readonly [string, string]>;

export function registerEpaymentRoutes(app: Hono<VippsEnv>, ctx: VippsContext): void {
  const auth = requireApiAuth(ctx, 'epayment');

  const problem = (c: Context, status: number, detail: string, extraDetails: ExtraDetail[] = [], title?: string) =>
    problemResponse({ status, title, detail, instance: instancePath(c, ctx.config.basePath), extraDetails });
  const domainError = (c: Context, error: keyof typeof DOMAIN_ERRORS, extraDetails: ExtraDetail[] = []) =>
    problem(c, 400, DOMAIN_ERRORS[error][1], extraDetails, DOMAIN_ERRORS[error][0]);
  const withCode = (code: string, details: ExtraDetail[] = []) => [...details, { name: 'ErrorCode', reason: code }];

  /**
   * `profile.scope`: known values only (Userinfo API guide, "Scope"); `nin` and `accountNumbers` need
   * Vipps' approval (5030). Express: all four of name, address, email, phoneNumber ("all four are
   * required", How Express works) and nothing else ("Not fewer values, not more", Vipps' features summary).
   */
  const checkScope = (c: Context, scope: string | undefined, express: boolean): Response | null => {
    const field = 'profile.scope';
    if (scope === undefined || scopesOf(scope).length === 0) {
      if (!express) return null;
      return domainError(c, 'missingParameter', withCode('4140', [{ name: field, reason: 'is required for Express' }]));
    }
    const words = scopesOf(scope);
    const restricted = words.filter((word) => (RESTRICTED_SCOPES as readonly string[]).includes(word));
    if (restricted.length > 0) {
      return domainError(
        c,
        'illegalScope',
        withCode('5030', [{ name: field, reason: `not allowed: ${restricted.join(' ')}` }]),
      );
    }
    const unknown = words.filter((word) => !(PROFILE_SCOPES as readonly string[]).includes(word));
    if (unknown.length > 0) {
      const reason = `unknown value ${unknown.join(' ')}; possible values: ${PROFILE_SCOPES.join(' ')}`;
      return domainError(c, 'invalidScope', withCode('4080', [{ name: field, reason }]));
    }
    if (new Set(words).size !== words.length) {
      return domainError(c, 'invalidScope', withCode('4080', [{ name: field, reason: 'lists a value twice' }]));
    }
    if (express) {
      const missing = EXPRESS_SCOPES.filter((word) => !words.includes(word));
      const extra = words.filter((word) => !(EXPRESS_SCOPES as readonly string[]).includes(word));
      if (missing.length > 0 || extra.length > 0) {
        const reason = `Express needs exactly "name address email phoneNumber"${
          missing.length > 0 ? `; missing: ${missing.join(' ')}` : ''
        }${extra.length > 0 ? `; not allowed: ${extra.join(' ')}` : ''}`;
        return domainError(c, 'invalidScope', withCode('4080', [{ name: field, reason }]));
      }
    }
    return null;
  };

  const idempotencyKey = (c: Context): string | Response => {
    const parsed = IdempotencyKey.safeParse(c.req.header('Idempotency-Key') ?? '');
    if (parsed.success) return parsed.data;
    const reason = `The Idempotency-Key header ${parsed.error.issues[0]?.message ?? 'is invalid'}.`;
    return problem(c, 400, reason, [{ name: 'Idempotency-Key', reason }]);
  };

  /**
   * Runs an idempotent operation: same key + same request → the first answer again; same key +
   * a different request → 409. Only successful answers are remembered.
   */
  const idempotent = async (
    c: Context<VippsEnv>,
    scope: string,
    key: string,
    request: unknown,
    run: () => Response | Promise<Response>,
  ): Promise<Response> => {
    const storeKey = `${c.var.msn}|${scope}|${key}`;
    const fingerprint = canonicalJson(request);
    const previous = ctx.state.idempotency.get(storeKey);
    if (previous) {
      if (previous.fingerprint !== fingerprint) {
        return problem(
          c,
          409,
          'The Idempotency-Key has already been used for a different request. Use a new key for a new request.',
          [{ name: 'Idempotency-Key', reason: 'Reused with a different request body' }],
          'Conflict',
        );
      }
      return jsonResponse(previous.status, previous.body, 'application/json');
    }
    const response = await run();
    if (response.status < 300) {
      ctx.state.idempotency.set(storeKey, {
        fingerprint,
        status: response.status,
        body: await response.clone().json(),
      });
    }
    return response;
  };

  const loadPayment = (c: Context<VippsEnv>): EpaymentPayment | Response => {
    const reference = c.req.param('reference') ?? '';
    const payment = ctx.state.epayment.get(reference);
    if (!payment || payment.msn !== c.var.msn) {
      return problem(
        c,
        404,
        `No payment with reference ${reference} was found for this sales unit.`,
        [],
        'Payment not found',
      );
    }
    const session = ctx.state.sessions.get(payment.userToken);
    if (session) expireIfDue(ctx, session);
    return payment;
  };

  const readBody = async <T extends z.ZodType>(
    c: Context,
    schema: T,
  ): Promise<{ raw: unknown; data: z.infer<T> } | Response> => {
    const body = await readJsonBody(c);
    if (!body.ok) return problem(c, 400, body.message, [{ name: 'body', reason: body.message }]);
    const parsed = schema.safeParse(body.value);
    if (!parsed.success)
      return problem(c, 400, 'See extraDetails for further details', issuesToExtraDetails(parsed.error.issues));
    return { raw: body.value, data: parsed.data };
  };

  const referenceOf = (body: unknown) => (body as { reference?: unknown } | undefined)?.reference;
  app.post(
    '/epayment/v1/payments',
    countCall(ctx, 'POST /epayment/v1/payments', { bodyField: referenceOf }),
    auth,
    async (c) => {
      const body = await readJsonBody(c);
      const key = idempotencyKey(c);
      if (key instanceof Response) return key;
      if (!body.ok) return problem(c, 400, body.message, [{ name: 'body', reason: body.message }]);

      return idempotent(c, 'create', key, body.value, () => {
        const parsed = CreatePaymentRequest.safeParse(body.value);
        if (!parsed.success)
          return problem(c, 400, 'See extraDetails for further details', issuesToExtraDetails(parsed.error.issues));
        const request = parsed.data;
        const minimum = request.amount.currency === 'NOK' ? 100 : 1;
        if (request.amount.value < minimum) {
          return domainError(c, 'amountTooSmall', [{ name: 'amount.value', reason: `must be at least ${minimum}` }]);
        }
        const scopeError = checkScope(c, request.profile?.scope, request.shipping !== undefined);
        if (scopeError) return scopeError;
        if (ctx.state.epayment.has(request.reference)) {
          return problem(
            c,
            409,
            `A payment with reference ${request.reference} already exists.`,
            [{ name: 'reference', reason: 'Already used' }],
            'Conflict',
          );
        }
        const phone = request.customer?.phoneNumber
          ? parseMobileNumber(`+${request.customer.phoneNumber}`, request.amount.currency)
          : null;
        if (request.customer?.phoneNumber && !phone) {
          return problem(
            c,
            400,
            'The phone number is not a registered user.',
            [{ name: 'customer.phoneNumber', reason: 'User not found' }],
            'User not found',
          );
        }
        const pushNow = request.userFlow === 'PUSH_MESSAGE';
        const session = createSession(ctx, {
          kind: 'epayment',
          paymentId: request.reference,
          phoneNumber: phone?.national ?? null,
          forceApp: request.userFlow === 'NATIVE_REDIRECT',
          pushNow,
        });
        const redirectUrl = pushNow ? null : `${publicBase(ctx, c)}/landing?token=${session.token}`;
        const payment: EpaymentPayment = {
          kind: 'epayment',
          reference: request.reference,
          msn: c.var.msn,
          amount: request.amount,
          state: 'CREATED',
          pspReference: newPspReference(),
          userFlow: request.userFlow,
          returnUrl: request.returnUrl ?? null,
          phoneNumber: request.customer?.phoneNumber ?? null,
          paymentDescription: request.paymentDescription ?? null,
          metadata: request.metadata ?? null,
          profileScope: request.profile?.scope ?? null,
          sub: null,
          sharedProfile: null,
          express: request.shipping ? newEpaymentExpress(request.shipping, request.amount.value) : null,
          capturedValue: 0,
          refundedValue: 0,
          cancelledValue: 0,
          events: [],
          redirectUrl,
          userToken: session.token,
          createdAt: ctx.clock.now(),
        };
        ctx.state.epayment.set(payment.reference, payment);
        addEvent(ctx, payment, 'CREATED', payment.amount, key);
        return jsonResponse(
          201,
          { ...(redirectUrl ? { redirectUrl } : {}), reference: payment.reference },
          'application/json',
        );
      });
    },
  );

  app.get(
    '/epayment/v1/payments/:reference',
    countCall(ctx, 'GET /epayment/v1/payments/{reference}', { param: 'reference' }),
    auth,
    (c) => {
      const payment = loadPayment(c);
      if (payment instanceof Response) return payment;
      return jsonResponse(200, epaymentView(payment), 'application/json');
    },
  );

  app.get(
    '/epayment/v1/payments/:reference/events',
    countCall(ctx, 'GET /epayment/v1/payments/{reference}/events', { param: 'reference' }),
    auth,
    (c) => {
      const payment = loadPayment(c);
      if (payment instanceof Response) return payment;
      return jsonResponse(200, payment.events, 'application/json');
    },
  );

  const modification = (
    route: 'capture' | 'refund' | 'cancel',
    apply: (c: Context<VippsEnv>, payment: EpaymentPayment, key: string, body: unknown) => Response,
  ) =>
    app.post(
      `/epayment/v1/payments/:reference/${route}`,
      countCall(ctx, `POST /epayment/v1/payments/{reference}/${route}`, { param: 'reference' }),
      auth,
      async (c) => {
        const payment = loadPayment(c);
        if (payment instanceof Response) return payment;
        const key = idempotencyKey(c);
        if (key instanceof Response) return key;
        const body = await readBody(c, route === 'cancel' ? CancelRequest : ModificationRequest);
        if (body instanceof Response) return body;
        return idempotent(c, `${route}:${payment.reference}`, key, body.raw ?? null, () =>
          apply(c, payment, key, body.data),
        );
      },
    );

  const modified = (payment: EpaymentPayment, pspReference: string) =>
    jsonResponse(
      200,
      {
        amount: payment.amount,
        state: payment.state,
        aggregate: aggregate(payment),
        pspReference,
        reference: payment.reference,
      },
      'application/json',
    );

  modification('capture', (c, payment, key, body) => {
    const { modificationAmount } = body as z.infer<typeof ModificationRequest>;
    if (payment.state === 'CREATED')
      return domainError(c, 'captureBeforeReservation', [{ name: 'ErrorCode', reason: '6080' }]);
    if (payment.state !== 'AUTHORIZED') return domainError(c, 'captureCancelled');
    if (modificationAmount.currency !== payment.amount.currency) return domainError(c, 'currencyMismatch');
    if (modificationAmount.value < 1) return domainError(c, 'amountTooSmall');
    const capturable = payment.amount.value - payment.capturedValue - payment.cancelledValue;
    if (modificationAmount.value > capturable) return domainError(c, 'captureTooHigh');
    payment.capturedValue += modificationAmount.value;
    const event = addEvent(ctx, payment, 'CAPTURED', modificationAmount, key, newPspReference());
    return modified(payment, event.pspReference);
  });

  modification('refund', (c, payment, key, body) => {
    const { modificationAmount } = body as z.infer<typeof ModificationRequest>;
    if (payment.state !== 'AUTHORIZED') return domainError(c, 'refundBeforeReservation');
    if (modificationAmount.currency !== payment.amount.currency) return domainError(c, 'currencyMismatch');
    if (modificationAmount.value < 1) return domainError(c, 'amountTooSmall');
    if (modificationAmount.value > payment.capturedValue - payment.refundedValue)
      return domainError(c, 'refundTooHigh');
    payment.refundedValue += modificationAmount.value;
    const event = addEvent(ctx, payment, 'REFUNDED', modificationAmount, key, newPspReference());
    return modified(payment, event.pspReference);
  });

  modification('cancel', (c, payment, key) => {
    if (payment.state === 'CREATED') {
      // The user has not acted yet: the payment is terminated.
      payment.state = 'TERMINATED';
      const event = addEvent(ctx, payment, 'TERMINATED', payment.amount, key);
      return modified(payment, event.pspReference);
    }
    if (payment.state === 'TERMINATED') return modified(payment, payment.pspReference);
    if (payment.state !== 'AUTHORIZED') return domainError(c, 'cancelNotReserved');
    const remaining = payment.amount.value - payment.capturedValue - payment.cancelledValue;
    if (payment.capturedValue >= payment.amount.value) return domainError(c, 'cancelCaptured');
    if (remaining === 0) return modified(payment, payment.pspReference);
    // AUTHORIZED is final: cancelling releases what is left, the state stays AUTHORIZED.
    payment.cancelledValue += remaining;
    const event = addEvent(
      ctx,
      payment,
      'CANCELLED',
      { currency: payment.amount.currency, value: remaining },
      key,
      newPspReference(),
    );
    return modified(payment, event.pspReference);
  });

  app.post(
    '/epayment/v1/test/payments/:reference/approve',
    countCall(ctx, 'POST /epayment/v1/test/payments/{reference}/approve', { param: 'reference' }),
    auth,
    async (c) => {
      const payment = loadPayment(c);
      if (payment instanceof Response) return payment;
      const body = await readBody(c, ForceApprove);
      if (body instanceof Response) return body;
      // "Express payments cannot use the test-environment force approve endpoint" (Vipps' operations summary).
      if (payment.express) {
        return problem(
          c,
          400,
          'Express payments cannot be approved with this endpoint; use the sandbox controls.',
          withCode('10060'),
          'Operation not supported',
        );
      }
      const session = ctx.state.sessions.get(payment.userToken);
      const msisdn = body.data?.customer?.phoneNumber;
      const phone = msisdn ? parseMobileNumber(`+${msisdn}`, payment.amount.currency)?.national : undefined;
      const result = session ? approveDirectly(ctx, session, phone) : { ok: false };
      if (!result.ok)
        return problem(
          c,
          400,
          `The payment is ${payment.state} and can no longer be approved.`,
          [],
          'Cannot approve payment',
        );
      return new Response(null, { status: 200 });
    },
  );
}

/** What inspection shows of a payment: everything but the merchant's callbackAuthorizationToken. */
export function epaymentSnapshot(payment: EpaymentPayment) {
  const express = payment.express
    ? (() => {
        const { callbackAuthorizationToken, ...rest } = payment.express;
        return { ...rest, hasCallbackAuthorizationToken: callbackAuthorizationToken !== null };
      })()
    : null;
  return { ...payment, express, view: epaymentView(payment) };
}
