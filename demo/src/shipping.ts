/**
 * The demo merchant's shipping options for express checkout (Vipps Hurtigkasse). The merchant, not
 * the browser or the provider, decides what shipping costs: either one fixed list sent with the
 * session, or options per address, answered when the companion server asks (signed request).
 */
import type { ShopCurrency } from './catalogue.js';

export interface DemoShippingOption {
  id: string;
  name: string;
  /** Minor units in the session currency. */
  amount: number;
  default?: boolean;
  priority?: number;
}

export interface ShippingAddress {
  line1: string;
  line2: string | null;
  postCode: string;
  city: string;
  country: string;
}

/** The fixed list: the same for every address. */
export function fixedShippingOptions(currency: ShopCurrency): DemoShippingOption[] {
  const price = currency === 'NOK' ? 7_900 : currency === 'SEK' ? 7_900 : currency === 'DKK' ? 4_900 : 695;
  return [
    { id: 'posten-servicepakke', name: 'Posten Servicepakke', amount: price, default: true, priority: 1 },
    { id: 'pickup-oslo', name: 'Pick up in our Oslo shop', amount: 0, priority: 2 },
  ];
}

/**
 * Options by address: home delivery is cheaper inside Oslo (post codes 0001–1299), pick-up in the
 * shop is offered only there. Prices in NOK øre (express checkout with Vipps is in NOK).
 */
export function shippingOptionsFor(address: ShippingAddress): DemoShippingOption[] {
  const code = Number.parseInt(address.postCode, 10);
  const oslo = address.country === 'NO' && Number.isFinite(code) && code >= 1 && code <= 1299;
  if (oslo) {
    return [
      { id: 'helthjem-home', name: 'Helthjem home delivery', amount: 6_900, default: true, priority: 1 },
      { id: 'posten-servicepakke', name: 'Posten Servicepakke', amount: 7_900, priority: 2 },
      { id: 'pickup-oslo', name: 'Pick up in our Oslo shop', amount: 0, priority: 3 },
    ];
  }
  return [
    { id: 'posten-servicepakke', name: 'Posten Servicepakke', amount: 9_900, default: true, priority: 1 },
    { id: 'helthjem-home', name: 'Helthjem home delivery', amount: 12_900, priority: 2 },
  ];
}
