/** What the eCom and ePayment adapters share: their context, their extra surface and small helpers. */
import { z } from 'zod';
import type { Logger } from '../../log.js';
import type { ProviderAdapter } from '../adapter.js';
import { ProviderError } from '../../errors.js';
import type { VippsConfig } from './config.js';
import type { PollingPolicy } from './polling.js';

/** 5 minutes on the landing page + 5 in the app: after that Vipps gives up on the user. */
/** The start options the Vipps method takes (opaque to the core, validated here). */
const VippsStartOptions = z.object({
  /** Pre-fills the landing page (a Norwegian mobile number; the protocol checked its format). */
  phoneNumber: z.string().max(20).optional(),
  /** The shopper is on a phone: app switch instead of the landing page. */
  mobile: z.boolean().optional(),
});

export function vippsStartOptions(options: Readonly<Record<string, unknown>>): {
  phoneNumber: string | null;
  mobile: boolean;
} {
  const parsed = VippsStartOptions.safeParse(options);
  if (!parsed.success) throw new ProviderError('invalid_request', 'Invalid Vipps start options (phoneNumber, mobile).');
  return { phoneNumber: parsed.data.phoneNumber ?? null, mobile: parsed.data.mobile ?? false };
}

export const PAYMENT_EXPIRY_MS = 10 * 60_000;

/** Largest callback / webhook body we read (Vipps' are well under 2 KB). */
export const MAX_CALLBACK_BODY_BYTES = 64 * 1024;

export interface VippsAdapterContext {
  config: VippsConfig;
  /** This server's public base URL (callbacks and webhooks point at it). */
  publicUrl: string;
  logger: Logger;
  now: () => Date;
  pollingPolicy: PollingPolicy;
}

/** A Vipps adapter: the common interface plus the polling guidance (and, for ePayment, the webhook set-up). */
export interface VippsAdapter extends ProviderAdapter {
  readonly pollingPolicy: PollingPolicy;
  /**
   * ePayment: make sure our webhook is registered and its secret known (register or re-register).
   * Runs by itself before the first payment; call it at start-up to have webhooks verified from the
   * first one. Resolves to whether webhooks can be verified.
   */
  ensureWebhook?(): Promise<boolean>;
}

/** The exact body text of a callback, as JSON (invalid_request when it is not). */
export async function readCallbackBody(request: Request): Promise<unknown> {
  let text: string;
  try {
    text = await request.text();
  } catch {
    throw new ProviderError('invalid_request', 'The callback body could not be read.');
  }
  return parseCallbackJson(text);
}

export function parseCallbackJson(text: string): unknown {
  if (Buffer.byteLength(text, 'utf8') > MAX_CALLBACK_BODY_BYTES) {
    throw new ProviderError('invalid_request', 'The callback body is too large.');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProviderError('invalid_request', 'The callback body is not JSON.');
  }
}

/**
 * Only a URL the shopper can be sent to: the landing page (https; http in a sandbox) or, for the
 * app-switch flows (eCom isApp, ePayment NATIVE_REDIRECT), an app deeplink. Never script URLs.
 */
export function assertRedirectUrl(url: string, appSwitch: boolean): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ProviderError('provider_error', 'Vipps sent an invalid payment URL.');
  }
  const web = parsed.protocol === 'https:' || parsed.protocol === 'http:';
  const appLink =
    /^[a-z][a-z0-9+.-]*:$/.test(parsed.protocol) &&
    !/^(javascript|data|file|blob|vbscript|about):$/i.test(parsed.protocol);
  if (!(web || (appSwitch && appLink))) throw new ProviderError('provider_error', 'Vipps sent an invalid payment URL.');
}
