/**
 * Payment state and its transitions. The status moves only as the shopper acts in the hosted UI
 * (or as the slow bank's pending time runs out), and a terminal payment never moves again.
 *
 *   Preparing ─bank chosen─▶ ReadyForAuthorize ─logged in─▶ Authorizing ─confirmed─▶ Pending ─▶ Succeeded
 *       │                          │                            ├─bank rejects / low balance─▶ Failed
 *       └──────────cancel──────────┴────────cancel / reject─────┴─▶ Cancelled
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import { randomBase36, randomToken } from '../shared/crypto.js';
import { compactUtcDate } from '../shared/time.js';
import type { ExecutionType, PaymentMethodName, SandboxAccount, SandboxBank } from './catalogue.js';
import type { PaymentRequest } from './schemas.js';

export type PaymentCode =
  'Preparing' | 'ReadyForAuthorize' | 'Authorizing' | 'Pending' | 'Succeeded' | 'Failed' | 'Cancelled';

const TERMINAL: ReadonlySet<PaymentCode> = new Set(['Succeeded', 'Failed', 'Cancelled']);

export function isTerminalCode(code: PaymentCode): boolean {
  return TERMINAL.has(code);
}

/** `status.details` of a failed or cancelled payment (field set inferred from the provider's clients). */
export interface StatusDetails {
  providerStatusCode: string | null;
  reason: string | null;
  providerMessage: string | null;
  errorType: string | null;
  errorCode: string | null;
  lastKnownStatus: string | null;
}

export interface StoredPayment {
  readonly paymentId: string;
  /** The API client that created it; other clients cannot see it. */
  readonly clientId: string;
  readonly sessionId: string;
  /** Capability for the hosted UI: in the redirectUrl and in every form of this payment. */
  readonly startToken: string;
  readonly userHash: string;
  readonly redirectUrl: string;
  readonly request: PaymentRequest;
  readonly paymentMethod: PaymentMethodName;
  readonly amountMinor: number;
  readonly currency: string;
  readonly executionType: ExecutionType;
  readonly created: Date;
  /** Set at creation (bank chosen in the merchant's checkout) or when the shopper picks a bank. */
  providerId: string | null;
  readonly providerPreselected: boolean;
  providerPaymentId: string | null;
  /** Account the shopper paid from (hosted UI choice). */
  sourceAccountId: string | null;
  /**
   * The shopper's session at the bank, minted by each login: the account step and Confirm/Reject
   * need it, so coming back through the start link means logging in (SCA) again.
   */
  bankSession: string | null;
  code: PaymentCode;
  lastUpdated: Date;
  details: StatusDetails | null;
  /** Slow bank: when Pending turns into Succeeded. */
  pendingUntil: Date | null;
  history: { code: PaymentCode; at: Date }[];
}

export interface NewPaymentInput {
  clientId: string;
  userHash: string;
  redirectUrl: string;
  providerId: string | null;
  request: PaymentRequest;
  paymentMethod: PaymentMethodName;
  amountMinor: number;
  executionType: ExecutionType;
}

/** A hosted-UI action that does not fit the payment's current status. */
export class TransitionError extends Error {
  constructor(
    readonly payment: StoredPayment,
    message: string,
  ) {
    super(message);
    this.name = 'TransitionError';
  }
}

const REJECTED_BY_BANK = {
  providerStatusCode: 'RJCT',
  reason: 'The bank rejected the payment',
  providerMessage: 'Payment rejected by the bank (sandbox Fail Bank)',
  errorType: 'PaymentRejected',
  errorCode: 'RejectedByBank',
} as const;

const INSUFFICIENT_FUNDS = {
  providerStatusCode: 'RJCT',
  reason: 'Insufficient funds on the selected account',
  providerMessage: 'AM04 InsufficientFunds',
  errorType: 'PaymentRejected',
  errorCode: 'InsufficientFunds',
} as const;

const REJECTED_BY_USER = {
  providerStatusCode: 'CANC',
  reason: 'The payer rejected the payment at the bank',
  providerMessage: null,
  errorType: 'UserCancelled',
  errorCode: 'RejectedByUser',
} as const;

const CANCELLED_BY_USER = {
  providerStatusCode: null,
  reason: 'The payer cancelled the payment in the Open Finance UI',
  providerMessage: null,
  errorType: 'UserCancelled',
  errorCode: 'CancelledByUser',
} as const;

export class PaymentStore {
  readonly #payments = new Map<string, StoredPayment>();

  constructor(
    private readonly clock: Clock,
    private readonly slowBankDelayMs: () => number,
  ) {}

