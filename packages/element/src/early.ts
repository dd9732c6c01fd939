/**
 * Imported first by the script-tag entry, so that this runs before any other module of the bundle is
 * evaluated (Lit, the element): the session read goes out at once. See early-session.ts.
 */
import { startSessionRead, warmNumberFormat } from './early-session.js';

startSessionRead();
// After the entry's evaluation, while the session read is on the network.
setTimeout(warmNumberFormat, 0);
