/** What the API routes, hosted pages and controls of one Mastercard sandbox share. */
import type { Context } from 'hono';
import type { Clock } from '../shared/clock.js';
import type { PaymentStore } from './payments.js';
import type { MastercardRuntime } from './runtime.js';

export interface MastercardClient {
  clientId: string;
  clientSecret: string;
}

export interface MastercardContext {
  readonly store: PaymentStore;
  readonly runtime: MastercardRuntime;
  readonly clock: Clock;
  readonly clients: readonly MastercardClient[];
  /** Public origin (+ optional path) of the whole sandbox, or null to use the request's origin. */
  readonly publicUrl: string | null;
  /** Where the Mastercard sub-app is mounted, e.g. `/mastercard`. */
  readonly mountPath: string;
  readonly listPageSize: number;
  /** When the catalogue was "synced" (status.updated of every provider). */
  readonly catalogueUpdated: Date;
}

/** `{publicUrl}{mountPath}`: the base every absolute URL the Mastercard emulator hands out starts with. */
export function baseUrlOf(ctx: MastercardContext, c: Context): string {
  const publicUrl = ctx.publicUrl ?? new URL(c.req.url).origin;
  return `${publicUrl}${ctx.mountPath}`;
}
