/**
 * The JSON the API returns, field for field as in Mastercard's Postman collection (including the
 * nulls), built from the catalogue and the stored payments.
 */
import { minorToNumber } from '../shared/money.js';
import { formatOffsetTimestamp, formatUtcTimestamp } from '../shared/time.js';
import type { ExecutionType, SandboxBank } from './catalogue.js';
import type { PaymentCode, StatusDetails, StoredPayment } from './payments.js';
import type { Availability } from './runtime.js';

export interface MastercardProviderStatus {
  /** "Full" when the bank works; "None" when it is unavailable (sandbox convention, see README). */
  syncMode: string;
  tryAgain: string | null;
  updated: string;
  message: string | null;
}

export interface MastercardPresentation {
  priority: number;
  aliases: string[] | null;
  color: string;
  logos: {
    large: { png: string; svg: string };
    round: { png: string; svg: string | null } | null;
  };
}

export interface MastercardMethodInfo {
  executionTypes: ExecutionType[];
}

export interface MastercardProvider {
  id: string;
  name: string;
  countryCode: string;
  status: MastercardProviderStatus;
  presentation: MastercardPresentation;
  paymentMethods: {
    domestic: MastercardMethodInfo | null;
    international: MastercardMethodInfo | null;
    inpaymentForm: MastercardMethodInfo | null;
    sepa: MastercardMethodInfo | null;
  };
  audiences: string[];
  paymentAuthorization: { paymentsAllowedPerAuthorization: number };
  paymentReconciliation: { reconciliationEnabled: boolean };
}

export interface MastercardPayment {
  paymentId: string;
  userHash: string;
  providerId: string | null;
  providerPaymentId: string | null;
  request: {
    sourceAccountId: string | null;
    destination: {
      bban: { bankCode: string; accountNumber: string } | null;
      iban: { ibanNumber: string } | null;
      ownAccount: null;
      inpaymentForm: null;
      name: string;
      address: Record<string, string | null> | null;
    };
    /** Decimal major units as a number (the request sends a string). */
    amount: { value: number; currency: string };
    execution: { type: ExecutionType; date: string | null } | null;
    message: string | null;
    transactionText: string | null;
    endToEndId: string | null;
    reference: string | null;
    identifiers: Record<string, string> | null;
    paymentMethod: string;
  };
  status: {
    terminal: boolean;
    code: PaymentCode;
    codeV2: PaymentCode;
    lastUpdated: string;
    details: StatusDetails | null;
  };
  state: PaymentCode;
  created: string;
  source: null;
  execution: { type: ExecutionType; date: string | null; fee: string; feeAmount: null };
  message: string | null;
  transactionText: string | null;
  identifiers: Record<string, string>;
}

/** Where logos live and when the catalogue was last "synced". */
export interface CatalogueContext {
  /** `{publicUrl}{mountPath}`, e.g. `http://127.0.0.1:4010/mastercard`. */
  baseUrl: string;
  updated: Date;
}

function presentation(bank: SandboxBank, ctx: CatalogueContext): MastercardPresentation {
  return {
    priority: bank.priority,
    aliases: bank.aliases,
    color: bank.color,
    logos: {
      large: {
        png: `${ctx.baseUrl}/logos/${bank.id}.png`,
        svg: `${ctx.baseUrl}/logos/${bank.id}.svg`,
      },
      round: { png: `${ctx.baseUrl}/logos/round/${bank.id}.png`, svg: null },
    },
  };
}

function status(availability: Availability, ctx: CatalogueContext): MastercardProviderStatus {
  return {
    syncMode: availability.available ? 'Full' : 'None',
    tryAgain: null,
    updated: formatUtcTimestamp(ctx.updated),
    message: availability.message,
  };
}

function methodInfo(types: ExecutionType[] | null): MastercardMethodInfo | null {
  return types ? { executionTypes: [...types] } : null;
}

export function providerJson(bank: SandboxBank, availability: Availability, ctx: CatalogueContext): MastercardProvider {
  return {
    id: bank.id,
    name: bank.name,
    countryCode: bank.countryCode,
    status: status(availability, ctx),
    presentation: presentation(bank, ctx),
    paymentMethods: {
      domestic: methodInfo(bank.methods.domestic),
      international: null,
      inpaymentForm: null,
      sepa: methodInfo(bank.methods.sepa),
    },
    audiences: ['Private', 'Business'],
    paymentAuthorization: { paymentsAllowedPerAuthorization: bank.paymentsAllowedPerAuthorization },
    paymentReconciliation: { reconciliationEnabled: bank.reconciliationEnabled },
  };
}

