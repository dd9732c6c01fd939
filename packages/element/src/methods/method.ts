/**
 * A payment method as the checkout's core sees it: its screen, its part of the start request, its
 * texts, and the pure logic of its form. The core (flow, controller, element) asks a method module
 * instead of asking which method it is; adding a method is a new module in `methods/index.ts`.
 */
import type { TemplateResult } from 'lit/html.js';
import type { CheckoutPayment, CheckoutSession, PaymentMethod, StartPaymentRequest } from '@pay-with-bank/protocol';
import type { ApiClientOptions } from '../api/request.js';
import type { Screen } from '../events.js';
import type { Context, Send, State } from '../flow/state.js';
import type { MessageKey, Messages, Translator } from '../i18n/index.js';

/** The method's own fields of the start request. */
export type MethodRequest = Omit<StartPaymentRequest, 'method' | 'attemptId' | 'replace'>;

/** What the element knows about the device when the shopper presses Pay. */
export interface PayEnv {
  /** A phone or tablet: providers with an app switch to it. */
  mobile: boolean;
}

/** The message keys the core screens use for this method. */
export interface MethodTexts {
  /** The method choice button and the line under it. */
  name: MessageKey;
  description: MessageKey;
  /** "Taking you to …" */
  redirecting: MessageKey;
  /** The waiting screen's heading and text, and its "Continue at …" link. */
  waitingHeading: MessageKey;
  waitingText: MessageKey;
  continue: MessageKey;
  /** Methods with an express checkout (shipping chosen in the provider's app): the "buy now" button. */
  express?: MessageKey;
}

/** What a method's screen renders from: the state (form, starting, opening), its form, and the device. */
export interface MethodView<F> {
  state: Extract<State, { kind: 'form' | 'starting' | 'opening' }>;
  form: F;
  tr: Translator;
  send: Send;
  mobile: boolean;
}

/** A method's screen: renders its view. */
export type RenderMethod<F = unknown> = (view: MethodView<F>) => TemplateResult;

/** A method's screen in a chunk of its own: the render function and its English. */
export interface MethodScreen<F = unknown> {
  render: RenderMethod<F>;
  texts: Messages;
}

export interface MethodModule<F = unknown, I = unknown> {
  readonly id: PaymentMethod;
  /** The screen name reported in pwb-state-change while this method's form is shown. */
  readonly screen: Screen;
  readonly texts: MethodTexts;
  /**
   * The form when the shopper comes to this method: `previous` is the form they left (kept), `retry`
   * the payment of a "Try again" (its choice is selected again).
   */
  form(ctx: Context, previous: F | undefined, retry?: CheckoutPayment): F;
  /** The form after an input from its screen. Pure. */
  input(form: F, input: I, ctx: Context): F;
  /**
   * Pay: the method's fields of the start request, or the form marked with what is missing (then no
   * request is made).
   */
  submit(form: F, ctx: Context, env: PayEnv): { request: MethodRequest } | { form: F };
  /** Data keys the form needs and the context does not hold yet (the controller loads them with `load`). */
  needs?(form: F, ctx: Context): string[];
  load?(key: string, api: ApiClientOptions, signal: AbortSignal): Promise<unknown>;
  /** The form after data arrived. Pure. */
  sync?(form: F, ctx: Context): F;
  /** Data the session read already carries (the default country's banks). */
  seed?(session: CheckoutSession): Record<string, unknown>;
  /** With `remember-bank`: what to remember on this device when the shopper leaves for `payment`'s provider. */
  memo?(ctx: Context, payment: CheckoutPayment): unknown;
  /**
   * The screen: `render` when it ships in the script-tag entry (the bank list), else `loadScreen`, a
   * chunk next to the entry, fetched when the shopper may choose the method and shown once it is here.
   */
  render?: RenderMethod<F>;
  loadScreen?(): Promise<MethodScreen<F>>;
}
