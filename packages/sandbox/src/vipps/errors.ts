/**
 * The error shapes of the Vipps APIs, one builder each:
 * - eCom v2: a JSON array `[{ errorGroup, errorCode, errorMessage, contextId }]` (swagger.yaml ErrorArray),
 *   or, for failures in Azure API Management (keys, token), ErrorFromAzure `{ responseInfo, result }`.
 * - ePayment v1 and Webhooks v1: RFC 7807 `application/problem+json`.
 * - Access token: Azure AD / APIM bodies (the spec only names the statuses).
 */
import type { Context } from 'hono';
import { newTraceId, newUuid } from './ids.js';

export const JSON_UTF8 = 'application/json;charset=UTF-8';
export const PROBLEM_JSON = 'application/problem+json';

export type EcomErrorGroup = 'Authentication' | 'Payment' | 'InvalidRequest' | 'VippsError' | 'User' | 'Merchant';

export interface EcomError {
  errorGroup: EcomErrorGroup;
  errorCode: string;
  errorMessage: string;
  contextId: string;
}

export function ecomError(group: EcomErrorGroup, code: string, message: string): EcomError {
  return { errorGroup: group, errorCode: code, errorMessage: message, contextId: newUuid() };
}

export function jsonResponse(status: number, body: unknown, contentType = JSON_UTF8): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': contentType } });
}

export function ecomErrorResponse(status: number, errors: EcomError[]): Response {
  return jsonResponse(status, errors);
}

/** The documented eCom errors, with their group and message (vipps-ecom-api.md, "Error codes"). */
export const ECOM_ERRORS = {
  duplicateOrderId: () => ecomError('Merchant', '34', 'Unique constraint violation of the order id'),
  orderNotFound: () => ecomError('Merchant', '35', 'Requested Order not found'),
  skipLandingPageNotAllowed: () => ecomError('Merchant', '38', 'Sale unit is not allowed to skip the landing page'),
  cannotCancelCaptured: () => ecomError('Payment', '51', 'Cannot cancel already captured order'),
  captureExceedsReserved: () => ecomError('Payment', '61', 'Captured amount exceeds the reserved amount ordered'),
  nothingReserved: () => ecomError('Payment', '62', 'The amount you tried to capture is not reserved'),
  refundExceedsCaptured: () => ecomError('Payment', '71', 'Cannot refund more than captured amount'),
  refundOfReserved: () => ecomError('Payment', '72', 'Cannot refund for reserved order, please use Cancel API'),
  refundOfCancelled: () => ecomError('Payment', '73', 'Cannot refund on cancelled order'),
  userNotRegistered: () => ecomError('User', '81', 'User not registered with Vipps'),
  idempotentAmountMismatch: () => ecomError('Payment', '93', 'Captured amount should be the same in Idempotent retry'),
  tooManyRequests: () => ecomError('VippsError', '98', 'Too many concurrent requests'),
  internal: () => ecomError('VippsError', '99', 'Internal error'),
} as const;

/** eCom's "Azure" error body (swagger.yaml ErrorFromAzure), used for key and token failures. */
export function azureErrorResponse(status: number, responseMessage: string, message: string): Response {
  return jsonResponse(status, { responseInfo: { responseCode: status, responseMessage }, result: { message } });
}

/** Azure API Management's own body, as the access token endpoint answers for subscription key failures. */
export function apimErrorResponse(status: number, message: string): Response {
  return jsonResponse(status, { statusCode: status, message }, 'application/json');
}

export interface ExtraDetail {
  name: string;
  reason: string;
}

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export interface ProblemInit {
  status: number;
  /** Defaults to the status text ("Bad Request"). */
  title?: string;
  detail: string;
  instance: string;
  extraDetails?: ExtraDetail[];
}

/** RFC 7807 body as the ePayment and Webhooks APIs send it. */
export function problemBody(init: ProblemInit) {
  return {
    type: `https://httpstatuses.io/${init.status}`,
    title: init.title ?? STATUS_TITLES[init.status] ?? 'Error',
    status: init.status,
    detail: init.detail,
    instance: init.instance,
    traceId: newTraceId(),
    extraDetails: init.extraDetails ?? [],
  };
}

export function problemResponse(init: ProblemInit): Response {
  return jsonResponse(init.status, problemBody(init), PROBLEM_JSON);
}

/** Path of the request relative to the Vipps base (what `instance` shows). */
export function instancePath(c: Context, basePath: string): string {
  const path = new URL(c.req.url).pathname;
  return basePath && path.startsWith(basePath) ? path.slice(basePath.length) || '/' : path;
}

/** zod issues → ePayment `extraDetails`. */
export function issuesToExtraDetails(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): ExtraDetail[] {
  return issues.map((issue) => ({
    name: issue.path.map(String).join('.') || 'body',
    reason: issue.message,
  }));
}

/** zod issues → eCom InvalidRequest errors (the field name is the error code, as Vipps documents). */
export function issuesToEcomErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[]): EcomError[] {
  return issues.map((issue) => ecomError('InvalidRequest', issue.path.map(String).join('.') || 'body', issue.message));
}