/** GET /v1/providers/{id}/payment-methods: only the methods the bank offers. */
export function providerPaymentMethodsJson(bank: SandboxBank): Record<string, unknown> {
  const methods: Record<string, unknown> = {
    domestic: { executionTypes: [...bank.methods.domestic], properties: null, rules: null },
  };
  if (bank.methods.sepa) methods.sepa = { executionTypes: [...bank.methods.sepa], properties: null, rules: null };
  return methods;
}

/** The hosted UI has no extra bank-specific forms, so each method lists the one (empty) PSU stage. */
function groupMethod(id: 'Domestic' | 'SEPA', types: ExecutionType[]) {
  return {
    id,
    stages: [{ id: 'psu-information', type: 'Form', fields: [], help: null }],
    features: {
      supportedExecutionTypes: [...types],
      requiresLogin: false,
      requiresAccountsScope: false,
      requiresSourceAccount: false,
      bankProvidesDynamicLinking: false,
    },
  };
}

/** GET /v1/providers/groups: banks grouped by brand, in catalogue order. */
export function providerGroupsJson(
  banks: readonly SandboxBank[],
  availabilityOf: (bank: SandboxBank) => Availability,
  ctx: CatalogueContext,
): unknown[] {
  const groups = new Map<string, SandboxBank[]>();
  for (const bank of banks) groups.set(bank.groupName, [...(groups.get(bank.groupName) ?? []), bank]);
  return [...groups].map(([groupName, members]) => ({
    groupName,
    presentation: presentation(members[0]!, ctx),
    products: members.map((bank) => ({
      name: bank.name,
      audiences: ['Private', 'Business'],
      provider: {
        id: bank.id,
        name: bank.name,
        countryCode: bank.countryCode,
        status: status(availabilityOf(bank), ctx),
        presentation: presentation(bank, ctx),
        audiences: ['Private', 'Business'],
        paymentAuthorization: { paymentsAllowedPerAuthorization: bank.paymentsAllowedPerAuthorization },
        paymentReconciliation: { reconciliationEnabled: bank.reconciliationEnabled },
        paymentMethods: [
          groupMethod('Domestic', bank.methods.domestic),
          ...(bank.methods.sepa ? [groupMethod('SEPA', bank.methods.sepa)] : []),
        ],
      },
    })),
    countryCodes: [...new Set(members.map((b) => b.countryCode))],
  }));
}

export function paymentJson(payment: StoredPayment): MastercardPayment {
  const { request } = payment;
  const terminal = payment.code === 'Succeeded' || payment.code === 'Failed' || payment.code === 'Cancelled';
  return {
    paymentId: payment.paymentId,
    userHash: payment.userHash,
    providerId: payment.providerId,
    providerPaymentId: payment.providerPaymentId,
    request: {
      sourceAccountId: request.sourceAccountId ?? null,
      destination: {
        bban: request.destination.bban
          ? { bankCode: request.destination.bban.bankCode, accountNumber: request.destination.bban.accountNumber }
          : null,
        iban: request.destination.iban ? { ibanNumber: request.destination.iban.ibanNumber } : null,
        ownAccount: null,
        inpaymentForm: null,
        name: request.destination.name,
        address: request.destination.address ?? null,
      },
      amount: { value: minorToNumber(payment.amountMinor), currency: payment.currency },
      execution: request.execution ? { type: request.execution.type, date: request.execution.date ?? null } : null,
      message: request.message ?? null,
      transactionText: request.transactionText ?? null,
      endToEndId: request.endToEndId ?? null,
      reference: request.reference ?? null,
      identifiers: request.identifiers ?? null,
      paymentMethod: payment.paymentMethod,
    },
    status: {
      terminal,
      code: payment.code,
      codeV2: payment.code,
      lastUpdated: formatOffsetTimestamp(payment.lastUpdated),
      details: payment.details ? { ...payment.details } : null,
    },
    state: payment.code,
    created: formatOffsetTimestamp(payment.created),
    source: null,
    execution: {
      type: payment.executionType,
      date: request.execution?.date ?? null,
      fee: 'Unknown',
      feeAmount: null,
    },
    message: request.message ?? null,
    transactionText: request.transactionText ?? null,
    identifiers: { ...(request.identifiers ?? {}) },
  };
}
