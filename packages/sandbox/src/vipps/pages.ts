/**
 * The user-facing pages: the Vipps landing page (desktop: phone number → push → countdown → back to
 * the merchant; mobile / isApp / NATIVE_REDIRECT: straight to the app) and the sandbox phone that
 * stands in for the Vipps app. Routes are relative to the sub-app (mounted at `mountPath`).
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { UserView, VippsContext, VippsEnv } from './context.js';
import { expireIfDue, openApp, sendPush, userDecides, viewOf } from './flows.js';
import {
  landingFormPage,
  landingWaitingPage,
  notFoundPage,
  phoneInboxPage,
  phonePaymentPage,
  resultPage,
  type WaitInit,
} from './page-templates.js';
import {
  confirmExpressFromForm,
  expressPaymentOf,
  expressPhonePage,
  registerExpressPhoneRoutes,
} from './express-pages.js';
import { VIPPS_WAITING_SCRIPT } from './page-script.js';
import { VIPPS_FAVICON_SVG, VIPPS_PAGE_CSS } from './page-styles.js';
import { exampleMobileNumber, formatPhoneForDisplay, parseMobileNumber } from './phone.js';
import type { UserSession } from './state.js';

/** Phones and tablets get the app switch, as Vipps' landing page does. */
const MOBILE_USER_AGENT = /iPhone|iPad|iPod|Android|Mobile/i;

/** Strict CSP: styles only from our stylesheet, never framed, and no script at all… */
const STATIC_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";
/** …except on the waiting pages: our one script, which may ask our status endpoint. */
const WAITING_CSP = `${STATIC_CSP}; script-src 'self'; connect-src 'self'`;

const PAGE_HEADERS = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** `GET {basePath}/landing/status?token=…`: what a waiting page needs to know to move on. */
export interface LandingStatus {
  status: UserView['status'];
  stage: UserSession['stage'];
  /** Until the current deadline (landing page, then the app). */
  timeLeftMs: number;
}

const TokenForm = z.object({ token: z.string().min(1).max(100) });
const PushForm = TokenForm.extend({ phoneNumber: z.string().max(40) });

