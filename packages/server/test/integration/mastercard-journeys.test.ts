/**
 * Full payments through the server and the in-process Mastercard sandbox: the browser's calls go to
 * server.fetch, the server's provider calls are routed into the sandbox, and a scripted shopper
 * walks the sandbox's hosted pages.
 */
import { CheckoutPayment, ListBanksResponse, MerchantEvent, StartPaymentResponse } from '@pay-with-bank/protocol';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory.js';
import { RETURN_URL } from '../helpers/config.js';
import { json } from '../helpers/harness.js';
import { makeWorld, shopperAtProvider, type World } from '../helpers/sandbox.js';

async function startPayment(
  world: World,
  body: Record<string, unknown>,
  sessionOverrides: Record<string, unknown> = {},
) {
  const created = await world.createSession(sessionOverrides);
  const res = await world.client(created.clientToken, 'POST', '/v1/checkout/payments', {
    method: 'bank',
    attemptId: 'attempt-0001',
    ...body,
  });
  expect(res.status).toBe(200);
  return { ...created, started: StartPaymentResponse.parse(await res.json()) };
}

/** What the widget does after the redirect back: take token and payment id from the URL, refresh until final. */
async function returnAndRefresh(
  world: World,
  returnUrl: URL,
  until: (p: CheckoutPayment) => boolean = (p) => p.status !== 'pending',
) {
  expect(`${returnUrl.origin}${returnUrl.pathname}`).toBe(RETURN_URL);
  const token = returnUrl.searchParams.get('pwb_return')!;
  const paymentId = returnUrl.searchParams.get('pwb_payment')!;
  let payment: CheckoutPayment | null = null;
  for (let i = 0; i < 10; i++) {
    world.clock.advance(1_100);
    const res = await world.client(token, 'POST', `/v1/checkout/payments/${paymentId}/refresh`);
    expect(res.status).toBe(200);
    payment = CheckoutPayment.parse((await json(res)).payment);
    if (until(payment)) break;
  }
  return payment!;
}

