/**
 * Everything of the checkout that touches the outside world, as a Lit ReactiveController: requests and
 * their aborts, timers and polling, the return URL and the tab's history entry, the language catalogue
 * and the payment chunk (loaded on demand), focus, the live region, remembered choices, and the
 * element's DOM events. What to do is decided by the pure flow (`flow/`); this runs it.
 */
import type { ReactiveController, ReactiveElement } from 'lit';
import { ApiClient, ApiError } from './api.js';
import { createPwbEvent, type PwbEventDetailMap, type PwbEventName } from './events.js';
import { coreEffects, coreTransition, screenOf } from './flow/core.js';
import { ONCE, type Effect, type Event, type Problem, type ScreenEvent, type Setup, type State } from './flow/state.js';
import { loadMessages, type MessageKey } from './i18n/index.js';
import { readMemory } from './memory.js';
import { methodModule } from './methods/index.js';
import { consumeReturnParams, type ReturnParams } from './return.js';
import { forgetReturnState } from './return-state.js';
import { newAttemptId, wait } from './util.js';

/** The flow from Pay on, its I/O and the screens showing a payment: a chunk next to the entry. */
export type PaymentPart = typeof import('./payment.js');

/** The element's attributes and properties, as the controller reads them. */
export interface CheckoutConfig {
  sessionToken: string;
  serverUrl: string;
  locale: string;
  methods: string;
  highlightedBanks: string;
  preselectedBank: string;
  rememberBank: boolean;
  pollInterval: number;
  pollLimit: number;
  requestTimeout: number;
  missingTokenDelay: number;
}

export interface CheckoutHooks {
  config(): CheckoutConfig;
  /** Leaves the page for the provider (top-level navigation). */
  navigate(url: string): void;
  isMobile(): boolean;
}

/** States the core of the flow handles on its own; any other needs the payment part. */
const CORE_KINDS: readonly State['kind'][] = ['no-token', 'loading', 'failed', 'methods', 'form'];

const words = (value: string) => value.split(/[\s,]+/).filter(Boolean);
const ignore = () => undefined;

/** Runs `task` when the browser is idle (or soon, where it has no requestIdleCallback). */
const whenIdle = (task: () => void) =>
  typeof requestIdleCallback === 'function' ? requestIdleCallback(task, { timeout: 3000 }) : setTimeout(task, 500);

export class CheckoutController implements ReactiveController {
  state: State = { kind: 'no-token' };
  /** What the live region says (a message key, rendered in the current language). */
  announcement: MessageKey | null = null;
  /** The payment part, once its chunk has loaded. */
  part: PaymentPart | null = null;

  readonly #host: ReactiveElement;
  readonly #hooks: CheckoutHooks;
  #api: ApiClient | null = null;
  #connected = false;
  /** Effects in flight by key; removing one aborts it. */
  readonly #running = new Map<string, AbortController>();
  /** One-shot effects already run (outcome reports: for the element's whole life). */
  readonly #done = new Set<string>();
  #startedKey: string | null = null;
  #tokenAtStart = '';
  #configKey = '';
  #locale = '';
  #returnParams: ReturnParams | null | undefined;
  #partLoad: Promise<PaymentPart> | null = null;
  #shownFirstScreen = false;
  #focusHeading = false;
  #focusInvalid = false;
  #ticker: ReturnType<typeof setInterval> | undefined;

  constructor(host: ReactiveElement, hooks: CheckoutHooks) {
    this.#host = host;
    this.#hooks = hooks;
    host.addController(this);
  }

  // ---------------------------------------------------------------- lifecycle

