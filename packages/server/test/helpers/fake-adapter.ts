/**
 * A scriptable ProviderAdapter for unit tests of the provider-neutral core: statuses are set by
 * the test, every call is recorded, and the optional operations (capture/cancel/refund/callbacks) are chosen
 * per instance so the generic paths run before any real provider has them.
 */
import type { Address, Currency, PaymentMethod } from '@pay-with-bank/protocol';
import type {
  CallbackResult,
  CreatePaymentInput,
  CreatedProviderPayment,
  ProviderAdapter,
  ProviderBank,
  ProviderSnapshot,
} from '../../src/providers/adapter.js';
import { ProviderError } from '../../src/errors.js';

export interface FakeAdapterOptions {
  id?: string;
  method?: PaymentMethod;
  currencies?: Currency[];
  /** Which optional operations the fake offers (the others are absent, as on a real adapter). */
  capabilities?: Partial<FakeCapabilities>;
  authorizedMeansPaid?: boolean;
  banks?: ProviderBank[];
  /** Delay of every provider call (ms). */
  latencyMs?: number;
  /** Offers express checkout (shopper details and shipping chosen at the provider). */
  express?: boolean;
}

export interface FakeCapabilities {
  capture: boolean;
  cancel: boolean;
  refund: boolean;
  callbacks: boolean;
}

export class FakeAdapter implements ProviderAdapter {
  readonly id: string;
  readonly method: PaymentMethod;
  readonly currencies: Currency[];
  /** The operations this fake was built with (test bookkeeping; the interface has no such flag). */
  readonly capabilities: FakeCapabilities;
  capture?: ProviderAdapter['capture'];
  cancel?: ProviderAdapter['cancel'];
  refund?: ProviderAdapter['refund'];
  handleCallback?: ProviderAdapter['handleCallback'];
  readonly authorizedMeansPaid: boolean;
  readonly express?: ProviderAdapter['express'];
  banks: ProviderBank[];
  latencyMs: number;

  readonly calls = {
    create: [] as CreatePaymentInput[],
    refresh: [] as string[],
    capture: [] as unknown[],
    cancel: [] as unknown[],
    refund: [] as unknown[],
    listBanks: 0,
  };
  /** What the provider currently says per provider payment id. */
  readonly state = new Map<string, ProviderSnapshot>();
  /** Throw this from the next call of the given kind. */
  failNext: Partial<Record<'create' | 'refresh' | 'capture' | 'cancel' | 'refund' | 'listBanks', Error>> = {};
  private counter = 0;

  constructor(options: FakeAdapterOptions = {}) {
    this.id = options.id ?? 'fake';
    this.method = options.method ?? 'bank';
    this.currencies = options.currencies ?? ['DKK', 'EUR'];
    this.capabilities = { capture: false, cancel: false, refund: false, callbacks: false, ...options.capabilities };
    if (this.capabilities.capture) this.capture = (id, amount, key) => this.doCapture(id, amount, key);
    if (this.capabilities.cancel) this.cancel = (id, key) => this.doCancel(id, key);
    if (this.capabilities.refund) this.refund = (id, amount, key) => this.doRefund(id, amount, key);
    if (this.capabilities.callbacks) this.handleCallback = (request) => this.doHandleCallback(request);
    this.authorizedMeansPaid = options.authorizedMeansPaid ?? false;
    if (options.express) this.express = { supported: true };
    this.banks = options.banks ?? [
      {
        id: 'DK_Bank',
        name: 'Bank',
        country: 'DK',
        logoUrl: null,
        available: true,
        unavailableMessage: null,
        currencies: ['DKK'],
      },
      {
        id: 'DK_Down',
        name: 'Down Bank',
        country: 'DK',
        logoUrl: null,
        available: false,
        unavailableMessage: 'Maintenance',
        currencies: ['DKK'],
      },
      {
        id: 'FI_Bank',
        name: 'Pankki',
        country: 'FI',
        logoUrl: null,
        available: true,
        unavailableMessage: null,
        currencies: ['EUR'],
      },
    ];
    this.latencyMs = options.latencyMs ?? 0;
  }

  private async pause(): Promise<void> {
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
  }

  private takeFailure(kind: keyof FakeAdapter['failNext']): void {
    const error = this.failNext[kind];
    if (error) {
      delete this.failNext[kind];
      throw error;
    }
  }

  /** Set what the provider reports for a payment from now on. */
  set(providerPaymentId: string, snapshot: ProviderSnapshot): void {
    this.state.set(providerPaymentId, snapshot);
  }