describe('Mastercard journeys (sandbox)', () => {
  it('lists the sandbox banks for a DKK session: DK banks with domestic payments, unavailable ones greyed', async () => {
    const world = makeWorld();
    const { clientToken } = await world.createSession();
    const body = ListBanksResponse.parse(
      await json(await world.client(clientToken, 'GET', '/v1/checkout/banks?country=DK')),
    );
    const ids = body.banks.map((b) => b.id);
    expect(ids).toEqual(expect.arrayContaining(['DK_TestBank', 'DK_FailBank', 'DK_SlowBank', 'DK_Nordbank']));
    expect(body.banks.every((b) => b.country === 'DK')).toBe(true);
    expect(body.banks.find((b) => b.id === 'DK_Kystsparekassen')).toMatchObject({ available: false });
    expect(body.banks.find((b) => b.id === 'DK_TestBank')!.logoUrl).toBe(
      'http://sandbox.test/mastercard/logos/DK_TestBank.svg',
    );
    // EUR sessions see SEPA banks of the euro countries.
    const eur = await world.createSession({ amount: { value: 1000, currency: 'EUR' } });
    const eurBanks = ListBanksResponse.parse(
      await json(await world.client(eur.clientToken, 'GET', '/v1/checkout/banks')),
    );
    expect(new Set(eurBanks.banks.map((b) => b.country))).toEqual(new Set(['FI', 'DE']));
    // One provider call served all three lists (cached).
    expect(world.providerCalls.filter((c) => c.path === '/mastercard/v1/providers')).toHaveLength(1);
  });

  it('bank chosen in the widget → Succeeded → completed, merchant notified, session paid', async () => {
    const world = makeWorld({
      env: { PWB_WEBHOOK_URL: 'http://sandbox.test/merchant-hook', PWB_WEBHOOK_SECRET: 'whsec_0123456789abcdef' },
    });
    const { session, started } = await startPayment(world, { bankId: 'DK_TestBank' });
    expect(started.payment).toMatchObject({
      status: 'pending',
      bankId: 'DK_TestBank',
      amount: { value: 12500, currency: 'DKK' },
    });
    expect(started.redirectUrl.startsWith('http://sandbox.test/mastercard/auth/start/payment?')).toBe(true);

    const create = world.createCalls()[0]!;
    const sent = JSON.parse(create.body);
    expect(sent).toMatchObject({
      providerId: 'DK_TestBank',
      request: {
        amount: { value: '125.00', currency: 'DKK' },
        reference: 'ORDER-1001',
        destination: { name: 'Nordic Goods ApS' },
      },
    });
    expect(create.headers.get('x-correlation-id')).toMatch(/^\|[a-z0-9_-]+\.$/);

    const back = await shopperAtProvider(world.sandbox, started.redirectUrl);
    const payment = await returnAndRefresh(world, back);
    expect(payment).toMatchObject({
      id: started.payment.id,
      status: 'completed',
      providerStatus: 'Succeeded',
      failure: null,
      redirectUrl: null,
    });

    const merchant = await json(await world.merchant('GET', `/v1/sessions/${session.id}`));
    expect(merchant.session.state).toBe('paid');
    expect(merchant.payments[0]).toMatchObject({
      status: 'completed',
      capturedAmount: 12500,
      authorizedAmount: 12500,
      bankId: 'DK_TestBank',
    });
    const outbox = await world.server.services.store.listOutbox(started.payment.id);
    const types = outbox.map((o) => MerchantEvent.parse(JSON.parse(o.payload)).type);
    expect(types[0]).toBe('payment.pending');
    expect(types.at(-1)).toBe('payment.completed');
    // The sandbox saw the very amount of the session.
    const atProvider = world.sandbox.controls.mastercard.getPayment(merchant.payments[0].providerPaymentId)!;
    expect(atProvider.request.amount).toEqual({ value: 125, currency: 'DKK' });
  });

  it('bank chosen at the provider → completed with the bank the shopper picked', async () => {
    const world = makeWorld();
    const { started } = await startPayment(world, { bankId: null });
    expect(JSON.parse(world.createCalls()[0]!.body)).not.toHaveProperty('providerId');
    const back = await shopperAtProvider(world.sandbox, started.redirectUrl, { chooseBank: 'DK_Nordbank' });
    const payment = await returnAndRefresh(world, back);
    expect(payment).toMatchObject({ status: 'completed', bankId: 'DK_Nordbank' });
  });

  it('EUR goes by SEPA to the IBAN', async () => {
    const world = makeWorld();
    const { started } = await startPayment(
      world,
      { bankId: 'FI_TestBank' },
      { amount: { value: 4999, currency: 'EUR' } },
    );
    const sent = JSON.parse(world.createCalls()[0]!.body);
    expect(sent.request).toMatchObject({
      paymentMethod: 'SEPA',
      amount: { value: '49.99', currency: 'EUR' },
      destination: { iban: { ibanNumber: 'DK5000400440116243' } },
    });
    const payment = await returnAndRefresh(world, await shopperAtProvider(world.sandbox, started.redirectUrl));
    expect(payment.status).toBe('completed');
  });

  it('shopper rejects at the bank → cancelled, and may try again with a new attempt', async () => {
    const world = makeWorld();
    const { clientToken, started } = await startPayment(world, { bankId: 'DK_TestBank' });
    const back = await shopperAtProvider(world.sandbox, started.redirectUrl, { action: 'reject' });
    const payment = await returnAndRefresh(world, back);
    expect(payment).toMatchObject({ status: 'cancelled', providerStatus: 'Cancelled', failure: { code: 'rejected' } });
    const retry = await world.client(clientToken, 'POST', '/v1/checkout/payments', {
      method: 'bank',
      attemptId: 'attempt-0002',
      bankId: 'DK_TestBank',
    });
    expect(retry.status).toBe(200);
    expect(world.createCalls()).toHaveLength(2);
  });

  it('shopper cancels in the provider UI → cancelled', async () => {
    const world = makeWorld();
    const { started } = await startPayment(world, { bankId: null });
    const payment = await returnAndRefresh(
      world,
      await shopperAtProvider(world.sandbox, started.redirectUrl, { action: 'cancel' }),
    );
    expect(payment).toMatchObject({ status: 'cancelled', failure: { code: 'cancelled' } });
  });

  it('fail bank → failed with a readable failure message and the provider’s words', async () => {
    const world = makeWorld();
    const { session, started } = await startPayment(world, { bankId: 'DK_FailBank' });
    const payment = await returnAndRefresh(world, await shopperAtProvider(world.sandbox, started.redirectUrl));
    expect(payment).toMatchObject({
      status: 'failed',
      providerStatus: 'Failed',
      failure: { code: 'rejected', message: 'The bank rejected the payment.', providerCode: 'RejectedByBank' },
    });
    expect(payment.failure!.providerMessage).toBeTruthy();
    expect((await json(await world.merchant('GET', `/v1/sessions/${session.id}`))).session.state).toBe('open');
  });

  it('too little money on the account → failed with insufficient_funds', async () => {
    const world = makeWorld();
    const { started } = await startPayment(world, { bankId: 'DK_TestBank' });
    const payment = await returnAndRefresh(
      world,
      await shopperAtProvider(world.sandbox, started.redirectUrl, { account: 'budget' }),
    );
    expect(payment).toMatchObject({ status: 'failed', failure: { code: 'insufficient_funds' } });
  });

  it('slow bank: authorized (bank executing) while pending at the bank, then completed', async () => {
    const world = makeWorld({ slowBankDelayMs: 30_000 });
    const { clientToken, started } = await startPayment(world, { bankId: 'DK_SlowBank' });
    const back = await shopperAtProvider(world.sandbox, started.redirectUrl);
    const first = await returnAndRefresh(world, back, () => true);
    expect(first).toMatchObject({ status: 'authorized', providerStatus: 'Pending' });
    // Authorised, not yet paid: a new attempt is refused, the session is not paid yet.
    const another = await world.client(clientToken, 'POST', '/v1/checkout/payments', {
      method: 'bank',
      attemptId: 'attempt-0002',
    });
    expect((await json(another)).error.code).toBe('payment_in_progress');
    world.clock.advance(31_000);
    const done = await returnAndRefresh(world, back, (p) => p.status === 'completed');
    expect(done.status).toBe('completed');
  });

  it('a fresh browser with nothing but the return URL can read the result', async () => {
    const world = makeWorld();
    const { started } = await startPayment(world, { bankId: 'DK_TestBank' });
    const back = await shopperAtProvider(world.sandbox, started.redirectUrl);
    const token = back.searchParams.get('pwb_return')!;
    world.clock.advance(1_100);
    await world.client(token, 'POST', `/v1/checkout/payments/${back.searchParams.get('pwb_payment')}/refresh`);
    const session = await json(await world.client(token, 'GET', '/v1/checkout/session'));
    expect(session).toMatchObject({
      reference: 'ORDER-1001',
      amount: { value: 12500 },
      payee: { name: 'Nordic Goods ApS' },
      payment: { status: 'completed' },
    });
  });

  it('50 parallel starts with one attemptId → one provider payment', async () => {
    const world = makeWorld();
    const { clientToken } = await world.createSession();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        world.client(clientToken, 'POST', '/v1/checkout/payments', {
          method: 'bank',
          attemptId: 'attempt-burst',
          bankId: 'DK_TestBank',
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const ids = new Set((await Promise.all(responses.map((r) => json(r)))).map((b) => b.payment.id));
    expect(ids.size).toBe(1);
    expect(world.createCalls()).toHaveLength(1);
    expect(world.sandbox.controls.mastercard.listPayments()).toHaveLength(1);
  });

  it('50 parallel starts with 50 different attempt ids → one provider payment, the same for all', async () => {
    const world = makeWorld();
    const { clientToken } = await world.createSession();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        world.client(clientToken, 'POST', '/v1/checkout/payments', {
          method: 'bank',
          attemptId: `attempt-tab-${String(i).padStart(2, '0')}`,
          bankId: 'DK_TestBank',
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const bodies = (await Promise.all(responses.map((r) => json(r)))).map((b) => StartPaymentResponse.parse(b));
    const ids = new Set(bodies.map((b) => b.payment.id));
    expect(ids.size).toBe(1);
    expect(new Set(bodies.map((b) => b.redirectUrl)).size).toBe(1);
    expect(world.createCalls()).toHaveLength(1);
    const atSandbox = world.sandbox.controls.mastercard.listPayments();
    expect(atSandbox).toHaveLength(1);
    console.log(
      `concurrency: 50 concurrent starts (50 attempt ids) → ${atSandbox.length} provider payment` +
        ` (${world.createCalls().length} create call to the Mastercard sandbox, ${ids.size} payment id in 50 answers)`,
    );
  });

  it('two tabs: the second tab’s start continues the first tab’s payment (same redirect URL, one provider payment)', async () => {
    const world = makeWorld();
    const { clientToken, started } = await startPayment(world, { attemptId: 'attempt-tab-a', bankId: 'DK_TestBank' });
    world.clock.advance(1_100);
    const tabB = await world.client(clientToken, 'POST', '/v1/checkout/payments', {
      method: 'bank',
      attemptId: 'attempt-tab-b',
      bankId: 'DK_TestBank',
    });
    expect(tabB.status).toBe(200);
    const second = StartPaymentResponse.parse(await json(tabB));
    expect(second.payment.id).toBe(started.payment.id);
    expect(second.redirectUrl).toBe(started.redirectUrl);
    expect(world.createCalls()).toHaveLength(1);
    expect(world.sandbox.controls.mastercard.listPayments()).toHaveLength(1);
    // Paying in either tab pays the one payment.
    const payment = await returnAndRefresh(world, await shopperAtProvider(world.sandbox, second.redirectUrl));
    expect(payment).toMatchObject({ id: started.payment.id, status: 'completed' });
  });

  it('another bank while a payment is open → payment_in_progress naming it; with replace → a new payment', async () => {
    const world = makeWorld();
    const { clientToken, started, session } = await startPayment(world, { bankId: 'DK_TestBank' });
    world.clock.advance(1_100);
    const other = { method: 'bank', attemptId: 'attempt-0002', bankId: 'DK_Nordbank' };
    const refused = await world.client(clientToken, 'POST', '/v1/checkout/payments', other);
    expect(refused.status).toBe(409);
    expect((await json(refused)).error).toMatchObject({
      code: 'payment_in_progress',
      details: { paymentId: started.payment.id },
    });
    expect(world.sandbox.controls.mastercard.listPayments()).toHaveLength(1);

    const replaced = await world.client(clientToken, 'POST', '/v1/checkout/payments', { ...other, replace: true });
    expect(replaced.status).toBe(200);
    const second = StartPaymentResponse.parse(await json(replaced));
    expect(second.payment).toMatchObject({ bankId: 'DK_Nordbank' });
    expect(second.payment.id).not.toBe(started.payment.id);
    expect(world.createCalls()).toHaveLength(2);
    expect(world.sandbox.controls.mastercard.listPayments()).toHaveLength(2);
    const events = await world.server.services.store.listPaymentEvents(started.payment.id);
    expect(events.find((e) => e.type === 'superseded')).toMatchObject({ data: { supersededBy: second.payment.id } });
    const merchant = await json(await world.merchant('GET', `/v1/sessions/${session.id}`));
    expect(merchant.payments.map((p: { id: string }) => p.id)).toEqual([second.payment.id, started.payment.id]);
  });

  it('the browser cannot change the amount: extra fields are rejected, the provider gets the session amount', async () => {
    const world = makeWorld();
    const { clientToken } = await world.createSession();
    for (const extra of [
      { amount: { value: 1, currency: 'DKK' } },
      { currency: 'EUR' },
      { reference: 'X' },
      { payee: 'me' },
      { returnUrl: 'https://evil.example' },
    ]) {
      const res = await world.client(clientToken, 'POST', '/v1/checkout/payments', {
        method: 'bank',
        attemptId: 'attempt-0001',
        ...extra,
      });
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.error.code).toBe('invalid_request');
      expect(body.error.details.issues[0].message).toMatch(/unknown field/);
    }
    expect(world.createCalls()).toHaveLength(0);
    const ok = await world.client(clientToken, 'POST', '/v1/checkout/payments', {
      method: 'bank',
      attemptId: 'attempt-0001',
    });
    expect(ok.status).toBe(200);
    const [only] = world.sandbox.controls.mastercard.listPayments();
    expect(only!.request.amount).toEqual({ value: 125, currency: 'DKK' });
  });

  it('provider faults become typed errors and the attempt is recorded as failed', async () => {
    const world = makeWorld();
    const { clientToken } = await world.createSession();
    world.sandbox.controls.mastercard.injectFaults({ kind: 'status', status: 503 }, 1);
    const res = await world.client(clientToken, 'POST', '/v1/checkout/payments', {
      method: 'bank',
      attemptId: 'attempt-0001',
    });
    expect(res.status).toBe(503);
    expect((await json(res)).error).toMatchObject({ code: 'provider_unavailable', retryable: true });
    const [payment] = await world.server.services.store.listPayments({ limit: 1 });
    expect(payment).toMatchObject({ status: 'failed', failure: { code: 'provider_unavailable' } });

    // A truncated body on refresh is a provider_error; the payment keeps its state and can be refreshed later.
    const ok = await world.client(clientToken, 'POST', '/v1/checkout/payments', {
      method: 'bank',
      attemptId: 'attempt-0002',
    });
    const { payment: second } = await json(ok);
    world.sandbox.controls.mastercard.injectFaults({ kind: 'malformed' }, 1);
    world.clock.advance(1_100);
    const broken = await world.client(clientToken, 'POST', `/v1/checkout/payments/${second.id}/refresh`);
    expect(broken.status).toBe(502);
    expect((await json(broken)).error.code).toBe('provider_error');
    world.clock.advance(1_100);
    const again = await world.client(clientToken, 'POST', `/v1/checkout/payments/${second.id}/refresh`);
    expect(again.status).toBe(200);
    expect((await json(again)).payment.status).toBe('pending');
  });

  it('one session’s token never reaches another session’s payment', async () => {
    const world = makeWorld();
    const a = await world.createSession();
    const b = await startPayment(world, { bankId: 'DK_TestBank' }, { reference: 'ORDER-B' });
    const res = await world.client(a.clientToken, 'POST', `/v1/checkout/payments/${b.started.payment.id}/refresh`);
    expect(res.status).toBe(404);
    expect(world.providerCalls.filter((c) => c.path.endsWith('/refresh-status'))).toHaveLength(0);
  });

  it('sends the provider a return URL on the allow-list carrying our return parameters', async () => {
    const world = makeWorld({ store: new MemoryStore() });
    const { clientToken, started } = await startPayment(world, { bankId: 'DK_TestBank' });
    const sent = new URL(JSON.parse(world.createCalls()[0]!.body).redirectUrl);
    expect(`${sent.origin}${sent.pathname}`).toBe(RETURN_URL);
    expect(sent.searchParams.get('pwb_return')).toBe(clientToken);
    expect(sent.searchParams.get('pwb_payment')).toBe(started.payment.id);
  });
});
