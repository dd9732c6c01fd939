/**
 * The Mastercard Open Finance (Aiia Enterprise) payment-initiation API, under `/v1`:
 * providers, create payment, get/list payments and refresh-status. Every call is authenticated
 * with X-Client-ID / X-Client-Secret; X-Correlation-Id is validated and echoed.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { safeEqual } from '../shared/crypto.js';
import { decimalToMinor } from '../shared/money.js';
import {
  SANDBOX_BANKS,
  bankMismatch,
  findBank,
  type ExecutionType,
  type PaymentMethodName,
  type SandboxBank,
} from './catalogue.js';
import { baseUrlOf, type MastercardContext } from './context.js';
import {
  MastercardApiError,
  invalidInput,
  notFound,
  requiredMessage,
  toValidationErrors,
  unauthorized,
} from './errors.js';
import { mastercardFaultMiddleware } from './faults.js';
import type { StoredPayment } from './payments.js';
import { CorrelationId, CreatePaymentBody, ListPaymentsQuery } from './schemas.js';
import { paymentJson, providerGroupsJson, providerJson, providerPaymentMethodsJson } from './serialize.js';

type ApiEnv = { Variables: { clientId: string } };

const MAX_BODY_BYTES = 64 * 1024;

const MISMATCH_FIELDS = {
  paymentMethod: 'request.paymentMethod',
  currency: 'request.amount.currency',
  executionType: 'request.execution.type',
} as const;

export function createApiRoutes(ctx: MastercardContext): Hono<ApiEnv> {
  const api = new Hono<ApiEnv>();
  const catalogue = (c: Parameters<typeof baseUrlOf>[1]) => ({
    baseUrl: baseUrlOf(ctx, c),
    updated: ctx.catalogueUpdated,
  });
  const availabilityOf = (bank: SandboxBank) => ctx.runtime.availabilityOf(bank);

  api.onError((err, c) => {
    if (err instanceof MastercardApiError) return c.json(err.body, err.status, err.headers);
    console.error('[sandbox/mastercard] unexpected error', err);
    return c.json({ error: 'InternalServerError', details: { reason: 'Unexpected sandbox error' } }, 500);
  });

  // Correlation id first, so that every later answer (errors included) carries it back.
  api.use('*', async (c, next) => {
    const header = c.req.header('X-Correlation-Id');
    if (header !== undefined) {
      const parsed = CorrelationId.safeParse(header);
      if (!parsed.success) {
        throw invalidInput('Invalid X-Correlation-Id header', {
          'X-Correlation-Id': parsed.error.issues.map((i) => i.message),
        });
      }
    }
    await next();
    if (header !== undefined) c.header('X-Correlation-Id', header);
    c.header('Cache-Control', 'no-store');
  });

  api.use('*', async (c, next) => {
    const clientId = c.req.header('X-Client-ID');
    const clientSecret = c.req.header('X-Client-Secret');
    if (!clientId || !clientSecret) throw unauthorized('Missing X-Client-ID or X-Client-Secret header');
    // Check every client, without stopping early, so timing does not reveal which part matched.
    let matched: string | null = null;
    for (const client of ctx.clients) {
      const idOk = safeEqual(clientId, client.clientId);
      const secretOk = safeEqual(clientSecret, client.clientSecret);
      if (idOk && secretOk) matched = client.clientId;
    }
    if (!matched) throw unauthorized('Invalid client credentials');
    c.set('clientId', matched);
    await next();
  });

  // Sandbox scenario knobs: latency and injected faults, applied to authenticated API calls.
  api.use('*', mastercardFaultMiddleware(ctx));

  api.get('/providers', (c) =>
    c.json(SANDBOX_BANKS.map((bank) => providerJson(bank, availabilityOf(bank), catalogue(c)))),
  );

  api.get('/providers/groups', (c) => c.json(providerGroupsJson(SANDBOX_BANKS, availabilityOf, catalogue(c))));

  api.get('/providers/:providerId', (c) => {
    const bank = requireBank(c.req.param('providerId'));
    return c.json(providerJson(bank, availabilityOf(bank), catalogue(c)));
  });

  api.get('/providers/:providerId/payment-methods', (c) =>
    c.json(providerPaymentMethodsJson(requireBank(c.req.param('providerId')))),
  );

  api.post(
    '/payments/create',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new MastercardApiError(413, {
          error: 'PayloadTooLarge',
          details: { reason: `The request body must be at most ${MAX_BODY_BYTES} bytes` },
        });
      },
    }),
    async (c) => {
      const contentType = c.req.header('Content-Type') ?? '';
      if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
        throw new MastercardApiError(415, {
          error: 'UnsupportedMediaType',
          details: { reason: 'Content-Type must be application/json' },
        });
      }
      let raw: unknown;
      try {
        raw = JSON.parse(await c.req.text());
      } catch {
        throw invalidInput('The request body is not valid JSON', { '(body)': ['must be a JSON object'] });
      }
      const parsed = CreatePaymentBody.safeParse(raw, { error: requiredMessage });
      if (!parsed.success) throw invalidInput('The request is not valid', toValidationErrors(parsed.error));
      const payment = createPayment(ctx, c.get('clientId'), parsed.data);
      const base = baseUrlOf(ctx, c);
      const redirectUrl =
        `${base}/auth/start/payment?startToken=${encodeURIComponent(payment.startToken)}` +
        `&paymentId=${encodeURIComponent(payment.paymentId)}`;
      return c.json({ redirectUrl, paymentId: payment.paymentId, sessionId: payment.sessionId });
    },
  );

  api.get('/payments', (c) => {
    const parsed = ListPaymentsQuery.safeParse(c.req.query(), { error: requiredMessage });
    if (!parsed.success) throw invalidInput('Invalid query parameters', toValidationErrors(parsed.error));
    const from = new Date(parsed.data.from);
    const to = new Date(parsed.data.to);
    if (from > to) throw invalidInput('Invalid query parameters', { to: ['must not be before from'] });
    const offset = parsed.data.pagingToken ? decodePagingToken(parsed.data.pagingToken, parsed.data) : 0;
    const matching = ctx.store
      .list()
      .filter((p) => p.clientId === c.get('clientId') && p.created >= from && p.created <= to);
    const page = matching.slice(offset, offset + ctx.listPageSize);
    const next = offset + page.length;
    return c.json({
      payments: page.map(paymentJson),
      pagingToken: next < matching.length ? encodePagingToken(next, parsed.data) : null,
    });
  });

  api.get('/payments/:paymentId', (c) =>
    c.json({ payment: paymentJson(requirePayment(c.req.param('paymentId'), c.get('clientId'))) }),
  );

  // The bank is "asked" here; in the sandbox the bank's answer depends only on time (slow bank).
  api.post('/payments/:paymentId/refresh-status', (c) =>
    c.json({ payment: paymentJson(requirePayment(c.req.param('paymentId'), c.get('clientId'))) }),
  );

  return api;

  function requireBank(id: string): SandboxBank {
    const bank = findBank(id);
    if (!bank) throw notFound('ProviderNotFound', 'No provider with this id');
    return bank;
  }

  function requirePayment(id: string, clientId: string): StoredPayment {
    const payment = ctx.store.get(id);
    // Another client's payment is as invisible as one that does not exist.
    if (!payment || payment.clientId !== clientId) throw notFound('PaymentNotFound', 'No payment with this id');
    return payment;
  }
}

/** Business rules of POST /v1/payments/create on top of the schema: methods, currencies, banks, dates. */
function createPayment(ctx: MastercardContext, clientId: string, body: CreatePaymentBody): StoredPayment {
  const { request } = body;
  if (body.payerToken) {
    throw invalidInput('Payer tokens are not supported by the sandbox', {
      payerToken: ['session payments with a payer token are not supported by the sandbox'],
    });
  }
  const method: PaymentMethodName = request.paymentMethod ?? 'Domestic';
  const executionType: ExecutionType = request.execution?.type ?? 'Normal';
  const currency = request.amount.currency;

  if (method === 'SEPA') {
    if (currency !== 'EUR') {
      throw invalidInput('SEPA payments must be in EUR', {
        'request.amount.currency': ['must be EUR for SEPA payments'],
      });
    }
    if (!request.destination.iban) {
      throw invalidInput('SEPA payments need an IBAN destination', {
        'request.destination.iban': ['is required for SEPA payments'],
      });
    }
  }
  if (request.execution?.date) {
    const today = ctx.clock().toISOString().slice(0, 10);
    if (request.execution.date < today) {
      throw invalidInput('The execution date is in the past', {
        'request.execution.date': ['must not be in the past'],
      });
    }
  }

  if (body.providerId) {
    const bank = findBank(body.providerId);
    if (!bank) throw invalidInput(`Unknown provider '${body.providerId}'`, { providerId: ['is not a known provider'] });
    const availability = ctx.runtime.availabilityOf(bank);
    if (!availability.available) {
      throw new MastercardApiError(400, {
        error: 'ProviderUnavailable',
        details: {
          reason: `${bank.id} is unavailable: ${availability.message ?? 'try again later'}`,
          providerId: bank.id,
        },
      });
    }
    const mismatch = bankMismatch(bank, method, currency, executionType);
    if (mismatch) throw invalidInput(mismatch.message, { [MISMATCH_FIELDS[mismatch.field]]: [mismatch.message] });
  } else if (!SANDBOX_BANKS.some((bank) => bankMismatch(bank, method, currency, executionType) === null)) {
    const field = method === 'Domestic' || method === 'SEPA' ? 'request.amount.currency' : 'request.paymentMethod';
    const message = `no provider takes ${method} payments in ${currency} with ${executionType} execution`;
    throw invalidInput(`No provider can take this payment: ${message}`, { [field]: [message] });
  }

  return ctx.store.create({
    clientId,
    userHash: body.userHash,
    redirectUrl: body.redirectUrl,
    providerId: body.providerId ?? null,
    request,
    paymentMethod: method,
    amountMinor: decimalToMinor(request.amount.value),
    executionType,
  });
}

interface PagingWindow {
  from: string;
  to: string;
}

function encodePagingToken(offset: number, window: PagingWindow): string {
  return Buffer.from(JSON.stringify({ o: offset, f: window.from, t: window.to })).toString('base64url');
}

/** Paging tokens are opaque to clients and only valid for the same from/to window. */
function decodePagingToken(token: string, window: PagingWindow): number {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      o?: unknown;
      f?: unknown;
      t?: unknown;
    };
    if (
      Number.isInteger(decoded.o) &&
      (decoded.o as number) >= 0 &&
      decoded.f === window.from &&
      decoded.t === window.to
    ) {
      return decoded.o as number;
    }
  } catch {
    // fall through to the error below
  }
  throw invalidInput('Invalid paging token', { pagingToken: ['is not valid for this from/to window'] });
}
