/** The demo shop's products. Prices are integer minor units per currency, as everywhere in pay-with-bank. */
export type ShopCurrency = 'DKK' | 'NOK' | 'EUR' | 'SEK';

export interface Product {
  id: string;
  name: string;
  blurb: string;
  /** Minor units per currency. */
  price: Record<ShopCurrency, number>;
  /** Hue for the product's generated picture. */
  hue: number;
}

export const PRODUCTS: readonly Product[] = [
  {
    id: 'mug',
    name: 'Stoneware mug',
    blurb: 'Hand-thrown, 350 ml, dishwasher safe.',
    price: { DKK: 14_900, NOK: 22_900, EUR: 1_995, SEK: 22_500 },
    hue: 24,
  },
  {
    id: 'towel',
    name: 'Linen tea towel',
    blurb: 'Washed Baltic linen, 50 × 70 cm.',
    price: { DKK: 8_900, NOK: 12_900, EUR: 1_195, SEK: 13_500 },
    hue: 150,
  },
  {
    id: 'notebook',
    name: 'Dot-grid notebook',
    blurb: 'A5, 192 pages, lay-flat binding.',
    price: { DKK: 12_500, NOK: 18_500, EUR: 1_695, SEK: 18_900 },
    hue: 220,
  },
  {
    id: 'tote',
    name: 'Canvas tote',
    blurb: 'Heavy organic cotton, inside pocket.',
    price: { DKK: 9_900, NOK: 14_900, EUR: 1_345, SEK: 14_900 },
    hue: 320,
  },
];

export const CURRENCIES: readonly ShopCurrency[] = ['DKK', 'NOK', 'SEK', 'EUR'];

export function findProduct(id: string): Product | undefined {
  return PRODUCTS.find((p) => p.id === id);
}

export function formatMoney(minor: number, currency: string, locale = 'en'): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 100);
}
