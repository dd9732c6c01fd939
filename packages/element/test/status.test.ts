import { expect } from '@open-wc/testing';
import { AttemptId, PaymentStatus, TERMINAL_STATUSES as PROTOCOL_TERMINAL } from '@pay-with-bank/protocol';
import { PAYMENT_STATUSES, TERMINAL_STATUSES, isSettled, newAttemptId, safeHttpUrl } from '../src/status.js';

describe('status helpers', () => {
  it('mirror the protocol’s status model', () => {
    expect([...PAYMENT_STATUSES]).to.deep.equal(PaymentStatus.options);
    expect([...TERMINAL_STATUSES]).to.deep.equal([...PROTOCOL_TERMINAL]);
  });

  it('treat a Vipps reservation as settled but not a bank payment in execution', () => {
    expect(isSettled({ method: 'vipps', status: 'authorized' })).to.equal(true);
    expect(isSettled({ method: 'bank', status: 'authorized' })).to.equal(false);
    expect(isSettled({ method: 'bank', status: 'completed' })).to.equal(true);
    expect(isSettled({ method: 'vipps', status: 'pending' })).to.equal(false);
  });

  it('make valid, unique attempt ids', () => {
    const ids = new Set(Array.from({ length: 200 }, newAttemptId));
    expect(ids.size).to.equal(200);
    for (const id of ids) expect(AttemptId.safeParse(id).success, id).to.equal(true);
  });

  it('allow only http(s) URLs', () => {
    expect(safeHttpUrl('https://bank.example/a?b=1')).to.equal('https://bank.example/a?b=1');
    expect(safeHttpUrl('javascript:alert(1)')).to.equal(null);
    expect(safeHttpUrl('data:text/html,hi')).to.equal(null);
    expect(safeHttpUrl(null)).to.equal(null);
  });
});