  hostConnected(): void {
    this.#connected = true;
    if (this.#returnParams === undefined) this.#returnParams = consumeReturnParams();
    window.addEventListener('pageshow', this.#onPageShow);
    this.#start();
  }

  hostDisconnected(): void {
    this.#connected = false;
    window.removeEventListener('pageshow', this.#onPageShow);
    this.#stop();
  }

  /** Before each render: follow changed attributes (a new token restarts, others reconfigure). */
  hostUpdate(): void {
    if (!this.#connected) return;
    const config = this.#hooks.config();
    if (this.#startedKey !== null && config.sessionToken !== this.#tokenAtStart && this.#returnParams) {
      // The page switched to another session: the return token no longer applies (nor after a reload).
      forgetReturnState(window.history, this.#returnParams.token);
      this.#returnParams = null;
    }
    this.#start();
    const key = this.#configKeyOf(config);
    if (key !== this.#configKey) {
      this.#configKey = key;
      this.#dispatch({ type: 'configure', setup: this.#setupOf(config) });
    }
    const locale = this.localeOf();
    if (locale !== this.#locale) {
      this.#locale = locale;
      // A catalogue that cannot load leaves English.
      loadMessages(locale).then(() => this.#host.requestUpdate(), ignore);
    }
  }

  /** After each render: move focus with the screen or to an invalid field, and keep a countdown ticking. */
  hostUpdated(): void {
    const root = this.#host.renderRoot as ShadowRoot;
    if (this.#focusHeading) root.querySelector<HTMLElement>('[data-screen-heading]')?.focus();
    if (this.#focusInvalid) root.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    this.#focusHeading = this.#focusInvalid = false;
    const { state } = this;
    const counting = state.kind === 'waiting' && state.payment?.next.type === 'wait' && !!state.payment.next.until;
    if (counting) this.#ticker ??= setInterval(() => this.#host.requestUpdate(), 1000);
    else this.#stopTicker();
  }

  /** Back/forward cache: the page was restored after leaving for the provider. Check again. */
  readonly #onPageShow = (event: PageTransitionEvent) => {
    if (!event.persisted || !this.#connected) return;
    this.#stop();
    this.#start();
  };

  #start(): void {
    const config = this.#hooks.config();
    const token = this.#returnParams?.token || config.sessionToken;
    const key = `${token}\n${config.serverUrl}`;
    if (key === this.#startedKey) return;
    this.#stop();
    this.#startedKey = key;
    this.#tokenAtStart = config.sessionToken;
    this.#configKey = this.#configKeyOf(config);
    if (!token) return this.#dispatch({ type: 'await-token' });
    this.#api = new ApiClient({ serverUrl: config.serverUrl, token, timeoutMs: config.requestTimeout });
    const returning = this.#returnParams?.paymentId ?? null;
    // Fetched beside the session read, not after it: the language (when the page says it) and, back
    // from a provider, the part that shows the payment.
    const early = config.locale || document.documentElement.lang;
    if (early) loadMessages(early).catch(ignore);
    if (returning) this.loadPart().catch(ignore);
    this.#dispatch({ type: 'load', setup: this.#setupOf(config), returning });
  }

  #stop(): void {
    for (const controller of this.#running.values()) controller.abort();
    this.#running.clear();
    for (const key of this.#done) if (!key.startsWith('report:')) this.#done.delete(key);
    this.#startedKey = this.#api = null;
    this.#stopTicker();
  }

  #stopTicker(): void {
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  // ---------------------------------------------------------------- the flow

  /** Events from the screens; Pay gets a fresh attempt id (used unless it repeats an attempt) and the device. */
  readonly send = (event: ScreenEvent): void => {
    if (event.type === 'pay') {
      this.#dispatch({ type: 'pay', attemptId: newAttemptId(), mobile: this.#hooks.isMobile() });
      this.#focusInvalid = this.state.kind === 'form'; // nothing started: show what is missing
    } else if (event.type === 'retry-start') {
      this.#dispatch({ type: 'retry-start', attemptId: newAttemptId() });
    } else {
      this.#dispatch(event);
    }
  };

  #dispatch(event: Event): void {
    const prev = this.state;
    const next = (this.part?.transition ?? coreTransition)(prev, event);
    if (next === prev) return;
    this.state = next;
    this.#observe(prev, next);
    this.#sync();
    this.#host.requestUpdate();
  }

  /** What a transition means for the page: events, focus, the live region, the payment part. */
  #observe(prev: State, next: State): void {
    if (prev.kind === 'loading' && 'ctx' in next) {
      const { session, methods } = next.ctx;
      const { id: sessionId, amount, reference } = session;
      this.#emit('pwb-ready', { sessionId, amount, reference, methods: [...methods] });
    }
    if (next.kind === 'failed' && prev.kind !== 'failed') this.#error(next.error);
    const screen = screenOf(next);
    const previousScreen = screenOf(prev);
    if (screen !== previousScreen) {
      if (screen !== 'loading') {
        // Focus moves with the screen, but not to the first one (the shopper has not acted yet) and
        // not away from something the shopper is busy with elsewhere on the page.
        const active = document.activeElement;
        const host = this.#host;
        const free = !active || active === document.body || active === host || host.contains(active);
        this.#focusHeading = this.#shownFirstScreen && free;
        this.#shownFirstScreen = true;
      }
      const paymentStatus = ('payment' in next && next.payment?.status) || null;
      this.#emit('pwb-state-change', { screen, previousScreen, paymentStatus });
    }
    this.announcement = this.part?.announcement(prev, next) ?? this.announcement;
    if (!CORE_KINDS.includes(next.kind)) this.loadPart().catch((error: ApiError) => this.#partFailed(next, error));
    // On a method's screen the shopper is about to pay: fetch what comes next while the browser is idle.
    else if (next.kind === 'form' && !this.#partLoad) whenIdle(() => this.loadPart().catch(ignore));
  }

  /** The payment part could not load (offline): the start failed, Pay says so and may be pressed again. */
  #partFailed(state: State, error: ApiError): void {
    if (state.kind !== 'starting') return;
    this.#error(error);
    this.#dispatch({ type: 'start-failed', attemptId: state.attempt.id, error });
  }

  /** Starts the effects the state wants that are not running; aborts those it no longer wants. */
  #sync(): void {
    if (!this.#connected) return;
    const part = this.part;
    const wanted = (part?.effects ?? coreEffects)(this.state);
    const keys = new Set(wanted.map((effect) => effect.key));
    for (const [key, controller] of this.#running) {
      if (!keys.has(key)) {
        controller.abort();
        this.#running.delete(key);
      }
    }
    for (const effect of wanted) {
      const { key } = effect;
      if (this.#running.has(key) || this.#done.has(key)) continue;
      if (ONCE.includes(effect.type)) {
        this.#done.add(key);
        part?.once(effect, this.#io());
        continue;
      }
      const controller = new AbortController();
      this.#running.set(key, controller);
      void this.#run(effect, controller.signal).then((answer) => {
        if (this.#running.get(key) === controller) this.#running.delete(key);
        if (answer && !controller.signal.aborted) this.#dispatch(answer);
      });
    }
  }

  /** Runs one effect; its answer as an event, or null when there is nothing to say (aborted). */
  async #run(effect: Effect, signal: AbortSignal): Promise<Event | null> {
    const config = this.#hooks.config();
    const api = this.#api!;
    if (effect.type === 'token-timeout') {
      return (await wait(config.missingTokenDelay, signal)) ? { type: 'token-timeout' } : null;
    }
    if (effect.type !== 'session' && effect.type !== 'data') return this.part!.run(effect, this.#io(), signal);
    try {
      if (effect.type === 'data') {
        const value = await methodModule(effect.method).load!(effect.dataKey, api, signal);
        return { type: 'data', key: effect.dataKey, value };
      }
      const returning = this.state.kind === 'loading' && this.state.returning;
      const session = await api.getSession(signal);
      // Nothing is shown before its language and, for a payment, the part that shows it are here.
      await Promise.all([
        loadMessages(config.locale || session.locale || this.localeOf()).catch(ignore),
        returning || session.payment ? this.loadPart() : null,
      ]);
      return { type: 'session', session };
    } catch (error) {
      if (signal.aborted) return null;
      const problem =
        error instanceof ApiError ? error : new ApiError('invalid_response', String((error as Error)?.message), true);
      if (effect.type === 'session') return { type: 'session-failed', error: problem };
      this.#error(problem);
      return { type: 'data-failed', key: effect.dataKey, error: problem };
    }
  }

  #io() {
    return {
      api: this.#api!,
      navigate: (url: string) => this.#hooks.navigate(url),
      emit: this.#emit,
      error: this.#error,
    };
  }

  // ---------------------------------------------------------------- helpers

  /** The payment part: one chunk next to the entry, fetched once (again after a failure). */
  loadPart(): Promise<PaymentPart> {
    this.#partLoad ??= import('./payment.js').then(
      (part) => {
        this.part = part;
        this.#sync(); // the effects only the payment part knows
        this.#host.requestUpdate();
        return part;
      },
      (error: unknown) => {
        this.#partLoad = null;
        // Most often a host that serves only the entry: say which file, for whoever sets it up.
        console.error('pay-with-bank: serve the pay-with-bank-*.js files next to pay-with-bank.js', error);
        throw new ApiError('network_error', 'Part of the payment widget could not be loaded', true);
      },
    );
    return this.#partLoad;
  }

  /** The shopper's language: the locale attribute, else the session's, the page's, the browser's. */
  localeOf(): string {
    const session = 'ctx' in this.state ? this.state.ctx.session : null;
    const config = this.#hooks.config();
    return config.locale || session?.locale || document.documentElement.lang || globalThis.navigator?.language || 'en';
  }

  #setupOf(config: CheckoutConfig): Setup {
    return {
      methods: words(config.methods),
      polling: { interval: config.pollInterval, limit: config.pollLimit },
      highlightedBanks: words(config.highlightedBanks),
      preselectedBank: config.preselectedBank.trim() || null,
      remembered: config.rememberBank ? readMemory() : {},
      remember: config.rememberBank,
    };
  }

  #configKeyOf(c: CheckoutConfig): string {
    return JSON.stringify([
      c.methods,
      c.pollInterval,
      c.pollLimit,
      c.highlightedBanks,
      c.preselectedBank,
      c.rememberBank,
    ]);
  }

  readonly #emit = <K extends PwbEventName>(type: K, detail: PwbEventDetailMap[K]): void => {
    this.#host.dispatchEvent(createPwbEvent(type, detail));
  };

  readonly #error = (error: Problem): void => {
    this.#emit('pwb-error', { code: error.code, message: error.message, retryable: error.retryable });
  };
}
