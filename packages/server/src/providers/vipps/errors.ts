/**
 * Vipps error bodies → typed ProviderErrors whose messages are safe to show. eCom answers a JSON
 * array `[{errorGroup, errorCode, errorMessage, contextId}]` (or Azure's `{responseInfo, result}`),
 * ePayment and Webhooks answer RFC 7807 problem+json. Provider text is kept (it is what explains the
 * refusal) but scrubbed of every secret we hold and cut short.
 */
import { z } from 'zod';
import { ProviderError, type ProviderErrorCode } from '../../errors.js';

export type VippsApiFlavor = 'ecom' | 'epayment' | 'webhooks';

const EcomError = z.looseObject({
  errorGroup: z.string().optional(),
  errorCode: z.union([z.string(), z.number()]).transform(String).optional(),
  errorMessage: z.string().optional(),
  contextId: z.string().optional(),
});
export const EcomErrorBody = z.array(EcomError);
export type EcomError = z.infer<typeof EcomError>;

const AzureErrorBody = z.looseObject({
  responseInfo: z
    .looseObject({ responseCode: z.number().optional(), responseMessage: z.string().optional() })
    .optional(),
  result: z.looseObject({ message: z.string().optional() }).optional(),
});

export const ProblemBody = z.looseObject({
  type: z.string().nullish(),
  title: z.string().nullish(),
  detail: z.string().nullish(),
  status: z.number().nullish(),
  traceId: z.string().nullish(),
  extraDetails: z.array(z.looseObject({ name: z.string().nullish(), reason: z.string().nullish() })).nullish(),
});
export type ProblemBody = z.infer<typeof ProblemBody>;

/** eCom error codes (vipps-ecom-api.md "Error codes") whose meaning we act on. */
const ECOM_CODES: Record<string, { code: ProviderErrorCode; message: string }> = {
  '34': { code: 'invalid_state', message: 'Vipps already has a payment with this order id.' },
  '35': { code: 'not_found', message: 'Vipps has no payment with this order id.' },
  '41': { code: 'invalid_state', message: 'The user does not have a valid card in Vipps.' },
  '42': { code: 'invalid_state', message: 'The card issuer refused the payment.' },
  '43': { code: 'invalid_state', message: 'The card issuer refused the payment.' },
  '44': { code: 'invalid_state', message: 'The card issuer refused the payment (expired card).' },
  '45': { code: 'invalid_state', message: 'Vipps could not reserve the amount.' },
  '51': { code: 'invalid_state', message: 'A captured payment cannot be cancelled.' },
  '61': {
    code: 'amount_exceeds_authorized',
    message: 'The capture amount exceeds what is reserved and not yet captured.',
  },
  '62': {
    code: 'invalid_state',
    message: 'Nothing is reserved to capture: the user has not confirmed the payment, or it was cancelled.',
  },
  '71': {
    code: 'amount_exceeds_captured',
    message: 'The refund amount exceeds what is captured and not yet refunded.',
  },
  '72': { code: 'invalid_state', message: 'A reserved payment cannot be refunded; cancel it instead.' },
  '73': { code: 'invalid_state', message: 'A cancelled payment cannot be refunded.' },
  '81': {
    code: 'invalid_request',
    message: 'The phone number is not a Vipps user: check the number (8 digits, e.g. 91234567).',
  },
  '82': { code: 'invalid_request', message: 'The Vipps app on this phone is too old for this payment.' },
  '91': { code: 'invalid_state', message: 'Vipps does not allow this transaction.' },
  '92': { code: 'invalid_state', message: 'Vipps has already processed this payment.' },
  '93': { code: 'invalid_request', message: 'This idempotency key was used with a different amount; use a new key.' },
  '94': { code: 'provider_unavailable', message: 'Vipps has locked the payment briefly; try again shortly.' },
  '98': { code: 'provider_unavailable', message: 'Vipps is receiving too many requests; try again shortly.' },
  '99': { code: 'provider_unavailable', message: 'Vipps had an internal error; try again shortly.' },
};

/** ePayment problem titles (Vipps' "ePayment API errors") → our codes. */
const PROBLEM_RULES: { test: RegExp; code: ProviderErrorCode }[] = [
  { test: /capture amount too high|exceeds the reserved/i, code: 'amount_exceeds_authorized' },
  { test: /refund amount too high|exceeds the captured/i, code: 'amount_exceeds_captured' },
  { test: /user not found|phone ?number|not a registered user/i, code: 'invalid_request' },
  {
    test: /cannot (capture|cancel|refund|approve)|before reservation|not reserved|already (captured|cancelled|processed)|currency mismatch/i,
    code: 'invalid_state',
  },
];

export type Scrub = (text: string) => string;