  async listBanks(): Promise<ProviderBank[]> {
    this.calls.listBanks++;
    await this.pause();
    this.takeFailure('listBanks');
    return this.banks;
  }

  async createPayment(input: CreatePaymentInput): Promise<CreatedProviderPayment> {
    this.calls.create.push(input);
    await this.pause();
    this.takeFailure('create');
    const providerPaymentId = `fake-${++this.counter}`;
    const snapshot: ProviderSnapshot = { status: 'pending', providerStatus: 'CREATED', bankId: input.bankId };
    this.state.set(providerPaymentId, snapshot);
    return { providerPaymentId, redirectUrl: `https://provider.example/pay/${providerPaymentId}`, snapshot };
  }

  async refresh(providerPaymentId: string): Promise<ProviderSnapshot> {
    this.calls.refresh.push(providerPaymentId);
    await this.pause();
    this.takeFailure('refresh');
    const snapshot = this.state.get(providerPaymentId);
    if (!snapshot) throw new ProviderError('provider_error', 'unknown payment');
    return snapshot;
  }

  private async doCapture(
    providerPaymentId: string,
    amount: { value: number },
    key: string,
  ): Promise<ProviderSnapshot> {
    this.calls.capture.push({ providerPaymentId, amount, key });
    this.takeFailure('capture');
    const s = this.state.get(providerPaymentId)!;
    const captured = (s.capturedAmount ?? 0) + amount.value;
    const full = captured >= (s.authorizedAmount ?? 0);
    const next: ProviderSnapshot = {
      ...s,
      capturedAmount: captured,
      status: full ? 'completed' : 'authorized',
      providerStatus: full ? 'CAPTURED' : 'PARTIALLY_CAPTURED',
    };
    this.state.set(providerPaymentId, next);
    return next;
  }

  private async doCancel(providerPaymentId: string, key: string): Promise<ProviderSnapshot> {
    this.calls.cancel.push({ providerPaymentId, key });
    this.takeFailure('cancel');
    const s = this.state.get(providerPaymentId)!;
    const next: ProviderSnapshot = {
      ...s,
      status: 'cancelled',
      providerStatus: 'CANCELLED',
      cancelledAmount: (s.authorizedAmount ?? 0) - (s.capturedAmount ?? 0),
    };
    this.state.set(providerPaymentId, next);
    return next;
  }

  private async doRefund(providerPaymentId: string, amount: { value: number }, key: string): Promise<ProviderSnapshot> {
    this.calls.refund.push({ providerPaymentId, amount, key });
    this.takeFailure('refund');
    const s = this.state.get(providerPaymentId)!;
    const next: ProviderSnapshot = {
      ...s,
      refundedAmount: (s.refundedAmount ?? 0) + amount.value,
      providerStatus: 'REFUNDED',
    };
    this.state.set(providerPaymentId, next);
    return next;
  }

  /**
   * Callbacks, authenticated by header `x-fake-auth: good`: JSON `{ id, event, status }`; express
   * checkouts also `{ kind: 'shipping-quote', id, address }` (answered `{ quoted: options }`) and
   * `{ kind: 'consent-removal', id, userId }`.
   */
  private async doHandleCallback(request: Request): Promise<CallbackResult> {
    if (request.headers.get('x-fake-auth') !== 'good')
      throw new ProviderError('unauthorized', 'bad callback signature');
    const body = (await request.json()) as {
      id: string;
      event: string;
      status?: ProviderSnapshot['status'];
      kind?: 'shipping-quote' | 'consent-removal';
      address?: Address;
      userId?: string;
    };
    if (body.kind === 'shipping-quote') {
      return {
        kind: 'shipping-quote',
        providerPaymentId: body.id,
        address: body.address!,
        reply: (options) => ({ quoted: options }),
      };
    }
    if (body.kind === 'consent-removal') {
      return { kind: 'consent-removal', providerPaymentId: body.id, providerUserId: body.userId! };
    }
    return {
      providerPaymentId: body.id,
      eventKey: body.event,
      ...(body.status ? { snapshot: { status: body.status, providerStatus: body.status.toUpperCase() } } : {}),
    };
  }
}

/** A fake without the optional operations at all (like a provider that has none). */
export function plainAdapter(options: FakeAdapterOptions = {}): ProviderAdapter {
  const fake = new FakeAdapter(options);
  return {
    id: fake.id,
    method: fake.method,
    currencies: fake.currencies,
    authorizedMeansPaid: fake.authorizedMeansPaid,
    listBanks: () => fake.listBanks(),
    createPayment: (i) => fake.createPayment(i),
    refresh: (id) => fake.refresh(id),
  };
}
