/**
 * Everything of the checkout that touches the outside world, as a Lit ReactiveController: requests and
 * their aborts, timers and polling, the return URL and the tab's history entry, the language catalogue,
 * the chunks loaded on demand (the payment part, a method's screen), focus, the live region,
 * remembered choices, and the element's DOM events. What to do is decided by the pure flow (`flow/`);
 * this runs it.
 */
import type { ReactiveController } from 'lit';
import { ApiError, getSession, invalid, type ApiClientOptions } from './api/request.js';
import { takeSessionRead } from './early-session.js';
import type { ReactiveBase } from './element-base.js';
import { createPwbEvent, type PwbEventDetailMap, type PwbEventName } from './events.js';
import { coreEffects, coreTransition, screenOf, withForm } from './flow/core.js';
import {
  ONCE,
  type Effect,
  type Event,
  type ExpressStart,
  type Problem,
  type ScreenEvent,
  type Setup,
  type State,
} from './flow/state.js';
import { addEnglish, loadMessages, type MessageKey } from './i18n/index.js';
import { readMemory } from './memory.js';
import { loadScreen, methodModule, methodScreen } from './methods/index.js';
import { takeReturnParams } from './return-hint.js';
import type { ReturnParams } from './return-state.js';
import { newAttemptId, retryingImport, wait } from './util.js';

/**
 * The flow from Pay on, its I/O and the screens showing a payment, the return from a provider, and
 * their English and styles: a chunk next to the entry.
 */
export type PaymentPart = typeof import('./payment.js');
/** Express mode's "buy now" button and its `createSession` call: a chunk next to the entry. */
export type ExpressPart = typeof import('./express.js');

/** The element's attributes and properties, as the controller reads them. */
export interface CheckoutConfig {
  sessionToken: string;
  serverUrl: string;
  locale: string;
  methods: string;
  highlightedBanks: string;
  preselectedBank: string;
  rememberBank: boolean;
  /** Wait with the server's live status stream (polling when it fails). */
  liveStatus: boolean;
  pollInterval: number;
  pollLimit: number;
  requestTimeout: number;
  /** `express`: a "buy now" button that creates its session with `createSession` when pressed. */
  mode: string;
  createSession: (() => Promise<string>) | null;
}

export interface CheckoutHooks {
  config(): CheckoutConfig;
  /** With no token at all, how long to wait for a script to set one. */
  missingTokenDelay(): number;
  /** Leaves the page for the provider (top-level navigation). */
  navigate(url: string): void;
  isMobile(): boolean;
  /** Adds the styles (CSS text) of a chunk that has loaded to the element's own. */
  addStyles(css: string): void;
}

/** States the core of the flow handles on its own; any other needs the payment part. */
const CORE_KINDS: readonly State['kind'][] = [
  'no-token',
  'express',
  'creating-session',
  'loading',
  'failed',
  'methods',
  'form',
];

const words = (value: string) => value.split(/[\s,]+/).filter(Boolean);
/** A chunk next to the entry did not load (offline, or a host that serves only the entry). */
const chunkError = () => new ApiError('network_error', 'Part of the payment widget could not be loaded', true);
const ignore = () => undefined;

const importPart = retryingImport(() => import('./payment.js'));
const importExpress = retryingImport(() => import('./express.js'));

/** Runs `task` when the browser is idle (or soon, where it has no requestIdleCallback). */
const whenIdle = (task: () => void) =>
  typeof requestIdleCallback === 'function' ? requestIdleCallback(task, { timeout: 3000 }) : setTimeout(task, 500);

export class CheckoutController implements ReactiveController {
  state: State = { kind: 'no-token' };
  /** What the live region says (a message key, rendered in the current language). */
  announcement: MessageKey | null = null;
  /** The payment part, once its chunk has loaded. */
  part: PaymentPart | null = null;
  /** Express mode's part, once its chunk has loaded. */
  express: ExpressPart | null = null;