/** Replace every secret occurrence, then cut to `max` characters. */
export function makeScrub(secrets: () => readonly (string | null | undefined)[]): Scrub {
  return (text) => {
    let out = text;
    for (const secret of secrets()) {
      if (secret && secret.length >= 4 && out.includes(secret)) out = out.split(secret).join('[redacted]');
    }
    // Whatever a provider echoes in a Bearer header is never ours to show.
    out = out.replace(/Bearer\s+\S+/gi, 'Bearer [redacted]');
    return out.length > 300 ? `${out.slice(0, 300)}…` : out;
  };
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Any non-2xx answer of a Vipps API → a ProviderError. `action` says what we tried ("capture the payment"). */
export function mapVippsError(
  api: VippsApiFlavor,
  status: number,
  text: string,
  action: string,
  scrub: Scrub,
  retryAfterSeconds: number | null = null,
): ProviderError {
  // When Vipps said how long to wait (429/503 Retry-After), pass it on.
  const busy = { providerStatus: status, ...(retryAfterSeconds === null ? {} : { retryAfterSeconds }) };
  if (status === 429)
    return new ProviderError(
      'provider_unavailable',
      `Vipps is rate limiting requests (could not ${action}); try again shortly.`,
      busy,
    );
  if (status >= 500)
    return new ProviderError(
      'provider_unavailable',
      `Vipps is unavailable (HTTP ${status}; could not ${action}).`,
      busy,
    );
  if (status === 401 || status === 403) {
    return new ProviderError(
      'provider_error',
      `Vipps refused our credentials (HTTP ${status}; could not ${action}); check the PWB_VIPPS_* API keys and merchant serial number.`,
      { providerStatus: status },
      { retryable: false },
    );
  }
  const json = tryJson(text);
  const refused = api === 'ecom' ? mapEcomError(status, json, action, scrub) : mapProblem(status, json, action, scrub);
  // Any other 4xx is Vipps refusing this very request: sending it again cannot succeed.
  return refused.code === 'provider_error'
    ? new ProviderError(refused.code, refused.message, refused.details, { retryable: false })
    : refused;
}

function mapEcomError(status: number, json: unknown, action: string, scrub: Scrub): ProviderError {
  const list = EcomErrorBody.safeParse(json);
  const first = list.success ? list.data[0] : undefined;
  if (!first) {
    const azure = AzureErrorBody.safeParse(json);
    const reason = azure.success ? azure.data.result?.message : undefined;
    if (status === 404)
      return new ProviderError('not_found', 'Vipps has no payment with this order id.', { providerStatus: status });
    return new ProviderError(
      'provider_error',
      reason ? `Vipps refused to ${action}: ${scrub(reason)}` : `Vipps refused to ${action} (HTTP ${status}).`,
      { providerStatus: status },
    );
  }
  const providerCode = first.errorCode ? scrub(first.errorCode).slice(0, 40) : null;
  const providerMessage = first.errorMessage ? scrub(first.errorMessage) : null;
  const details = {
    providerStatus: status,
    providerCode,
    providerGroup: first.errorGroup ? scrub(first.errorGroup).slice(0, 40) : null,
    ...(first.contextId ? { contextId: scrub(first.contextId).slice(0, 60) } : {}),
  };
  const known = first.errorCode ? ECOM_CODES[first.errorCode] : undefined;
  if (known) return new ProviderError(known.code, known.message, details);
  // InvalidRequest errors name the field as the code (e.g. "customerInfo.mobileNumber").
  if (first.errorGroup === 'InvalidRequest' && /mobileNumber|phone/i.test(first.errorCode ?? '')) {
    return new ProviderError(
      'invalid_request',
      'The phone number must be a Norwegian mobile number of 8 digits, e.g. 91234567.',
      details,
    );
  }
  if (first.errorGroup === 'VippsError') {
    return new ProviderError('provider_unavailable', `Vipps could not ${action}; try again shortly.`, details);
  }
  if (status === 404) return new ProviderError('not_found', 'Vipps has no payment with this order id.', details);
  const reason = providerMessage ?? `HTTP ${status}`;
  const field = first.errorGroup === 'InvalidRequest' && providerCode ? ` (${providerCode})` : '';
  return new ProviderError('provider_error', `Vipps refused to ${action}: ${reason}${field}`, details);
}

function mapProblem(status: number, json: unknown, action: string, scrub: Scrub): ProviderError {
  const parsed = ProblemBody.safeParse(json);
  const problem = parsed.success ? parsed.data : {};
  const title = problem.title ? scrub(problem.title) : null;
  const detail = problem.detail ? scrub(problem.detail) : null;
  const extra = (problem.extraDetails ?? [])
    .slice(0, 5)
    .map((d) => ({ name: scrub(d.name ?? '').slice(0, 80), reason: scrub(d.reason ?? '').slice(0, 200) }));
  const details = {
    providerStatus: status,
    ...(title ? { providerTitle: title } : {}),
    ...(problem.traceId ? { traceId: scrub(problem.traceId).slice(0, 80) } : {}),
    ...(extra.length > 0 ? { extraDetails: extra } : {}),
  };
  const explanation =
    detail && title && !detail.startsWith('See extraDetails') ? `${title}: ${detail}` : (title ?? detail);
  const haystack = [title, detail, ...extra.map((d) => `${d.name} ${d.reason}`)].filter(Boolean).join(' ');

  if (status === 404) return new ProviderError('not_found', 'Vipps has no payment with this reference.', details);
  if (status === 409) {
    return new ProviderError('invalid_state', `Vipps refused to ${action}: ${explanation ?? 'conflict'}`, details);
  }
  if (extra.some((d) => /phoneNumber/i.test(d.name))) {
    return new ProviderError(
      'invalid_request',
      'Vipps did not accept the phone number: it must be a registered Vipps user.',
      details,
    );
  }
  for (const rule of PROBLEM_RULES) {
    if (rule.test.test(haystack)) {
      return new ProviderError(rule.code, `Vipps refused to ${action}: ${explanation ?? `HTTP ${status}`}`, details);
    }
  }
  const fields = extra.length > 0 ? ` (${extra.map((d) => `${d.name}: ${d.reason}`).join('; ')})` : '';
  return new ProviderError(
    'provider_error',
    `Vipps refused to ${action}: ${explanation ?? `HTTP ${status}`}${fields}`,
    details,
  );
}
