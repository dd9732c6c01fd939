/**
 * The shipping options of an express checkout for one address: the session's own list, or the
 * merchant's answer from its shipping URL. The server POSTs `{ sessionId, reference, currency,
 * address }` (a ShippingRequest) there, signed like the webhooks (`Pwb-Signature`, the webhook
 * secret), with a short time limit, and takes only a 2xx JSON ShippingResponse it can validate.
 * Anything else — no answer in time, an error status, a redirect, a body that is not valid options —
 * is shipping_unavailable: the provider is told there are no shipping methods, nothing is guessed.
 */
import {
  MAX_AMOUNT_MINOR,
  ShippingResponse,
  type Address,
  type ShippingOption,
  type ShippingRequest,
} from '@pay-with-bank/protocol';
import { ApiError } from '../errors.js';
import type { Logger } from '../log.js';
import { SIGNATURE_HEADER, signWebhook } from '../notifications/signature.js';
import type { SessionRecord } from '../store/store.js';

/** The largest answer read from a shipping URL (20 options are well under 8 KB). */
export const MAX_SHIPPING_RESPONSE_BYTES = 64 * 1024;

export interface ShippingQuoterOptions {
  fetch: typeof fetch;
  /** The webhook secret (signs the requests); null when none is configured (dynamic shipping refused). */
  secret: string | null;
  timeoutMs: number;
  logger: Logger;
  now: () => Date;
}

export class ShippingQuoter {
  constructor(private readonly options: ShippingQuoterOptions) {}

  /** The options for `address`: the session's static ones, or those the merchant's URL answers. */
  async optionsFor(session: SessionRecord, address: Address): Promise<ShippingOption[]> {
    const express = session.express;
    if (!express) throw new ApiError('invalid_state', 'This checkout is not an express checkout.');
    if (express.shipping === 'static' && express.options) return express.options;
    if (express.url === null) throw new ApiError('internal_error', 'An unexpected error occurred.');
    return this.ask(session, express.url, address);
  }

  private async ask(session: SessionRecord, url: string, address: Address): Promise<ShippingOption[]> {
    const { secret, timeoutMs, logger, now } = this.options;
    const unavailable = (reason: string) => {
      // The URL's origin only: a merchant may put its own token in the path or query.
      logger.warn('merchant shipping options unavailable', { sessionId: session.id, origin: originOf(url), reason });
      return new ApiError('shipping_unavailable', 'The merchant’s shipping service gave no usable shipping options.');
    };
    if (secret === null) throw unavailable('no webhook secret to sign the request');
    const request: ShippingRequest = {
      sessionId: session.id,
      reference: session.reference,
      currency: session.currency,
      address,
    };
    const body = JSON.stringify(request);
    const signal = AbortSignal.timeout(timeoutMs);
    let text: string;
    try {
      const response = await this.options.fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          [SIGNATURE_HEADER]: signWebhook(secret, body, Math.floor(now().getTime() / 1000)),
          'User-Agent': 'pay-with-bank-server',
        },
        body,
        // A redirect could lead anywhere: the allow-listed URL answers itself or not at all.
        redirect: 'manual',
        signal,
      });
      if (response.status < 200 || response.status > 299) {
        await response.body?.cancel().catch(() => {});
        throw unavailable(response.status === 0 ? 'redirect' : `HTTP ${response.status}`);
      }
      text = await readLimited(response, MAX_SHIPPING_RESPONSE_BYTES);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (error instanceof TooLarge) throw unavailable('answer too large');
      const timedOut = signal.aborted || (error instanceof Error && error.name === 'TimeoutError');
      throw unavailable(timedOut ? `no answer within ${timeoutMs} ms` : 'network error');
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw unavailable('answer is not JSON');
    }
    const parsed = ShippingResponse.safeParse(json);
    if (!parsed.success) {
      const fields = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      throw unavailable(`answer is not valid shipping options (${fields.join('; ')})`);
    }
    const options = parsed.data.options;
    if (options.some((o) => session.amount + o.amount > MAX_AMOUNT_MINOR)) {
      throw unavailable('a shipping price makes the total larger than the largest accepted amount');
    }
    return options;
  }
}

class TooLarge extends Error {}

/** The body as text, refusing (and abandoning) one longer than `limit` bytes. */
async function readLimited(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new TooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
