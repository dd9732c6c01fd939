/** Small conversions to the formats the Vipps APIs want: phone numbers and bounded texts. */
import { ProviderError } from '../../errors.js';

/**
 * A Norwegian mobile number (the protocol's PhoneNumber: 8 digits starting with 4 or 9, optional
 * +47 / 0047) as its 8 national digits; eCom wants exactly these.
 */
export function norwegianMobile(input: string): string {
  const compact = input.replace(/[\s.()-]/g, '');
  const national = /^(?:\+47|0047|47(?=\d{8}$))?([49]\d{7})$/.exec(compact)?.[1];
  if (!national) {
    throw new ProviderError(
      'invalid_request',
      'The phone number must be a Norwegian mobile number of 8 digits, e.g. 91234567.',
      {
        field: 'phoneNumber',
      },
    );
  }
  return national;
}

/** ePayment's customer.phoneNumber is an MSISDN: country code 47 + the 8 digits. */
export function norwegianMsisdn(input: string): string {
  return `47${norwegianMobile(input)}`;
}

/** Cut to `max` characters without splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? chars.slice(0, max).join('') : text;
}

/** A description Vipps shows the user: the session's description, or the reference when it is too short. */
export function paymentText(description: string, reference: string, min: number, max: number): string {
  const trimmed = description.trim();
  const text = Array.from(trimmed).length >= min ? trimmed : `Order ${reference}`.trim();
  return truncate(text, max);
}
