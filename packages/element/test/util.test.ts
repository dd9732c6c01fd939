import { expect } from '@open-wc/testing';
import { AttemptId } from '@pay-with-bank/protocol';
import { safeHttpUrl } from '../src/navigation.js';
import { newAttemptId } from '../src/util.js';

describe('util', () => {
  it('makes valid, unique attempt ids', () => {
    const ids = new Set(Array.from({ length: 200 }, newAttemptId));
    expect(ids.size).to.equal(200);
    for (const id of ids) expect(AttemptId.safeParse(id).success, id).to.equal(true);
  });

  it('allows only http(s) URLs', () => {
    expect(safeHttpUrl('https://bank.example/a?b=1')).to.equal('https://bank.example/a?b=1');
    expect(safeHttpUrl('javascript:alert(1)')).to.equal(null);
    expect(safeHttpUrl('data:text/html,hi')).to.equal(null);
    expect(safeHttpUrl(null)).to.equal(null);
  });
});
