/** What every part of the emulator shares: config, clock, state, statistics and the two payment kinds. */
import type { Context } from 'hono';
import type { Clock } from './clock.js';
import type { VippsConfig } from './options.js';
import type { VippsState, EpaymentAmount } from './state.js';
import type { CallStats } from './stats.js';
import type { TokenStore } from './auth.js';

/** Hono environment of the API routes: the auth middleware puts the caller's sales unit here. */
export interface VippsEnv {
  Variables: { msn: string };
}

/** What the landing page and the phone show, whatever the API behind the payment. */
export interface UserView {
  merchantName: string;
  amount: EpaymentAmount;
  description: string;
  status: 'waiting' | 'authorized' | 'aborted' | 'expired' | 'cancelled';
  /** fallBack (eCom) or returnUrl (ePayment). */
  returnUrl: string | null;
  /** A line under the amount (express checkout: "Plus shipping…", what was reserved). */
  note?: string | null;
}

/** The user's actions, implemented by the eCom and ePayment modules. */
export interface PaymentParty {
  view(paymentId: string): UserView | undefined;
  /** The user confirmed in the app. */
  authorize(paymentId: string): void;
  /** The user rejected in the app or cancelled on the landing page. */
  abort(paymentId: string): void;
  /** The user did nothing in time. */
  expire(paymentId: string): void;
}

export interface VippsContext {
  config: VippsConfig;
  clock: Clock;
  state: VippsState;
  stats: CallStats;
  tokens: TokenStore;
  parties: { ecom: PaymentParty; epayment: PaymentParty };
}

/** `{publicUrl}{basePath}`: absolute base of the user-facing pages. */
export function publicBase(ctx: VippsContext, c: Context): string {
  const root = ctx.config.publicUrl ?? new URL(c.req.url).origin;
  return `${root}${ctx.config.basePath}`;
}

export function isoNow(ctx: VippsContext): string {
  return new Date(ctx.clock.now()).toISOString();
}
