/**
 * The script-tag entry (dist/pay-with-bank.js): sends the session read first (`early.ts`, evaluated
 * before Lit and the element), then registers `<pay-with-bank>`. It exports nothing, so the bundle
 * carries only what the checkout up to the bank list runs; the npm entries (`index.ts`, `define.ts`)
 * have the public API.
 */
import './early.js';
import { PayWithBank } from './pay-with-bank.component.js';

if (!customElements.get('pay-with-bank')) customElements.define('pay-with-bank', PayWithBank);
