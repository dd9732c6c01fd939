/**
 * The store's tables as record ↔ row mappings (sql-table.ts), shared by the SQLite and PostgreSQL
 * stores: their schemas have the same tables and columns, so a new field is one line here plus a
 * migration for each (`migrations.ts`, `postgres-migrations.ts`). Tests check the mappings against
 * the schema each store's migrations make.
 */
import { sqlTable } from './sql-table.js';
import type { IdempotencyRecord, OutboxRecord, PaymentEventRecord, PaymentRecord, SessionRecord } from './store.js';

export const sessions = sqlTable<SessionRecord>('sessions', {
  id: 'value',
  clientTokenHash: 'value',
  amount: 'value',
  currency: 'value',
  reference: 'value',
  description: 'value',
  returnUrl: 'value',
  methods: 'json',
  countries: 'json',
  locale: 'value',
  metadata: 'json',
  state: 'value',
  createdAt: 'value',
  updatedAt: 'value',
  expiresAt: 'value',
  express: 'nullableJson',
});

export const payments = sqlTable<PaymentRecord>('payments', {
  id: 'value',
  sessionId: 'value',
  attemptId: 'value',
  method: 'value',
  adapterId: 'value',
  providerPaymentId: 'nullable',
  status: 'value',
  providerStatus: 'nullable',
  bankId: 'nullable',
  reference: 'value',
  amount: 'value',
  currency: 'value',
  authorizedAmount: 'value',
  capturedAmount: 'value',
  refundedAmount: 'value',
  cancelledAmount: 'value',
  failure: 'nullableJson',
  redirectUrl: 'nullable',
  expiresAt: 'nullable',
  createdAt: 'value',
  updatedAt: 'value',
  lastCheckedAt: 'nullable',
  version: 'value',
  supersededBy: 'nullable',
  shopper: 'nullableJson',
  shipping: 'nullableJson',
  providerUserKey: 'nullable',
  shopperErasedAt: 'nullable',
});

export const events = sqlTable<PaymentEventRecord>('payment_events', {
  id: 'value',
  paymentId: 'value',
  type: 'value',
  status: 'value',
  providerStatus: 'nullable',
  source: 'value',
  dedupeKey: 'nullable',
  data: 'nullableJson',
  createdAt: 'value',
});

export const outbox = sqlTable<OutboxRecord>('outbox', {
  id: 'value',
  paymentId: 'value',
  type: 'value',
  payload: 'value',
  attempts: 'value',
  nextAttemptAt: 'value',
  deliveredAt: 'nullable',
  lastError: 'nullable',
  createdAt: 'value',
});

export const idempotencyKeys = sqlTable<IdempotencyRecord>('idempotency_keys', {
  key: 'value',
  fingerprint: 'value',
  statusCode: 'value',
  responseBody: 'value',
  createdAt: 'value',
  owner: 'optional',
  sealed: 'optional',
});

/** Every table's mapping. */
export const TABLES = [sessions, payments, events, outbox, idempotencyKeys] as const;
