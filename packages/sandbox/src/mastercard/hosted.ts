/**
 * The hosted authorisation UI the API's redirectUrl points at: choose bank (when the integrator did
 * not) → log in at the bank (stands in for SCA) → choose account and confirm or reject → 303 back
 * to the integrator's redirectUrl with `paymentId` added. Plain POST forms, each carrying the
 * payment's own token, so one payment's page can never act on another; the account step also needs
 * the bank session that its login minted. Also serves the logos.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { safeEqual } from '../shared/crypto.js';
import { appendQueryParam } from '../shared/url.js';
import { SANDBOX_BANKS, accountsAt, bankMismatch, findBank, type SandboxBank } from './catalogue.js';
import { baseUrlOf, type MastercardContext } from './context.js';
import { FAVICON_SVG, HOSTED_CSS } from './hosted-styles.js';
import {
  accountPage,
  bankChoicePage,
  loginPage,
  messagePage,
  resultPage,
  type BankOption,
  type PageUrls,
} from './hosted-views.js';
import { logoPng, logoSvg } from './logos.js';
import { TransitionError, isTerminalCode, type PaymentCode, type StoredPayment } from './payments.js';

const STYLESHEET_PATH = '/auth/static/hosted.css';
const FAVICON_PATH = '/auth/static/favicon.svg';

const StartQuery = z.object({
  startToken: z.string().min(1).max(200),
  paymentId: z.string().min(1).max(100),
  q: z.string().max(100).optional(),
});

const TokenForm = z.object({ token: z.string().min(1).max(200) });
const BankForm = z.object({ providerId: z.string().max(100).optional() });
const LoginForm = z.object({ userId: z.string().max(200).optional(), otp: z.string().max(200).optional() });
const ConfirmForm = z.object({ accountId: z.string().max(100).optional() });
const BankSessionForm = z.object({ bankSession: z.string().max(200).optional() });
const AccountsQuery = z.object({ bankSession: z.string().min(1).max(200) });

const ACTIONS = ['bank', 'login', 'confirm', 'reject', 'cancel'] as const;
type Action = (typeof ACTIONS)[number];
/** c.html answers with a promise when the template has async parts; ours never do, but the type says so. */
type PageResponse = Response | Promise<Response>;