  create(input: NewPaymentInput): StoredPayment {
    const now = this.clock();
    let paymentId: string;
    do paymentId = `${compactUtcDate(now)}.${randomBase36(26)}`;
    while (this.#payments.has(paymentId));
    const payment: StoredPayment = {
      paymentId,
      clientId: input.clientId,
      sessionId: randomToken(48),
      startToken: randomToken(32),
      userHash: input.userHash,
      redirectUrl: input.redirectUrl,
      request: input.request,
      paymentMethod: input.paymentMethod,
      amountMinor: input.amountMinor,
      currency: input.request.amount.currency,
      executionType: input.executionType,
      created: now,
      providerId: input.providerId,
      providerPreselected: input.providerId !== null,
      providerPaymentId: null,
      sourceAccountId: null,
      bankSession: null,
      code: 'Preparing',
      lastUpdated: now,
      details: null,
      pendingUntil: null,
      history: [{ code: 'Preparing', at: now }],
    };
    this.#payments.set(paymentId, payment);
    return payment;
  }

  /** The payment with time-based transitions applied, or undefined. */
  get(paymentId: string): StoredPayment | undefined {
    const payment = this.#payments.get(paymentId);
    if (payment) this.settle(payment);
    return payment;
  }

  /** All payments, oldest first, settled. */
  list(): StoredPayment[] {
    const all = [...this.#payments.values()];
    for (const payment of all) this.settle(payment);
    return all;
  }

  clear(): void {
    this.#payments.clear();
  }

  /** Applies what the bank did meanwhile: a slow bank's Pending becomes Succeeded once its time is up. */
  settle(payment: StoredPayment): void {
    if (payment.code === 'Pending' && payment.pendingUntil && this.clock() >= payment.pendingUntil) {
      this.#move(payment, 'Succeeded', null, payment.pendingUntil);
      payment.pendingUntil = null;
    }
  }

  /** The shopper lands on the hosted UI of a payment whose bank was chosen in the merchant's checkout. */
  openWithPreselectedBank(payment: StoredPayment): void {
    if (payment.code === 'Preparing' && payment.providerId) this.#move(payment, 'ReadyForAuthorize');
  }

  chooseBank(payment: StoredPayment, bank: SandboxBank): void {
    this.#expect(payment, 'Preparing', 'The bank has already been chosen');
    payment.providerId = bank.id;
    this.#move(payment, 'ReadyForAuthorize');
  }

  /** SCA at the bank; again after coming back (status stays Authorizing). Returns the new bank session. */
  logIn(payment: StoredPayment): string {
    if (payment.code !== 'ReadyForAuthorize' && payment.code !== 'Authorizing') {
      throw new TransitionError(payment, 'The payment is not waiting for a bank login');
    }
    if (payment.code === 'ReadyForAuthorize') this.#move(payment, 'Authorizing');
    payment.bankSession = randomToken(32);
    return payment.bankSession;
  }

  /** The shopper confirms from `account`: the bank accepts (Pending/Succeeded) or rejects (Failed). */
  confirm(payment: StoredPayment, bank: SandboxBank, account: SandboxAccount): void {
    this.#expect(payment, 'Authorizing', 'The payment cannot be confirmed now');
    payment.sourceAccountId = account.id;
    payment.providerPaymentId = randomUUID();
    if (bank.scenario === 'fail') {
      this.#move(payment, 'Failed', { ...REJECTED_BY_BANK, lastKnownStatus: payment.code });
    } else if (account.balanceMinor < payment.amountMinor) {
      this.#move(payment, 'Failed', { ...INSUFFICIENT_FUNDS, lastKnownStatus: payment.code });
    } else {
      const delay = bank.scenario === 'slow' ? this.slowBankDelayMs() : 0;
      this.#move(payment, 'Pending');
      payment.pendingUntil = new Date(this.clock().getTime() + delay);
      this.settle(payment);
    }
  }

  /** The shopper declines at the bank (account step). */
  reject(payment: StoredPayment): void {
    this.#expect(payment, 'Authorizing', 'The payment cannot be rejected now');
    this.#move(payment, 'Cancelled', { ...REJECTED_BY_USER, lastKnownStatus: payment.code });
  }

  /** The shopper leaves the Open Finance UI at any step before confirming. */
  cancel(payment: StoredPayment): void {
    if (isTerminalCode(payment.code) || payment.code === 'Pending') {
      throw new TransitionError(payment, 'The payment can no longer be cancelled');
    }
    this.#move(payment, 'Cancelled', { ...CANCELLED_BY_USER, lastKnownStatus: payment.code });
  }

  #expect(payment: StoredPayment, code: PaymentCode, message: string): void {
    if (payment.code !== code) throw new TransitionError(payment, message);
  }

  #move(payment: StoredPayment, code: PaymentCode, details: StatusDetails | null = null, at = this.clock()): void {
    // The one guard every transition goes through: final states are final.
    if (isTerminalCode(payment.code)) throw new TransitionError(payment, 'The payment is already final');
    payment.code = code;
    payment.details = details;
    if (isTerminalCode(code) || code === 'Pending') payment.bankSession = null;
    payment.lastUpdated = at;
    payment.history.push({ code, at });
  }
}
