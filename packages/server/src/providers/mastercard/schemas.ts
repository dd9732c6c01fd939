/**
 * zod schemas of the Mastercard Open Finance (Aiia Enterprise) responses we read, from the
 * official Postman collection. Loose objects: unknown fields are tolerated; a missing required
 * field fails validation (→ provider_error).
 */
import { z } from 'zod';

const ExecutionTypes = z.looseObject({ executionTypes: z.array(z.string()).nullish() });

export const McProvider = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  countryCode: z.string(),
  status: z
    .looseObject({
      syncMode: z.string().nullish(),
      tryAgain: z.string().nullish(),
      updated: z.string().nullish(),
      message: z.string().nullish(),
    })
    .nullish(),
  presentation: z
    .looseObject({
      priority: z.number().nullish(),
      logos: z
        .looseObject({
          large: z.looseObject({ png: z.string().nullish(), svg: z.string().nullish() }).nullish(),
        })
        .nullish(),
    })
    .nullish(),
  paymentMethods: z
    .looseObject({
      domestic: ExecutionTypes.nullish(),
      international: ExecutionTypes.nullish(),
      inpaymentForm: ExecutionTypes.nullish(),
      sepa: ExecutionTypes.nullish(),
    })
    .nullish(),
});
export type McProvider = z.infer<typeof McProvider>;

export const McProviderList = z.array(McProvider);

export const McCreatePaymentResponse = z.looseObject({
  redirectUrl: z.url({ protocol: /^https?$/ }),
  paymentId: z.string().min(1).max(200),
  sessionId: z.string().nullish(),
});

export const McStatusDetails = z.looseObject({
  providerStatusCode: z.string().nullish(),
  reason: z.string().nullish(),
  providerMessage: z.string().nullish(),
  errorType: z.string().nullish(),
  errorCode: z.string().nullish(),
  lastKnownStatus: z.string().nullish(),
});
export type McStatusDetails = z.infer<typeof McStatusDetails>;

export const McPayment = z.looseObject({
  paymentId: z.string().min(1),
  providerId: z.string().nullish(),
  request: z
    .looseObject({
      amount: z.looseObject({ value: z.union([z.number(), z.string()]), currency: z.string() }).nullish(),
    })
    .nullish(),
  status: z.looseObject({
    terminal: z.boolean(),
    code: z.string().min(1),
    codeV2: z.string().nullish(),
    lastUpdated: z.string().nullish(),
    details: McStatusDetails.nullish(),
  }),
});
export type McPayment = z.infer<typeof McPayment>;

export const McPaymentEnvelope = z.looseObject({ payment: McPayment });

/** `{ "error": "InvalidInput", "details": { "reason": "…", … } }` — details vary by error. */
export const McErrorBody = z.looseObject({
  error: z.string().optional(),
  details: z.looseObject({ reason: z.string().optional() }).nullish(),
});