  readonly #host: ReactiveBase;
  readonly #hooks: CheckoutHooks;
  #api: ApiClientOptions | null = null;
  #connected = false;
  /** Effects in flight by key; removing one aborts it. */
  readonly #running = new Map<string, AbortController>();
  /** One-shot effects already run (outcome reports: for the element's whole life). */
  readonly #done = new Set<string>();
  #startedKey: string | null = null;
  #tokenAtStart = '';
  #configKey = '';
  #locale = '';
  /** Undefined until known: on a return from a provider, the payment part reads them first. */
  #returnParams: ReturnParams | null | undefined;
  /** The chunks loading or loaded, by the property they land in; a failed one is dropped (tried again). */
  readonly #loads = new Map<'part' | 'express', Promise<PaymentPart | ExpressPart>>();
  #prefetched = false;
  #shownFirstScreen = false;
  #focusHeading = false;
  #focusInvalid = false;
  #ticker: ReturnType<typeof setInterval> | undefined;
  /** Express mode: the token `createSession` gave, and the start waiting for its session read. */
  #expressToken = '';
  #expressStart: ExpressStart | null = null;

  constructor(host: ReactiveBase, hooks: CheckoutHooks) {
    this.#host = host;
    this.#hooks = hooks;
    host.addController(this);
  }

  // ---------------------------------------------------------------- lifecycle

