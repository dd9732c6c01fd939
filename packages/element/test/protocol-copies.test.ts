import { expect } from '@open-wc/testing';
import * as protocol from '@pay-with-bank/protocol/constants';
import * as copies from '../src/protocol-payment.js';

/** The payment chunk's copies of protocol constants (see src/protocol-payment.ts) must not drift. */
describe("the payment chunk's copies of protocol constants", () => {
  it('equal the protocol', () => {
    expect(copies.PAYMENT_STATUSES).to.deep.equal(protocol.PAYMENT_STATUSES);
    expect(copies.TERMINAL_STATUSES).to.deep.equal(protocol.TERMINAL_STATUSES);
    expect(String(copies.PAYMENT_ID_PATTERN)).to.equal(String(protocol.PAYMENT_ID_PATTERN));
    expect(String(copies.PAYMENT_METHOD_PATTERN)).to.equal(String(protocol.PAYMENT_METHOD_PATTERN));
    for (const status of protocol.PAYMENT_STATUSES) {
      expect(copies.isTerminal(status), status).to.equal(protocol.isTerminal(status));
    }
  });
});
