/**
 * The user's side of a payment, shared by eCom and ePayment: landing page → push → phone (desktop),
 * or app switch → phone (mobile / isApp / NATIVE_REDIRECT). Owns the two Vipps timeouts:
 * `landingTimeoutMs` to leave the landing page, then `appTimeoutMs` to act in the app.
 */
import type { PaymentParty, UserView, VippsContext } from './context.js';
import { newUserToken } from './ids.js';
import type { UserSession } from './state.js';

export interface NewSession {
  kind: UserSession['kind'];
  paymentId: string;
  phoneNumber: string | null;
  forceApp: boolean;
  /** PUSH_MESSAGE / skipLandingPage: the push goes out at once, there is no landing step. */
  pushNow: boolean;
}

export function createSession(ctx: VippsContext, init: NewSession): UserSession {
  const now = ctx.clock.now();
  const session: UserSession = {
    token: newUserToken(),
    kind: init.kind,
    paymentId: init.paymentId,
    phoneNumber: init.phoneNumber,
    forceApp: init.forceApp,
    stage: init.pushNow ? 'pushed' : 'landing',
    flow: init.pushNow ? 'push' : null,
    createdAt: now,
    deadline: now + (init.pushNow ? ctx.state.scenario.appTimeoutMs : ctx.state.scenario.landingTimeoutMs),
    timer: null,
  };
  ctx.state.sessions.set(session.token, session);
  scheduleExpiry(ctx, session);
  return session;
}

function party(ctx: VippsContext, session: UserSession): PaymentParty {
  return ctx.parties[session.kind];
}

export function viewOf(ctx: VippsContext, session: UserSession): UserView | undefined {
  return party(ctx, session).view(session.paymentId);
}

function isWaiting(ctx: VippsContext, session: UserSession): boolean {
  return viewOf(ctx, session)?.status === 'waiting';
}

function scheduleExpiry(ctx: VippsContext, session: UserSession): void {
  if (session.timer) {
    ctx.clock.clearTimeout(session.timer);
    ctx.state.forgetTimer(session.timer);
  }
  const generation = ctx.state.generation;
  const handle = ctx.clock.setTimeout(() => {
    ctx.state.forgetTimer(handle);
    if (ctx.state.generation !== generation) return;
    // A later stage may have moved the deadline; only the current one counts.
    if (ctx.clock.now() >= session.deadline && isWaiting(ctx, session)) party(ctx, session).expire(session.paymentId);
  }, session.deadline - ctx.clock.now());
  session.timer = ctx.state.trackTimer(handle);
}

/** Expires the payment if its deadline has passed (for reads that race the timer). */
export function expireIfDue(ctx: VippsContext, session: UserSession): void {
  if (ctx.clock.now() >= session.deadline && isWaiting(ctx, session)) party(ctx, session).expire(session.paymentId);
}

export type ActionResult = { ok: true } | { ok: false; reason: 'not-waiting' | 'wrong-stage' };

/** Desktop landing page: the user gave a phone number and pressed "Next": push to the phone. */
export function sendPush(ctx: VippsContext, session: UserSession, phoneNumber: string): ActionResult {
  expireIfDue(ctx, session);
  if (!isWaiting(ctx, session)) return { ok: false, reason: 'not-waiting' };
  if (session.stage !== 'landing') return { ok: false, reason: 'wrong-stage' };
  session.phoneNumber = phoneNumber;
  session.stage = 'pushed';
  session.flow = 'push';
  session.deadline = ctx.clock.now() + ctx.state.scenario.appTimeoutMs;
  scheduleExpiry(ctx, session);
  return { ok: true };
}

/** Mobile: the landing URL switches straight to the app. */
export function openApp(ctx: VippsContext, session: UserSession): ActionResult {
  expireIfDue(ctx, session);
  if (!isWaiting(ctx, session)) return { ok: false, reason: 'not-waiting' };
  if (session.stage === 'landing') {
    session.stage = 'app';
    session.flow = 'app-switch';
    session.deadline = ctx.clock.now() + ctx.state.scenario.appTimeoutMs;
    scheduleExpiry(ctx, session);
  }
  return { ok: true };
}

/**
 * Confirm / reject in the app (the sandbox phone), or cancel on the landing page (`landing`) or
 * through a scenario control (`control`). The app only shows the payment after the push or the
 * app switch, so the phone cannot act before that.
 */
export function userDecides(
  ctx: VippsContext,
  session: UserSession,
  decision: 'confirm' | 'reject',
  from: 'phone' | 'landing' | 'control',
): ActionResult {
  expireIfDue(ctx, session);
  if (!isWaiting(ctx, session)) return { ok: false, reason: 'not-waiting' };
  if ((from === 'phone' || decision === 'confirm') && session.stage === 'landing')
    return { ok: false, reason: 'wrong-stage' };
  if (decision === 'confirm') party(ctx, session).authorize(session.paymentId);
  else party(ctx, session).abort(session.paymentId);
  return { ok: true };
}

/** Scenario control: let the payment time out now. */
export function expireNow(ctx: VippsContext, session: UserSession): ActionResult {
  if (!isWaiting(ctx, session)) return { ok: false, reason: 'not-waiting' };
  session.deadline = ctx.clock.now();
  party(ctx, session).expire(session.paymentId);
  return { ok: true };
}

/**
 * Scenario control: the user approves without touching the pages (like Vipps' force-approve
 * endpoints). Moves the user through the push first when needed.
 */
export function approveDirectly(ctx: VippsContext, session: UserSession, phoneNumber?: string): ActionResult {
  if (session.stage === 'landing') {
    const pushed = sendPush(ctx, session, phoneNumber ?? session.phoneNumber ?? '');
    if (!pushed.ok) return pushed;
  }
  return userDecides(ctx, session, 'confirm', 'control');
}