export function registerPageRoutes(app: Hono<VippsEnv>, ctx: VippsContext): void {
  const { basePath } = ctx.config;
  const pollIntervalMs = ctx.config.timing.pageRefreshSeconds * 1000;

  const page = async (
    c: Context,
    markup: ReturnType<typeof landingFormPage>,
    status = 200,
    csp: string = STATIC_CSP,
  ) => {
    const body = await markup;
    return c.html(body, status as 200, { ...PAGE_HEADERS, 'content-security-policy': csp });
  };
  const redirect = (location: string) =>
    new Response(null, {
      status: 303,
      headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
    });
  const landingUrl = (token: string) => `${basePath}/landing?token=${encodeURIComponent(token)}`;
  const phoneUrl = (token: string) => `${basePath}/sandbox-phone/${encodeURIComponent(token)}`;
  const currencyOf = (session: UserSession) => viewOf(ctx, session)?.amount.currency ?? 'NOK';
  const waitFor = (token: string, waitFor: WaitInit['waitFor'], nextUrl: string): WaitInit => ({
    statusUrl: `${basePath}/landing/status?token=${encodeURIComponent(token)}`,
    nextUrl,
    waitFor,
    intervalMs: pollIntervalMs,
  });

  const sessionFor = (token: string | undefined): UserSession | undefined => {
    const session = token ? ctx.state.sessions.get(token) : undefined;
    if (session) expireIfDue(ctx, session);
    return session;
  };

  const landing = (c: Context) => {
    const session = sessionFor(c.req.query('token'));
    const view = session && viewOf(ctx, session);
    if (!session || !view) return page(c, notFoundPage(basePath), 404);
    if (view.status !== 'waiting') {
      return view.returnUrl !== null
        ? redirect(view.returnUrl)
        : page(c, resultPage({ basePath, view, phone: false, returnUrl: null }));
    }
    const mobile = MOBILE_USER_AGENT.test(c.req.header('user-agent') ?? '');
    if (session.stage === 'app' || (session.stage === 'landing' && (mobile || session.forceApp))) {
      openApp(ctx, session);
      return redirect(phoneUrl(session.token));
    }
    const timeLeftMs = session.deadline - ctx.clock.now();
    if (session.stage === 'landing') {
      return page(
        c,
        landingFormPage({
          basePath,
          token: session.token,
          view,
          phoneNumber: session.phoneNumber ?? '',
          error: null,
          timeLeftMs,
        }),
      );
    }
    const phone = parseMobileNumber(session.phoneNumber ?? '', view.amount.currency);
    const phoneDisplay = phone ? formatPhoneForDisplay(phone) : 'your phone';
    return page(
      c,
      landingWaitingPage({
        basePath,
        token: session.token,
        view,
        phoneDisplay,
        timeLeftMs,
        wait: waitFor(session.token, 'decision', landingUrl(session.token)),
      }),
      200,
      WAITING_CSP,
    );
  };

  // eCom hands out a URL shaped like Vipps' deeplink; ePayment one like landing.vipps.no. Same page.
  app.get('/dwo-api-application/v1/deeplink/vippsgateway', landing);
  app.get('/landing', landing);

  // What the waiting pages poll (page-script.ts): only the user-side state, never payment details.
  app.get('/landing/status', (c) => {
    const session = sessionFor(c.req.query('token'));
    const view = session && viewOf(ctx, session);
    const headers = { ...PAGE_HEADERS, 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" };
    if (!session || !view) return c.json({ error: 'not_found' }, 404, headers);
    const status: LandingStatus = {
      status: view.status,
      stage: session.stage,
      timeLeftMs: Math.max(0, session.deadline - ctx.clock.now()),
    };
    return c.json(status, 200, headers);
  });

  app.post('/landing/next', async (c) => {
    const form = PushForm.safeParse(await c.req.parseBody());
    const session = form.success ? sessionFor(form.data.token) : undefined;
    const view = session && viewOf(ctx, session);
    if (!form.success || !session || !view) return page(c, notFoundPage(basePath), 404);
    if (view.status !== 'waiting' || session.stage !== 'landing') return redirect(landingUrl(session.token));
    const currency = currencyOf(session);
    const phone = parseMobileNumber(form.data.phoneNumber, currency);
    if (!phone) {
      const error = `Enter a valid mobile number, for example ${exampleMobileNumber(currency)}.`;
      const timeLeftMs = session.deadline - ctx.clock.now();
      return page(
        c,
        landingFormPage({
          basePath,
          token: session.token,
          view,
          phoneNumber: form.data.phoneNumber,
          error,
          timeLeftMs,
        }),
        422,
      );
    }
    sendPush(ctx, session, phone.national);
    return redirect(landingUrl(session.token));
  });

  app.post('/landing/cancel', async (c) => {
    const form = TokenForm.safeParse(await c.req.parseBody());
    const session = form.success ? sessionFor(form.data.token) : undefined;
    if (!session) return page(c, notFoundPage(basePath), 404);
    userDecides(ctx, session, 'reject', 'landing');
    return redirect(landingUrl(session.token));
  });

  app.get('/sandbox-phone/:token', (c) => {
    const session = sessionFor(c.req.param('token'));
    const view = session && viewOf(ctx, session);
    if (!session || !view) return page(c, notFoundPage(basePath), 404);
    if (view.status !== 'waiting') {
      const returnUrl = session.flow === 'app-switch' ? view.returnUrl : null;
      return page(c, resultPage({ basePath, view, phone: true, returnUrl }));
    }
    if (session.stage === 'landing') {
      const wait = waitFor(session.token, 'push', phoneUrl(session.token));
      return page(c, phoneInboxPage({ basePath, wait }), 200, WAITING_CSP);
    }
    const express = expressPaymentOf(ctx, session);
    if (express) return page(c, expressPhonePage(ctx, session, express, view));
    return page(
      c,
      phonePaymentPage({ basePath, token: session.token, view, timeLeftMs: session.deadline - ctx.clock.now() }),
    );
  });

  /** After a decision in the app: back to the phone page, or after an app switch back to the store. */
  const back = (session: UserSession, decided: boolean) => {
    const view = viewOf(ctx, session);
    // After an app switch the app sends the user back to the merchant; after a push the user is
    // already on the merchant's page in the desktop browser.
    if (decided && session.flow === 'app-switch' && view?.returnUrl) return redirect(view.returnUrl);
    return redirect(phoneUrl(session.token));
  };
  const decide = (decision: 'confirm' | 'reject') => async (c: Context) => {
    const session = sessionFor(c.req.param('token'));
    if (!session) return page(c, notFoundPage(basePath), 404);
    const express = expressPaymentOf(ctx, session);
    const result =
      express && decision === 'confirm'
        ? await confirmExpressFromForm(ctx, c, session, express)
        : userDecides(ctx, session, decision, 'phone');
    return back(session, result.ok);
  };
  app.post('/sandbox-phone/:token/confirm', decide('confirm'));
  app.post('/sandbox-phone/:token/reject', decide('reject'));
  registerExpressPhoneRoutes(app, ctx, {
    sessionFor,
    notFound: (c) => page(c, notFoundPage(basePath), 404),
    back,
  });

  const asset = (body: string, contentType: string) => () =>
    new Response(body, {
      headers: {
        'content-type': contentType,
        'cache-control': 'public, max-age=300',
        'x-content-type-options': 'nosniff',
      },
    });
  app.get('/assets/favicon.svg', asset(VIPPS_FAVICON_SVG, 'image/svg+xml'));
  app.get('/assets/sandbox.css', asset(VIPPS_PAGE_CSS, 'text/css; charset=utf-8'));
  app.get('/assets/waiting.js', asset(VIPPS_WAITING_SCRIPT, 'text/javascript; charset=utf-8'));
}
