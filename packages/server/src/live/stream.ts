/**
 * One live status stream: the `text/event-stream` body of GET /v1/checkout/payments/{id}/events.
 *
 *   event: payment   data: {"payment": CheckoutPayment}   the current state, then one per change
 *   : heartbeat                                            every heartbeatMs (proxies keep it open)
 *   event: end       data: {"reason": …}                   then the stream closes
 *
 * On each notification from the change bus it re-reads the payment and sends it when its version
 * moved (re-reads of one stream never overlap; notifications meanwhile lead to one more read, so
 * quick successive changes may arrive as one, the latest). It ends itself after a final state
 * (`final`), at its maximum age (`lifetime`) or when the server stops (`shutdown`), and tears down
 * (timers, bus listener, abort listener, the limits and the poller's watch, through `onClose`)
 * exactly once, whether it ended or the client went away.
 */
import {
  isTerminal,
  PAYMENT_STREAM_EVENTS,
  type CheckoutPayment,
  type PaymentStreamEnd,
  type PaymentStreamEvent,
} from '@pay-with-bank/protocol';
import type { Logger } from '../log.js';
import type { PaymentRecord } from '../store/store.js';

/** The state the browser stops watching at: the checkout is paid, or the payment is over. */
export function isFinalView(view: CheckoutPayment): boolean {
  return view.settled || (isTerminal(view.status) && view.next.type === 'none');
}

export interface PaymentStreamOptions {
  paymentId: string;
  read(): Promise<PaymentRecord | null>;
  view(payment: PaymentRecord): CheckoutPayment;
  heartbeatMs: number;
  /** Close (reason `lifetime`) after this long. */
  lifetimeMs: number;
  /** The request's signal: aborted when the client goes away. */
  signal?: AbortSignal;
  logger: Logger;
  /** Runs once, when the stream is over for any reason. */
  onClose(reason: string): void;
}

/** Queued messages the client has not taken (a reader that stopped reading) before it is dropped. */
const MAX_QUEUED_MESSAGES = 256;

const encoder = new TextEncoder();

export class PaymentStream {
  readonly body: ReadableStream<Uint8Array>;
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  private lastVersion = -1;
  private reading = false;
  private readAgain = false;
  private closed = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private lifetime: NodeJS.Timeout | null = null;
  private readonly onAbort = () => this.teardown('client gone');
  private sent = 0;
  private readonly openedAt = Date.now();

  constructor(
    private readonly options: PaymentStreamOptions,
    first: PaymentRecord,
  ) {
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      cancel: () => this.teardown('client gone'),
    });
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    // Unref'd: an open stream's socket keeps a server process alive, its timers need not.
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), options.heartbeatMs).unref();
    this.lifetime = setTimeout(() => this.end('lifetime'), options.lifetimeMs).unref();
    this.offer(first);
    if (options.signal?.aborted) this.teardown('client gone');
  }

  get paymentId(): string {
    return this.options.paymentId;
  }

  /** Whether the stream is over (ended, or the client went away). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The bus says the payment changed (or may have): re-read it. */
  changed(): void {
    if (this.closed) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    void this.readLoop();
  }

  /** A read of the payment made elsewhere (the poller's): send it when it is newer. */
  offer(payment: PaymentRecord): void {
    if (this.closed || payment.version <= this.lastVersion) return;
    this.lastVersion = payment.version;
    const view = this.options.view(payment);
    const data: PaymentStreamEvent = { payment: view };
    this.sent++;
    this.write(`event: ${PAYMENT_STREAM_EVENTS.payment}\ndata: ${JSON.stringify(data)}\n\n`);
    if (isFinalView(view)) this.end('final');
  }

  /** Send `end` with its reason and close. */
  end(reason: PaymentStreamEnd['reason']): void {
    if (this.closed) return;
    const data: PaymentStreamEnd = { reason };
    this.write(`event: ${PAYMENT_STREAM_EVENTS.end}\ndata: ${JSON.stringify(data)}\n\n`);
    try {
      this.controller?.close();
    } catch {
      // already closed by the client
    }
    this.teardown(reason);
  }

  private async readLoop(): Promise<void> {
    try {
      do {
        this.readAgain = false;
        let payment: PaymentRecord | null;
        try {
          payment = await this.options.read();
        } catch (error) {
          // The database is away: the next notification or poll reads again.
          this.options.logger.warn('live status: could not read a watched payment', {
            paymentId: this.options.paymentId,
            error,
          });
          return;
        }
        if (payment) this.offer(payment);
      } while (this.readAgain && !this.closed);
    } finally {
      this.reading = false;
    }
  }

  private write(text: string): void {
    if (this.closed || !this.controller) return;
    try {
      this.controller.enqueue(encoder.encode(text));
    } catch {
      this.teardown('client gone');
      return;
    }
    if ((this.controller.desiredSize ?? 0) < -MAX_QUEUED_MESSAGES) {
      this.options.logger.warn('live status: a stream’s client stopped reading; closing it', {
        paymentId: this.options.paymentId,
      });
      try {
        this.controller.error(new Error('the client stopped reading'));
      } catch {
        // already errored
      }
      this.teardown('client stopped reading');
    }
  }

  private teardown(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.lifetime) clearTimeout(this.lifetime);
    this.heartbeat = null;
    this.lifetime = null;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.options.logger.debug('live status stream closed', {
      paymentId: this.options.paymentId,
      reason,
      events: this.sent,
      ms: Date.now() - this.openedAt,
    });
    this.options.onClose(reason);
  }
}
