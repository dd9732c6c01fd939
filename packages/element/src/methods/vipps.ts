/**
 * Vipps: an optional Norwegian mobile number that pre-fills the Vipps landing page (on a phone Vipps
 * switches to its app instead, so the number is not asked for). The form's logic is here, in the
 * script-tag entry; its screen is a chunk (`screens/vipps-phone.ts`), fetched while the shopper looks
 * at the method choice and shown when they choose Vipps.
 */
import { NORWEGIAN_MOBILE_PATTERN } from '@pay-with-bank/protocol/constants';
import { retryingImport } from '../util.js';
import type { MethodModule } from './method.js';

export interface VippsForm {
  phone: string;
  /** Pay was pressed with a number that is not a Norwegian mobile number. */
  invalid: boolean;
}

export type VippsInput = { type: 'phone'; value: string };

/** "912 34 567" → "91234567"; empty stays empty; null when it is not a Norwegian mobile number. */
export function normalizePhoneNumber(input: string): string | null {
  const compact = input.replace(/[\s-]/g, '');
  if (compact === '') return '';
  return NORWEGIAN_MOBILE_PATTERN.test(compact) ? compact : null;
}

const importScreen = retryingImport(() => import('../screens/vipps-phone.js'));

export const vipps: MethodModule<VippsForm, VippsInput> = {
  id: 'vipps',
  screen: 'vipps-phone',
  texts: {
    name: 'method.vipps',
    description: 'method.vipps.description',
    redirecting: 'redirecting.heading.vipps',
    waitingHeading: 'waiting.heading.vipps',
    waitingText: 'waiting.text.vipps',
    continue: 'waiting.continue.vipps',
    express: 'express.button.vipps',
  },

  form: (_ctx, previous) => previous ?? { phone: '', invalid: false },

  // The error goes away as soon as the number is valid, not only on the next Pay.
  input: (form, input) => ({ phone: input.value, invalid: form.invalid && normalizePhoneNumber(input.value) === null }),

  submit(form, _ctx, { mobile }) {
    const phone = mobile ? '' : normalizePhoneNumber(form.phone);
    if (phone === null) return { form: { ...form, invalid: true } };
    return { request: { ...(phone ? { phoneNumber: phone } : {}), mobile } };
  },

  loadScreen: () => importScreen().then((chunk) => chunk.vippsScreen),
};
