/**
 * Phone numbers as the sandbox's "registered users" see them. Vipps tries to correct badly formatted
 * numbers (spaces, +47) before giving up with eCom error 81; the sandbox does the same.
 * Rule of the sandbox: every valid mobile number of the market is a registered Vipps/MobilePay user.
 */
import type { EpaymentCurrency } from './state.js';

interface Market {
  countryCode: string;
  /** National significant number of a mobile phone. */
  mobile: RegExp;
  example: string;
}

const MARKETS: Record<EpaymentCurrency, Market> = {
  // Norwegian mobile numbers are 8 digits starting with 4 or 9.
  NOK: { countryCode: '47', mobile: /^[49]\d{7}$/, example: '91234567' },
  // Danish numbers are 8 digits, none starts with 0 or 1.
  DKK: { countryCode: '45', mobile: /^[2-9]\d{7}$/, example: '21234567' },
  // Finnish mobiles: 04x / 050 without the trunk 0, 7–10 digits.
  EUR: { countryCode: '358', mobile: /^(4\d|50)\d{5,8}$/, example: '401234567' },
};

export interface PhoneNumber {
  /** National number, as the landing page shows it. */
  national: string;
  /** MSISDN: country code + national number, digits only. */
  msisdn: string;
}

/** Normalises user or merchant input; null when it is not a mobile number of the market. */
export function parseMobileNumber(input: string, currency: EpaymentCurrency = 'NOK'): PhoneNumber | null {
  const market = MARKETS[currency];
  let digits = input.replace(/[\s\-.()]/g, '');
  if (digits.startsWith('+')) digits = digits.slice(1);
  else if (digits.startsWith('00')) digits = digits.slice(2);
  else if (market.mobile.test(digits)) return { national: digits, msisdn: market.countryCode + digits };
  else if (currency === 'EUR' && digits.startsWith('0') && market.mobile.test(digits.slice(1))) {
    return { national: digits.slice(1), msisdn: market.countryCode + digits.slice(1) };
  }
  if (!/^\d+$/.test(digits) || !digits.startsWith(market.countryCode)) return null;
  const national = digits.slice(market.countryCode.length);
  return market.mobile.test(national) ? { national, msisdn: digits } : null;
}

/** A hint for the landing page's validation message. */
export function exampleMobileNumber(currency: EpaymentCurrency = 'NOK'): string {
  return MARKETS[currency].example;
}

/** "+47 912 34 567"-style display for the waiting page. */
export function formatPhoneForDisplay(phone: PhoneNumber): string {
  const countryCode = phone.msisdn.slice(0, phone.msisdn.length - phone.national.length);
  // Norwegian mobiles read "912 34 567"; Danish and Finnish numbers are read in pairs.
  const national =
    countryCode === '47'
      ? `${phone.national.slice(0, 3)} ${phone.national.slice(3, 5)} ${phone.national.slice(5)}`
      : (phone.national.match(/.{1,2}/g) ?? [phone.national]).join(' ');
  return `+${countryCode} ${national}`;
}
