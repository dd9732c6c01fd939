/**
 * The payment methods the element knows, in the order the method choice lists them (a session's
 * methods are offered in this order). A new method is one module here; nothing else in the core
 * names a method.
 */
import type { PaymentMethod } from '@pay-with-bank/protocol';
import { bank } from './bank.js';
import type { MethodModule } from './method.js';
import { vipps } from './vipps.js';

export type { MethodModule, MethodTexts, MethodView, PayEnv } from './method.js';

export const METHODS: Readonly<Partial<Record<PaymentMethod, MethodModule>>> = {
  bank: bank as MethodModule,
  vipps: vipps as MethodModule,
};

export function methodModule(method: PaymentMethod): MethodModule {
  const module = METHODS[method];
  if (!module) throw new Error(`pay-with-bank: unknown payment method ${method}`);
  return module;
}
