/**
 * The change bus across server instances on one PostgreSQL database: LISTEN/NOTIFY.
 *
 * Each instance keeps one dedicated connection (outside the store's pool, which hands connections
 * out per query and cannot hold a LISTEN) that LISTENs on one channel. After the ledger commits a
 * change, the instance tells its own listeners at once and sends `NOTIFY pwb_payment_changed,
 * '<instance>:<paymentId>'` on that connection; the other instances hear it and tell theirs. The
 * notification carries no payment data: listeners re-read the payment from the store.
 *
 * The connection reconnects by itself (backoff up to a few seconds). Changes committed while it was
 * away were not heard, so after every (re)connect each listener is told to re-read. A NOTIFY that
 * cannot be sent (the connection is down) is lost for the other instances: their streams catch up
 * on their next re-read (each watched payment is re-read on the polling schedule, live/poller.ts,
 * or on the next change).
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type pg from 'pg';
import type { Logger } from '../log.js';
import { asStoreUnavailable } from '../store/postgres-connection.js';
import { LocalListeners, type ChangeBus, type ChangeListener } from './bus.js';

// node-postgres is loaded on first use, as by the store: a server on SQLite never loads it.
const require = createRequire(import.meta.url);

/** The one channel (database-wide; a payment id nobody here watches is ignored). */
export const CHANGE_CHANNEL = 'pwb_payment_changed';
/** How the live connection shows in pg_stat_activity. */
export const LIVE_APPLICATION_NAME = 'pay-with-bank-live';

export interface PostgresChangeBusOptions {
  /** The database URL (PWB_DATABASE). */
  url: string;
  logger: Logger;
  /** First and largest wait before reconnecting, ms (default 100 and 5000). */
  reconnectDelayMs?: { initial: number; max: number };
  /** Give up one connection attempt after this long (default 5 s), then wait and try again. */
  connectTimeoutMs?: number;
}

export class PostgresChangeBus implements ChangeBus {
  /** Tells this instance's own notifications (already dispatched here) from the others'. */
  readonly instanceId = randomBytes(6).toString('hex');
  private readonly listeners: LocalListeners;
  /** The connection being opened or in use; null while waiting to reconnect. */
  private current: pg.Client | null = null;
  /** The connection once it LISTENs. */
  private listening: pg.Client | null = null;
  private readonly dropped = new WeakSet<pg.Client>();
  private retryTimer: NodeJS.Timeout | null = null;
  private delayMs: number;
  private closed = false;
  private connectCount = 0;
  private readonly firstListen: Promise<void>;
  private resolveFirstListen!: () => void;

  constructor(private readonly options: PostgresChangeBusOptions) {
    this.listeners = new LocalListeners(options.logger);
    this.delayMs = this.delays.initial;
    this.firstListen = new Promise((resolve) => (this.resolveFirstListen = resolve));
    this.connect();
  }

  private get delays(): { initial: number; max: number } {
    return this.options.reconnectDelayMs ?? { initial: 100, max: 5_000 };
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** How many times the connection started listening (1 + reconnects). */
  get connects(): number {
    return this.connectCount;
  }

  /** The server process id of the listening connection (pg_terminate_backend in tests), or null. */
  get backendPid(): number | null {
    return (this.listening as { processID?: number } | null)?.processID ?? null;
  }

  /** Resolves once the connection first listens (the bus works before: local listeners only). */
  ready(): Promise<void> {
    return this.firstListen;
  }

  publish(paymentId: string): void {
    this.listeners.dispatch(paymentId);
    const client = this.listening;
    if (!client) {
      this.options.logger.debug('live status: change not sent to other instances (reconnecting)', { paymentId });
      return;
    }
    client.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, `${this.instanceId}:${paymentId}`]).catch((error) =>
      this.options.logger.warn('live status: change not sent to other instances', {
        paymentId,
        error: asStoreUnavailable(error).message,
      }),
    );
  }

  subscribe(paymentId: string, listener: ChangeListener): () => void {
    return this.listeners.add(paymentId, listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.current;
    this.current = null;
    this.listening = null;
    if (client) {
      this.dropped.add(client);
      await client.end().catch(() => {});
    }
  }

  private connect(): void {
    if (this.closed) return;
    const { Client } = require('pg') as typeof pg;
    const client = new Client({
      connectionString: this.options.url,
      application_name: LIVE_APPLICATION_NAME,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5_000,
      // A peer that vanished without a FIN or RST is noticed within a minute, not hours.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    this.current = client;
    client.on('error', (error) => this.drop(client, error));
    client.on('end', () => this.drop(client, null));
    client.on('notification', (message) => this.heard(message));
    client
      .connect()
      .then(() => client.query(`LISTEN ${CHANGE_CHANNEL}`))
      .then(() => {
        if (this.dropped.has(client)) return;
        this.listening = client;
        this.delayMs = this.delays.initial;
        this.connectCount++;
        if (this.connectCount > 1) this.options.logger.info('live status: listening for changes again');
        this.resolveFirstListen();
        // Whatever changed while nobody here was listening: every stream re-reads its payment.
        this.listeners.dispatchAll();
      })
      .catch((error: unknown) => this.drop(client, error));
  }

  /** The connection failed or ended (once per connection): forget it and reconnect after a while. */
  private drop(client: pg.Client, error: unknown): void {
    if (this.dropped.has(client)) return;
    this.dropped.add(client);
    if (this.current === client) this.current = null;
    if (this.listening === client) this.listening = null;
    client.end().catch(() => {});
    if (this.closed) return;
    // One warning per outage; the attempts after it (every few seconds while it lasts) are debug.
    const fields = { error: error ? asStoreUnavailable(error).message : 'connection ended', retryInMs: this.delayMs };
    if (this.delayMs === this.delays.initial) {
      this.options.logger.warn(
        'live status: the database connection for change notifications is down; reconnecting',
        fields,
      );
    } else {
      this.options.logger.debug('live status: reconnecting for change notifications failed; trying again', fields);
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, this.delayMs);
    this.retryTimer.unref();
    this.delayMs = Math.min(this.delays.max, this.delayMs * 2);
  }

  private heard(message: pg.Notification): void {
    if (message.channel !== CHANGE_CHANNEL || !message.payload) return;
    const at = message.payload.indexOf(':');
    if (at < 0) return;
    if (message.payload.slice(0, at) === this.instanceId) return; // dispatched here when published
    const paymentId = message.payload.slice(at + 1);
    if (paymentId.length > 0 && paymentId.length <= 128) this.listeners.dispatch(paymentId);
  }
}
