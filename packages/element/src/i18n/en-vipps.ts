/** The Vipps screen's English (it comes with that screen's chunk). */
export const enVipps = {
  'vipps.heading': 'Pay with Vipps',
  'vipps.phone': 'Mobile number (optional)',
  'vipps.phoneHint': 'Norwegian mobile number with 8 digits. Vipps fills it in for you.',
  'vipps.phoneInvalid': 'Enter a Norwegian mobile number with 8 digits, for example 912 34 567.',

  'pay.vipps': 'Pay {amount} with Vipps',
} as const;
