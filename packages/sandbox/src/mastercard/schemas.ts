/**
 * zod schemas for what integrators send the Mastercard API: the create-payment body and the
 * payment-list query. Strict objects, so a misspelt field is reported instead of silently ignored.
 */
import { z } from 'zod';
import { DECIMAL_AMOUNT } from '../shared/money.js';
import { HttpUrl } from '../shared/url.js';
import { orRequired } from './errors.js';

function text(max: number) {
  return z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
}

/** ISO 13616 check digits (mod 97 = 1). */
function ibanChecksumOk(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const digits = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of digits) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder === 1;
}

export const Iban = z.strictObject({
  ibanNumber: z
    .string()
    .regex(/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/, 'must be an IBAN without spaces, such as DK5000400440116243')
    .refine(ibanChecksumOk, 'has invalid IBAN check digits'),
});

export const Bban = z.strictObject({
  bankCode: z.string().regex(/^\d{1,11}$/, 'must be 1–11 digits'),
  accountNumber: z.string().regex(/^\d{1,18}$/, 'must be 1–18 digits'),
});

/** The address shape is not public; accept short named lines and echo them back. */
const Address = z.record(z.string().max(40), z.string().max(70).nullable());

export const Destination = z
  .strictObject({
    iban: Iban.nullish(),
    bban: Bban.nullish(),
    name: text(70),
    address: Address.nullish(),
  })
  .superRefine((destination, ctx) => {
    const count = Number(Boolean(destination.iban)) + Number(Boolean(destination.bban));
    if (count !== 1) {
      ctx.addIssue({ code: 'custom', path: ['iban'], message: 'exactly one of iban or bban is required' });
    }
  });

export const Amount = z.strictObject({
  value: z
    .string({ error: orRequired('must be a decimal string such as "2.00"') })
    .regex(DECIMAL_AMOUNT, 'must be a decimal string with at most two decimals, such as "2.00"')
    .refine((v) => Number(v) > 0, 'must be greater than zero'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code such as DKK'),
});

export const ExecutionTypeSchema = z.enum(['Normal', 'Instant', 'SpecificDate']);

export const Execution = z
  .strictObject({
    type: ExecutionTypeSchema,
    date: z.iso.date({ error: orRequired('must be a date such as 2024-01-31') }).nullish(),
  })
  .superRefine((execution, ctx) => {
    if (execution.type === 'SpecificDate' && !execution.date) {
      ctx.addIssue({ code: 'custom', path: ['date'], message: 'is required for SpecificDate execution' });
    }
    if (execution.type !== 'SpecificDate' && execution.date) {
      ctx.addIssue({ code: 'custom', path: ['date'], message: 'is only allowed for SpecificDate execution' });
    }
  });

export const PaymentMethodSchema = z.enum(['Domestic', 'SEPA', 'International', 'InpaymentForm']);

export const PaymentRequest = z.strictObject({
  destination: Destination,
  amount: Amount,
  sourceAccountId: text(100).nullish(),
  execution: Execution.nullish(),
  message: text(140).nullish(),
  transactionText: text(140).nullish(),
  endToEndId: z
    .string()
    .regex(/^[A-Za-z0-9/?:().,'+ -]{1,35}$/, "must be 1–35 characters (letters, digits, space and /?:().,'+-)")
    .nullish(),
  reference: text(35).nullish(),
  identifiers: z.record(z.string().max(40), z.string().max(140)).nullish(),
  paymentMethod: PaymentMethodSchema.nullish(),
});
export type PaymentRequest = z.infer<typeof PaymentRequest>;

export const CreatePaymentBody = z.strictObject({
  userHash: text(256),
  redirectUrl: HttpUrl,
  providerId: text(100).nullish(),
  issuePayerToken: z.boolean().nullish(),
  payerToken: z.string().nullish(),
  request: PaymentRequest,
});
export type CreatePaymentBody = z.infer<typeof CreatePaymentBody>;

export const ListPaymentsQuery = z.object({
  from: z.iso.datetime({
    offset: true,
    error: orRequired('must be an ISO 8601 date-time such as 2021-12-24T00:00:00Z'),
  }),
  to: z.iso.datetime({ offset: true, error: orRequired('must be an ISO 8601 date-time such as 2021-12-24T12:00:00Z') }),
  pagingToken: z.string().max(200).optional(),
});

/** X-Correlation-Id as the provider documents it: `|`, then [a-z0-9_-], then `.`, at most 128 characters. */
export const CorrelationId = z
  .string()
  .max(128, 'must be at most 128 characters')
  .regex(/^\|[a-z0-9_-]+\.$/, 'must start with "|", end with "." and contain only a-z, 0-9, "_" and "-"');
