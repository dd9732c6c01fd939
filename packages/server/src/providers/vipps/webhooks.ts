/**
 * ePayment webhooks (webhooks-v1.openapi.yaml): registering ours, and verifying what Vipps sends.
 *
 * Registration: Vipps shows a webhook's secret once, when it is registered. With
 * PWB_VIPPS_WEBHOOK_SECRET set and our registration present, nothing changes. Otherwise we
 * register a new webhook for our URL (and then delete older registrations of that URL), and keep
 * its secret in memory only. Run several server instances? Register once and give all of them
 * PWB_VIPPS_WEBHOOK_SECRET, or each start-up rotates the others' secret away.
 *
 * Verification ("Request authentication"): x-ms-content-sha256 = base64(sha256(body)); the string
 * to sign is `POST\n{pathAndQuery}\n{x-ms-date};{host};{contentHash}`; Authorization is
 * `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={base64 HMAC}`.
 * A date outside ±5 minutes is refused (a captured request cannot be replayed later).
 */
import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../../log.js';
import { constantTimeEqual } from '../../security/crypto.js';
import type { VippsClient } from './client.js';

/** Every ePayment event: state changes are applied directly, the others trigger a refresh. */
export const EPAYMENT_WEBHOOK_EVENTS = [
  'epayments.payment.created.v1',
  'epayments.payment.aborted.v1',
  'epayments.payment.expired.v1',
  'epayments.payment.cancelled.v1',
  'epayments.payment.captured.v1',
  'epayments.payment.refunded.v1',
  'epayments.payment.authorized.v1',
  'epayments.payment.terminated.v1',
] as const;

export const WEBHOOK_MAX_SKEW_MS = 5 * 60_000;

export function epaymentWebhookUrl(publicUrl: string): string {
  return `${publicUrl}/v1/callbacks/vipps-epayment/webhooks`;
}

const WebhookList = z.looseObject({
  webhooks: z.array(z.looseObject({ id: z.string().min(1), url: z.string(), events: z.array(z.string()) })),
});
const RegisterResponse = z.looseObject({ id: z.string().min(1), secret: z.string().min(16).max(1024) });
const Empty = z.unknown();

export interface EnsuredWebhook {
  id: string;
  /** Secret to verify deliveries with. Never log it. */
  secret: string;
  /** True when we registered a new webhook (the secret is new). */
  registered: boolean;
}

/** Make sure our webhook exists with every event and we know its secret (see the file comment). */
export async function ensureWebhookWith(
  client: VippsClient,
  options: { url: string; configuredSecret: string | null; logger: Logger },
): Promise<EnsuredWebhook> {
  const { url, configuredSecret, logger } = options;
  const list = await client.request({
    method: 'GET',
    path: '/webhooks/v1/webhooks',
    api: 'webhooks',
    action: 'list the webhooks',
    schema: WebhookList,
  });
  const ours = list.webhooks.filter((hook) => hook.url === url);
  const complete = ours.find((hook) => EPAYMENT_WEBHOOK_EVENTS.every((event) => hook.events.includes(event)));
  if (complete && configuredSecret) {
    logger.info('vipps webhook registration found', { webhookId: complete.id });
    return { id: complete.id, secret: configuredSecret, registered: false };
  }
  // Register first, then remove the old ones: there is never a moment without a registration.
  const created = await client.request({
    method: 'POST',
    path: '/webhooks/v1/webhooks',
    api: 'webhooks',
    action: 'register the webhook',
    schema: RegisterResponse,
    body: { url, events: [...EPAYMENT_WEBHOOK_EVENTS] },
  });
  for (const old of ours) {
    try {
      await client.request({
        method: 'DELETE',
        path: `/webhooks/v1/webhooks/${encodeURIComponent(old.id)}`,
        api: 'webhooks',
        action: 'delete an old webhook',
        schema: Empty,
      });
    } catch (error) {
      logger.warn('could not delete an old vipps webhook registration', { webhookId: old.id, error });
    }
  }
  logger.info('vipps webhook registered', {
    webhookId: created.id,
    replaced: ours.length,
    ...(configuredSecret
      ? { note: 'the configured webhook secret belonged to no current registration; using the new one' }
      : {}),
  });
  return { id: created.id, secret: created.secret, registered: true };
}

export type WebhookRejection = 'missing_headers' | 'content_hash' | 'stale' | 'signature';

export interface WebhookVerification {
  secret: string;
  method: string;
  /** Where the request may have been addressed: our registered URL, and the URL as received. */
  targets: readonly { pathAndQuery: string; host: string }[];
  headers: Headers;
  body: string;
  nowMs: number;
  maxSkewMs?: number;
}

/** null when the request is authentic, else why not. */
export function verifyWebhook(input: WebhookVerification): WebhookRejection | null {
  const date = input.headers.get('x-ms-date');
  const contentHash = input.headers.get('x-ms-content-sha256');
  const authorization = input.headers.get('authorization');
  if (!date || !contentHash || !authorization || input.method.toUpperCase() !== 'POST') return 'missing_headers';

  const expectedHash = createHash('sha256').update(input.body, 'utf8').digest('base64');
  if (!constantTimeEqual(expectedHash, contentHash)) return 'content_hash';

  const sentAt = Date.parse(date);
  if (!Number.isFinite(sentAt) || Math.abs(input.nowMs - sentAt) > (input.maxSkewMs ?? WEBHOOK_MAX_SKEW_MS))
    return 'stale';

  let matched = false;
  for (const target of input.targets) {
    const toSign = `POST\n${target.pathAndQuery}\n${date};${target.host};${contentHash}`;
    const signature = createHmac('sha256', input.secret).update(toSign, 'utf8').digest('base64');
    // Every candidate is compared, so timing does not tell which one (if any) matched.
    if (
      constantTimeEqual(
        authorization,
        `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
      )
    ) {
      matched = true;
    }
  }
  return matched ? null : 'signature';
}

/** The targets a delivery to `registeredUrl` may be signed for, given the request as it reached us. */
export function webhookTargets(registeredUrl: string, request: Request): { pathAndQuery: string; host: string }[] {
  const registered = new URL(registeredUrl);
  const received = new URL(request.url);
  const candidates = [
    { pathAndQuery: `${registered.pathname}${registered.search}`, host: registered.host },
    // Behind a proxy the URL we see may differ from the registered one; Vipps signed what it sent.
    { pathAndQuery: `${received.pathname}${received.search}`, host: request.headers.get('host') ?? received.host },
  ];
  return candidates.filter(
    (c, i) => candidates.findIndex((o) => o.pathAndQuery === c.pathAndQuery && o.host === c.host) === i,
  );
}
