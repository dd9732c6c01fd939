/**
 * The payment methods the element knows, in the order the method choice lists them (a session's
 * methods are offered in this order). A new method is one module here; nothing else in the core
 * names a method.
 */
import type { PaymentMethod } from '@pay-with-bank/protocol';
import { addEnglish } from '../i18n/index.js';
import { bank } from './bank.js';
import type { MethodModule, RenderMethod } from './method.js';
import { vipps } from './vipps.js';

export type { MethodModule, MethodScreen, MethodTexts, MethodView, PayEnv, RenderMethod } from './method.js';

export const METHODS: Readonly<Partial<Record<PaymentMethod, MethodModule>>> = {
  bank: bank as MethodModule,
  vipps: vipps as MethodModule,
};

export function methodModule(method: PaymentMethod): MethodModule {
  const module = METHODS[method];
  if (!module) throw new Error(`pay-with-bank: unknown payment method ${method}`);
  return module;
}

/** Screens that came in chunks of their own, by method. */
const loadedScreens = new Map<PaymentMethod, RenderMethod>();
const screenLoads = new Map<PaymentMethod, Promise<void>>();

/** The method's screen, or undefined while its chunk is not here (see {@link loadScreen}). */
export function methodScreen(method: PaymentMethod): RenderMethod | undefined {
  return methodModule(method).render ?? loadedScreens.get(method);
}

/** Fetches the method's screen (once; again after a failure); resolves at once for a screen in the entry. */
export function loadScreen(method: PaymentMethod): Promise<void> {
  const module = methodModule(method);
  if (!module.loadScreen || loadedScreens.has(method)) return Promise.resolve();
  let load = screenLoads.get(method);
  if (!load) {
    load = module.loadScreen().then(
      ({ render, texts }) => {
        addEnglish(texts);
        loadedScreens.set(method, render);
      },
      (error: unknown) => {
        screenLoads.delete(method);
        throw error;
      },
    );
    screenLoads.set(method, load);
  }
  return load;
}
