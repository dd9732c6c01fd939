/** Decimal major units as the Mastercard API takes them: digits, optionally a dot and one or two decimals. */
export const DECIMAL_AMOUNT = /^(0|[1-9]\d{0,11})(\.\d{1,2})?$/;

/** "2.5" → 250. Only call with strings matching DECIMAL_AMOUNT. */
export function decimalToMinor(value: string): number {
  const [whole = '0', fraction = ''] = value.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** 250 → 2.5, the number the API returns. */
export function minorToNumber(minor: number): number {
  return minor / 100;
}

/** 250, "DKK" → "DKK 2.50": unambiguous across the Nordic krones. */
export function formatMoney(minor: number, currency: string): string {
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency, currencyDisplay: 'code' }).format(minor / 100);
}
