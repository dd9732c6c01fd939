/**
 * Registers `<pay-with-bank>`. This is the script-tag entry (dist/pay-with-bank.js) and the npm
 * `@pay-with-bank/element/define` entry. Safe to import twice, and during server-side rendering
 * (it does nothing where there is no custom element registry).
 */
import { PayWithBank } from './pay-with-bank.component.js';

export const TAG_NAME = 'pay-with-bank';

if (typeof customElements !== 'undefined' && !customElements.get(TAG_NAME)) {
  // The literal tag (not TAG_NAME) lets the custom-elements analyzer read it for custom-elements.json.
  customElements.define('pay-with-bank', PayWithBank);
}

export { PayWithBank };
export * from './index.js';

declare global {
  interface HTMLElementTagNameMap {
    'pay-with-bank': PayWithBank;
  }
}