export function createHostedRoutes(ctx: MastercardContext): Hono {
  const hosted = new Hono();

  hosted.get(STYLESHEET_PATH, (c) =>
    c.body(HOSTED_CSS, 200, {
      'Content-Type': 'text/css; charset=utf-8',
      'Cache-Control': 'public, max-age=300',
      'X-Content-Type-Options': 'nosniff',
    }),
  );

  hosted.get(FAVICON_PATH, (c) =>
    c.body(FAVICON_SVG, 200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'public, max-age=86400' }),
  );

  hosted.get('/logos/:file{[A-Za-z0-9_]+\\.(svg|png)}', (c) => logoResponse(c, c.req.param('file'), false));
  hosted.get('/logos/round/:file{[A-Za-z0-9_]+\\.png}', (c) => logoResponse(c, c.req.param('file'), true));

  hosted.get('/auth/start/payment', (c) => {
    const parsed = StartQuery.safeParse(c.req.query());
    const payment = parsed.success ? ctx.store.get(parsed.data.paymentId) : undefined;
    // Same answer for "no such payment" and "wrong token": the link is simply not valid.
    if (!parsed.success || !payment || !safeEqual(parsed.data.startToken, payment.startToken)) {
      return page(c, null, 404, invalidLinkPage(c));
    }
    ctx.store.openWithPreselectedBank(payment);
    return renderStep(c, payment, { query: parsed.data.q?.trim() ?? '' });
  });

  // The account step, reached right after a login: the bank session in the URL is the proof of it.
  hosted.get('/auth/payment/:paymentId/accounts', (c) => {
    const payment = ctx.store.get(c.req.param('paymentId'));
    const session = AccountsQuery.safeParse(c.req.query()).data?.bankSession;
    if (payment && (isTerminalCode(payment.code) || payment.code === 'Pending')) {
      return page(c, payment, 200, resultPage({ payment, urls: urlsFor(c, payment) }));
    }
    if (!payment || !session || !payment.bankSession || !safeEqual(session, payment.bankSession)) {
      return page(c, null, 404, invalidLinkPage(c));
    }
    return renderAccounts(c, payment, 200, null);
  });

  hosted.post('/auth/payment/:paymentId/:action', async (c) => {
    const action = c.req.param('action') as Action;
    if (!ACTIONS.includes(action)) return page(c, null, 404, invalidLinkPage(c));
    const form = await c.req.parseBody();
    const tokenField = TokenForm.safeParse(form);
    const payment = ctx.store.get(c.req.param('paymentId'));
    if (!payment) return page(c, null, 404, invalidLinkPage(c));
    if (!tokenField.success || !safeEqual(tokenField.data.token, payment.startToken)) {
      return page(
        c,
        null,
        403,
        messagePage({
          assets: urlsFor(c, payment),
          heading: 'This form belongs to another payment',
          text: 'The page you submitted was not issued for this payment. Nothing has been changed.',
        }),
      );
    }
    try {
      return handleAction(c, payment, action, form);
    } catch (error) {
      if (error instanceof TransitionError) return stepAlreadyDone(c, payment, error.message);
      throw error;
    }
  });

  return hosted;

  function handleAction(
    c: Context,
    payment: StoredPayment,
    action: Action,
    form: Record<string, unknown>,
  ): PageResponse {
    const urls = urlsFor(c, payment);
    switch (action) {
      case 'bank': {
        requireStep(payment, ['Preparing'], 'The bank has already been chosen');
        const providerId = BankForm.safeParse(form).data?.providerId ?? '';
        const bank = findBank(providerId);
        const option = bank ? bankOptionsFor(payment, '').find((o) => o.bank.id === bank.id) : undefined;
        if (!option) return renderStep(c, payment, { status: 400, bankError: 'Choose one of the banks listed.' });
        if (!option.available) {
          return renderStep(c, payment, {
            status: 400,
            bankError: `${option.bank.name} is temporarily unavailable. Choose another bank.`,
          });
        }
        ctx.store.chooseBank(payment, option.bank);
        return c.redirect(urls.resume, 303);
      }
      case 'login': {
        requireStep(payment, ['ReadyForAuthorize', 'Authorizing'], 'The payment is not waiting for a bank login');
        const fields = LoginForm.safeParse(form).data ?? {};
        const userId = fields.userId?.trim() ?? '';
        const otp = fields.otp?.trim() ?? '';
        if (!userId || !otp) {
          return renderStep(c, payment, {
            status: 400,
            loginErrors: {
              ...(userId ? {} : { userId: 'Enter your user ID.' }),
              ...(otp ? {} : { otp: 'Enter the one-time code.' }),
            },
            loginValues: { userId },
          });
        }
        ctx.store.logIn(payment);
        return c.redirect(urlsFor(c, payment).accounts, 303);
      }
      case 'confirm': {
        requireStep(payment, ['Authorizing'], 'The payment cannot be confirmed now');
        if (!hasBankSession(payment, form)) return bankSessionEnded(c, payment);
        const bank = bankOf(payment);
        const accountId = ConfirmForm.safeParse(form).data?.accountId ?? '';
        const account = accountsAt(bank).find((a) => a.id === accountId);
        if (!account) return renderAccounts(c, payment, 400, 'Choose the account to pay from.');
        ctx.store.confirm(payment, bank, account);
        return c.redirect(urls.merchantReturn, 303);
      }
      case 'reject':
        requireStep(payment, ['Authorizing'], 'The payment cannot be rejected now');
        if (!hasBankSession(payment, form)) return bankSessionEnded(c, payment);
        ctx.store.reject(payment);
        return c.redirect(urls.merchantReturn, 303);
      case 'cancel':
        ctx.store.cancel(payment);
        return c.redirect(urls.merchantReturn, 303);
    }
  }

  function renderStep(
    c: Context,
    payment: StoredPayment,
    opts: {
      status?: 200 | 400;
      query?: string;
      bankError?: string;
      loginErrors?: { userId?: string; otp?: string };
      loginValues?: { userId: string };
    },
  ): PageResponse {
    const urls = urlsFor(c, payment);
    const status = opts.status ?? 200;
    switch (payment.code) {
      case 'Preparing': {
        const query = opts.query ?? '';
        const options = bankOptionsFor(payment, query);
        return page(
          c,
          payment,
          status,
          bankChoicePage({ payment, urls, options, query, error: opts.bankError ?? null }),
        );
      }
      // Coming back through the start link after a login means logging in again (SCA), as at a real bank.
      case 'ReadyForAuthorize':
      case 'Authorizing':
        return page(
          c,
          payment,
          status,
          loginPage({
            payment,
            bank: bankOf(payment),
            urls,
            errors: opts.loginErrors ?? {},
            values: opts.loginValues ?? { userId: '' },
          }),
        );
      default:
        return page(c, payment, status, resultPage({ payment, urls }));
    }
  }

  function renderAccounts(c: Context, payment: StoredPayment, status: 200 | 400, error: string | null): PageResponse {
    const bank = bankOf(payment);
    const accounts = accountsAt(bank);
    const preferred = accounts.find((a) => a.id === payment.request.sourceAccountId) ?? accounts[0]!;
    return page(
      c,
      payment,
      status,
      accountPage({ payment, bank, urls: urlsFor(c, payment), accounts, selected: error ? null : preferred.id, error }),
    );
  }

  function hasBankSession(payment: StoredPayment, form: Record<string, unknown>): boolean {
    const session = BankSessionForm.safeParse(form).data?.bankSession;
    return Boolean(session && payment.bankSession && safeEqual(session, payment.bankSession));
  }

  function bankSessionEnded(c: Context, payment: StoredPayment): PageResponse {
    const urls = urlsFor(c, payment);
    return page(
      c,
      payment,
      403,
      messagePage({
        assets: urls,
        heading: 'Your bank session has ended',
        text: 'This page is from an earlier login at your bank. Log in again to continue. Nothing has been changed.',
        link: { href: urls.resume, label: 'Log in again', testId: 'resume' },
      }),
    );
  }

  function stepAlreadyDone(c: Context, payment: StoredPayment, message: string): PageResponse {
    const urls = urlsFor(c, payment);
    const final = isTerminalCode(payment.code) || payment.code === 'Pending';
    return page(
      c,
      payment,
      409,
      messagePage({
        assets: urls,
        heading: final ? 'This payment is already decided' : 'This step is already done',
        text: `${message}. Nothing has been changed.`,
        link: final
          ? { href: urls.merchantReturn, label: 'Return to merchant', testId: 'return-to-merchant' }
          : { href: urls.resume, label: 'Continue', testId: 'resume' },
      }),
    );
  }

  /** Banks the shopper may pick for this payment (method, currency, execution type), unavailable ones included. */
  function bankOptionsFor(payment: StoredPayment, query: string): BankOption[] {
    const needle = fold(query);
    return SANDBOX_BANKS.filter(
      (bank) => bankMismatch(bank, payment.paymentMethod, payment.currency, payment.executionType) === null,
    )
      .filter((bank) => !needle || [bank.name, bank.id, ...(bank.aliases ?? [])].some((s) => fold(s).includes(needle)))
      .sort((a, b) => b.priority - a.priority)
      .map((bank) => ({ bank, ...ctx.runtime.availabilityOf(bank) }));
  }

  function bankOf(payment: StoredPayment): SandboxBank {
    const bank = payment.providerId ? findBank(payment.providerId) : undefined;
    if (!bank) throw new Error(`payment ${payment.paymentId} has no known bank in status ${payment.code}`);
    return bank;
  }

  function urlsFor(c: Context, payment: StoredPayment | null): PageUrls {
    const base = baseUrlOf(ctx, c);
    const start = `${base}/auth/start/payment`;
    return {
      stylesheet: `${base}${STYLESHEET_PATH}`,
      favicon: `${base}${FAVICON_PATH}`,
      logo: (bank) => `${base}/logos/${bank.id}.svg`,
      action: (action) => `${base}/auth/payment/${encodeURIComponent(payment?.paymentId ?? '')}/${action}`,
      start,
      resume: payment
        ? `${start}?startToken=${encodeURIComponent(payment.startToken)}&paymentId=${encodeURIComponent(payment.paymentId)}`
        : start,
      accounts:
        payment?.bankSession != null
          ? `${base}/auth/payment/${encodeURIComponent(payment.paymentId)}/accounts?bankSession=${encodeURIComponent(payment.bankSession)}`
          : start,
      bankSession: payment?.bankSession ?? '',
      merchantReturn: payment ? appendQueryParam(payment.redirectUrl, 'paymentId', payment.paymentId) : '',
    };
  }

  function invalidLinkPage(c: Context) {
    return messagePage({
      assets: urlsFor(c, null),
      heading: 'This payment link is not valid',
      text: 'The link is incomplete, has expired or does not belong to a payment. Go back to the shop and start the payment again.',
    });
  }

  /** Strict headers: own stylesheet and images only, forms may go to us and to the integrator (303 target). */
  function page(
    c: Context,
    payment: StoredPayment | null,
    status: 200 | 400 | 403 | 404 | 409,
    body: ReturnType<typeof messagePage>,
  ) {
    const publicOrigin = new URL(baseUrlOf(ctx, c)).origin;
    const formTargets = new Set(["'self'", publicOrigin]);
    if (payment) formTargets.add(new URL(payment.redirectUrl).origin);
    c.header(
      'Content-Security-Policy',
      [
        "default-src 'none'",
        `style-src 'self' ${publicOrigin}`,
        `img-src 'self' ${publicOrigin}`,
        `form-action ${[...formTargets].join(' ')}`,
        "base-uri 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
    c.header('X-Frame-Options', 'DENY');
    c.header('X-Content-Type-Options', 'nosniff');
    // The start token is in the URL: never send it onwards as a Referer.
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-store');
    return c.html(body, status);
  }

  function logoResponse(c: Context, file: string, round: boolean): PageResponse {
    const dot = file.lastIndexOf('.');
    const bank = findBank(file.slice(0, dot));
    if (!bank) return c.notFound();
    const headers = { 'Cache-Control': 'public, max-age=86400', 'X-Content-Type-Options': 'nosniff' };
    if (file.endsWith('.svg')) {
      return c.body(logoSvg(bank), 200, { ...headers, 'Content-Type': 'image/svg+xml' });
    }
    return c.body(new Uint8Array(logoPng(bank, round)), 200, { ...headers, 'Content-Type': 'image/png' });
  }
}

/** Form checks come after this, so a stale form never re-renders a step the payment has left. */
function requireStep(payment: StoredPayment, codes: PaymentCode[], message: string): void {
  if (isTerminalCode(payment.code)) throw new TransitionError(payment, 'The payment is already final');
  if (!codes.includes(payment.code)) throw new TransitionError(payment, message);
}

/** Case- and accent-insensitive search ("skargard" finds "Skärgårdsbanken"). */
function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .trim();
}