  hostConnected(): void {
    this.#connected = true;
    window.addEventListener('pageshow', this.#onPageShow);
    if (this.#returnParams === undefined) {
      if (takeReturnParams()) {
        // Back from a provider: the payment part reads the token the return URL (or this tab's
        // history entry) names, and nothing starts before.
        const resume = (params: ReturnParams | null) => {
          this.#returnParams ??= params;
          if (this.#connected) this.#start();
        };
        this.loadPart().then(
          (part) => resume(part.consumeReturnParams()),
          () => resume(null),
        );
        return;
      }
      this.#returnParams = null;
    }
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
      // (Return params come from the payment part, so it is here.)
      this.part!.forgetReturnState(window.history, this.#returnParams.token);
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
    // Not while a screen's code is still loading (the loading screen stands in for it).
    if (!root.querySelector('[data-screen="loading"]')) {
      if (this.#focusHeading) root.querySelector<HTMLElement>('[data-screen-heading]')?.focus();
      if (this.#focusInvalid) root.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      this.#focusHeading = this.#focusInvalid = false;
    }
    if (this.part?.counting(this.state)) this.#ticker ??= setInterval(() => this.#host.requestUpdate(), 1000);
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
    const token = this.#returnParams?.token || config.sessionToken || this.#expressToken;
    const key = `${token}\n${config.serverUrl}`;
    if (this.#returnParams === undefined || key === this.#startedKey) return;
    this.#stop();
    this.#startedKey = key;
    this.#tokenAtStart = config.sessionToken;
    this.#configKey = this.#configKeyOf(config);
    if (!token) return this.#dispatch({ type: config.mode === 'express' ? 'express-ready' : 'await-token' });
    this.#api = { serverUrl: config.serverUrl, token, timeoutMs: config.requestTimeout };
    const returning = this.#returnParams?.paymentId ?? null;
    // Fetched beside the session read, not after it: the language, when the page says it.
    const early = config.locale || document.documentElement.lang;
    if (early) loadMessages(early).catch(ignore);
    const express = this.#expressStart ?? undefined;
    this.#expressStart = null;
    this.#dispatch({ type: 'load', setup: this.#setupOf(config), returning, ...(express ? { express } : {}) });
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
    } else if (event.type === 'buy') {
      this.#dispatch({ type: 'buy', attemptId: newAttemptId(), mobile: this.#hooks.isMobile() });
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
    if (next.kind === 'express' && !this.express) {
      // Without its chunk there is no button: the error screen says so and offers to try again.
      this.#load('express', importExpress).catch((error: ApiError) =>
        this.#dispatch({ type: 'express-unavailable', error }),
      );
    }
    if (withForm(next) && !methodScreen(next.method)) {
      // Chosen before its screen came: show it when it does, or go back to the choice if it cannot.
      loadScreen(next.method).then(
        () => this.#host.requestUpdate(),
        () => {
          this.#error(chunkError());
          this.#dispatch({ type: 'back' });
        },
      );
    }
    if ((next.kind === 'methods' || next.kind === 'form') && !this.#prefetched) {
      // The shopper is choosing: fetch what may come next (the methods' screens, the part from Pay on)
      // while the browser is idle.
      this.#prefetched = true;
      whenIdle(() => {
        for (const method of next.ctx.methods) loadScreen(method).catch(ignore);
        this.loadPart().catch(ignore);
      });
    }
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
      if (!(await wait(this.#hooks.missingTokenDelay(), signal))) return null;
      await this.loadPart().catch(ignore); // its English says what is missing
      return signal.aborted ? null : { type: 'token-timeout' };
    }
    if (effect.type === 'create-session') return this.#createSession(config, signal);
    if (effect.type !== 'session' && effect.type !== 'data') return this.part!.run(effect, this.#io(), signal);
    try {
      if (effect.type === 'data') {
        const value = await methodModule(effect.method).load!(effect.dataKey, api, signal);
        return { type: 'data', key: effect.dataKey, value };
      }
      const state = this.state;
      const returning = state.kind === 'loading' && state.returning;
      const session = await getSession(api, signal, takeSessionRead(api, signal));
      const event: Event = { type: 'session', session };
      const next = coreTransition(state, event);
      // Nothing is shown before its language and the code that shows it are here: for a payment, the
      // part; for a method's screen in a chunk of its own (the only method offered), that chunk.
      await Promise.all([
        loadMessages(config.locale || session.locale || this.localeOf()).catch(ignore),
        returning || session.payment ? this.loadPart() : null,
        withForm(next)
          ? loadScreen(next.method).catch((): never => {
              throw chunkError();
            })
          : null,
      ]);
      if (session.payment && !this.part!.isPayment(session.payment)) throw invalid('session');
      return event;
    } catch (error) {
      if (signal.aborted) return null;
      const problem =
        error instanceof ApiError ? error : new ApiError('invalid_response', String((error as Error)?.message), true);
      // The wording of errors is the payment part's English: shown once it is here (or not coming).
      await this.loadPart().catch(ignore);
      if (signal.aborted) return null;
      if (effect.type === 'session') return { type: 'session-failed', error: problem };
      this.#error(problem);
      return { type: 'data-failed', key: effect.dataKey, error: problem };
    }
  }

  /**
   * Express mode: the page creates the session on its backend (which fixes the amount) and gives its
   * client token; then the element reads it and starts the payment, as one press of the button.
   */
  async #createSession(config: CheckoutConfig, signal: AbortSignal): Promise<Event | null> {
    const state = this.state;
    // The button that was pressed is the express part's: it is here.
    const token = await this.express!.createToken(config.createSession);
    if (signal.aborted || state.kind !== 'creating-session') return null;
    if (typeof token !== 'string') {
      this.#error(token);
      return { type: 'session-not-created', error: token };
    }
    this.#expressToken = token;
    this.#expressStart = state.start;
    queueMicrotask(() => this.#start());
    return null;
  }

  #io() {
    return {
      api: this.#api!,
      navigate: (url: string) => this.#hooks.navigate(url),
      emit: this.#emit,
      error: this.#error,
      dispatch: (event: Event) => this.#dispatch(event),
    };
  }

  // ---------------------------------------------------------------- helpers

  /** The payment part: one chunk next to the entry, fetched once (again after a failure). */
  loadPart(): Promise<PaymentPart> {
    return this.#load('part', importPart);
  }

  /** A chunk next to the entry with its English and styles, fetched once (again after a failure). */
  #load<T extends PaymentPart | ExpressPart>(name: 'part' | 'express', load: () => Promise<T>): Promise<T> {
    let loading = this.#loads.get(name) as Promise<T> | undefined;
    if (!loading) {
      loading = load().then(
        (chunk) => {
          addEnglish(chunk.texts);
          this.#hooks.addStyles(chunk.styles);
          (this as Record<typeof name, unknown>)[name] = chunk;
          this.#sync(); // the effects only the payment part knows
          this.#host.requestUpdate();
          return chunk;
        },
        (error: unknown) => {
          this.#loads.delete(name);
          // Most often a host that serves only the entry: say which file, for whoever sets it up.
          console.error('pay-with-bank: serve the pay-with-bank-*.js files next to pay-with-bank.js', error);
          throw chunkError();
        },
      );
      this.#loads.set(name, loading);
    }
    return loading;
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
      live: config.liveStatus,
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
      c.liveStatus,
    ]);
  }

  readonly #emit = <K extends PwbEventName>(type: K, detail: PwbEventDetailMap[K]): void => {
    this.#host.dispatchEvent(createPwbEvent(type, detail));
  };

  readonly #error = (error: Problem): void => {
    this.#emit('pwb-error', { code: error.code, message: error.message, retryable: error.retryable });
  };
}
