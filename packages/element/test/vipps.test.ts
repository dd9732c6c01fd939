import { expect, waitUntil } from '@open-wc/testing';
import { PhoneNumber, type StartPaymentRequest } from '@pay-with-bank/protocol';
import { normalizePhoneNumber } from '../src/methods/vipps.js';
import { formatCountdown } from '../src/screens/waiting.js';
import {
  $,
  FakeServer,
  click,
  json,
  makePayment,
  makeSession,
  mount,
  text,
  waitForScreen,
  waitForSelector,
} from './helpers.js';

function typePhone(el: HTMLElement, value: string) {
  const input = $<HTMLInputElement>(el, '#vipps-phone')!;
  input.value = value;
  input.dispatchEvent(new Event('input'));
}

describe('Vipps', () => {
  let server: FakeServer;
  afterEach(() => {
    server?.assertNoAmountSent();
    server?.restore();
  });

  it('validates phone numbers exactly like the protocol', () => {
    const cases = [
      '91234567',
      '41234567',
      '+4791234567',
      '004791234567',
      '912 34 567',
      '+47 912 34 567',
      '81234567',
      '9123456',
      '912345678',
      '+4691234567',
      'abc',
      '',
    ];
    for (const input of cases) {
      const normalized = normalizePhoneNumber(input);
      const compact = input.replace(/[\s-]/g, '');
      if (compact === '') expect(normalized).to.equal('');
      else expect(normalized !== null, input).to.equal(PhoneNumber.safeParse(compact).success);
    }
    expect(normalizePhoneNumber('+47 912 34 567')).to.equal('+4791234567');
  });

  it('has an optional phone number: empty is fine, invalid is announced and not sent', async () => {
    server = new FakeServer().withDefaults().install();
    const el = await mount({ methods: 'vipps' });
    await waitForScreen(el, 'vipps-phone');
    const input = $<HTMLInputElement>(el, '#vipps-phone')!;
    expect(el.shadowRoot!.querySelector('label[for="vipps-phone"]')!.textContent).to.equal('Mobile number (optional)');
    expect(text(el, '[data-action="pay"]')).to.equal('Pay DKK 1,250.00 with Vipps');

    typePhone(el, '1234');
    click(el, '[data-action="pay"]');
    await el.updateComplete;
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect(text(el, '#vipps-phone-error')).to.equal(
      'Enter a Norwegian mobile number with 8 digits, for example 912 34 567.',
    );
    expect($(el, '#vipps-phone-error')!.getAttribute('role')).to.equal('alert');
    expect(input.getAttribute('aria-describedby')).to.contain('vipps-phone-error');
    expect(el.shadowRoot!.activeElement).to.equal(input);
    expect(server.requestsTo('POST', '/v1/checkout/payments')).to.have.length(0);
    await expect(el).to.be.accessible();

    typePhone(el, '912 34 567');
    await el.updateComplete;
    expect(input.getAttribute('aria-invalid')).to.equal('false');
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'redirecting');
    const body = server.requestsTo('POST', '/v1/checkout/payments')[0]!.body as StartPaymentRequest;
    expect(body).to.deep.include({ method: 'vipps', phoneNumber: '91234567', mobile: false });
    expect(body).not.to.have.property('bankId');
    expect(text(el, 'h2')).to.equal('Taking you to Vipps…');
  });

  it('omits the phone number when empty, and submits with Enter', async () => {
    server = new FakeServer().withDefaults().install();
    const el = await mount({ methods: 'vipps' });
    await waitForScreen(el, 'vipps-phone');
    $<HTMLFormElement>(el, 'form')!.requestSubmit();
    await waitForScreen(el, 'redirecting');
    const body = server.requestsTo('POST', '/v1/checkout/payments')[0]!.body as StartPaymentRequest;
    expect(body).not.to.have.property('phoneNumber');
  });

  it('on a phone, asks for no number and tells the server (app switch)', async () => {
    server = new FakeServer().withDefaults().install();
    const el = await mount({ methods: 'vipps' });
    el.mobile = true;
    el.requestUpdate();
    await waitForScreen(el, 'vipps-phone');
    expect($(el, '#vipps-phone')).to.equal(null);
    click(el, '[data-action="pay"]');
    await waitForScreen(el, 'redirecting');
    expect((server.requestsTo('POST', '/v1/checkout/payments')[0]!.body as StartPaymentRequest).mobile).to.equal(true);
  });

  it('counts down to payment.expiresAt while waiting', async () => {
    const expiresAt = new Date(Date.now() + 125_500).toISOString();
    const pending = makePayment({ method: 'vipps', bankId: null, status: 'pending', expiresAt });
    server = new FakeServer().withDefaults(makeSession({ payment: pending })).install();
    server.on('POST', /refresh$/, () => json({ payment: pending }));
    const el = await mount({ pollInterval: 5000 });
    await waitForScreen(el, 'waiting');
    expect(text(el, 'h2')).to.equal('Waiting for Vipps');
    expect(text(el, '[role="timer"]')).to.match(/^Time left to approve: 2:0[56]$/);
    const before = text(el, '[role="timer"]');
    await waitUntil(() => text(el, '[role="timer"]') !== before, 'countdown ticks', { timeout: 2500 });
    expect(text(el, '[role="timer"]')).to.match(/^Time left to approve: 2:0[45]$/);
    expect(text(el, 'a[data-action="continue"]')).to.equal('Continue in Vipps');
    await expect(el).to.be.accessible();
  });

  it('says the time is up when the countdown ends, and shows expiry from the server', async () => {
    const expiresAt = new Date(Date.now() + 1_000).toISOString();
    const pending = makePayment({ method: 'vipps', bankId: null, status: 'pending', expiresAt });
    let expired = false;
    server = new FakeServer().withDefaults(makeSession({ payment: pending })).install();
    server.on('POST', /refresh$/, () => json({ payment: expired ? { ...pending, status: 'expired' } : pending }));
    const el = await mount({ pollInterval: 300 });
    await waitForScreen(el, 'waiting');
    await waitForSelector(el, '.countdown:not([role])', 3000);
    expect(text(el, '.countdown')).to.equal('The time to approve is up. Checking the payment status…');
    expired = true;
    await waitForScreen(el, 'result');
    expect(text(el, 'h2')).to.equal('The payment timed out');
  });

  it('formats the countdown as m:ss', () => {
    expect(formatCountdown(125)).to.equal('2:05');
    expect(formatCountdown(59.9)).to.equal('0:59');
    expect(formatCountdown(-3)).to.equal('0:00');
  });
});
