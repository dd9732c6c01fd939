/**
 * Nothing is lost: the payment is stored before the shopper leaves; the server restarts (closing its
 * database) while the shopper is at the bank; a new server on the same database finishes the
 * payment. On a SQLite file and on PostgreSQL (PWB_DATABASE=postgres://…, opened by the server).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { json } from '../helpers/harness.js';
import { freshSchemaUrl, sharedPostgresUrl } from '../helpers/postgres.js';
import { makeWorld, shopperAtProvider } from '../helpers/sandbox.js';

const dir = mkdtempSync(join(tmpdir(), 'pwb-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const databases: [string, (name: string) => Promise<string>][] = [
  ['a SQLite file', async (name) => join(dir, `${name}.sqlite`)],
  ['PostgreSQL', async () => freshSchemaUrl(await sharedPostgresUrl())],
];

describe.each(databases)('restart mid-payment on %s', (_, database) => {
  it('continues the payment on the same database after a restart', async () => {
    const file = await database('pwb');
    // The server opens PWB_DATABASE itself, as in production, and closes it on close().
    const world = makeWorld({ env: { PWB_DATABASE: file }, store: 'from-config' });
    const { session, clientToken } = await world.createSession();
    const start = await json(
      await world.client(clientToken, 'POST', '/v1/checkout/payments', {
        method: 'bank',
        attemptId: 'attempt-0001',
        bankId: 'DK_TestBank',
      }),
    );
    await world.server.close();
    await expect(world.server.services.store.ping()).rejects.toThrow();

    // The shopper authorises at the bank while the server is down.
    const back = await shopperAtProvider(world.sandbox, start.redirectUrl);

    const restarted = world.restart();
    // The same attempt replays the stored payment (no second provider payment).
    const replay = await json(
      await restarted.client(clientToken, 'POST', '/v1/checkout/payments', {
        method: 'bank',
        attemptId: 'attempt-0001',
        bankId: 'DK_TestBank',
      }),
    );
    expect(replay.payment.id).toBe(start.payment.id);
    expect(replay.redirectUrl).toBe(start.redirectUrl);
    expect(restarted.createCalls()).toHaveLength(1);

    restarted.clock.advance(1_100);
    const refreshed = await json(
      await restarted.client(
        back.searchParams.get('pwb_return')!,
        'POST',
        `/v1/checkout/payments/${back.searchParams.get('pwb_payment')}/refresh`,
      ),
    );
    expect(refreshed.payment).toMatchObject({ id: start.payment.id, status: 'completed' });
    const merchant = await json(await restarted.merchant('GET', `/v1/sessions/${session.id}`));
    expect(merchant.session.state).toBe('paid');
    const events = await restarted.server.services.store.listPaymentEvents(start.payment.id);
    expect(events.map((e) => e.type)).toEqual(['created', 'provider_created', 'status']);
    await restarted.server.close();
  });

  it('the reconciler finishes a payment nobody refreshes after a restart', async () => {
    const file = await database('pwb-reconcile');
    const world = makeWorld({ env: { PWB_DATABASE: file }, store: 'from-config' });
    const { clientToken } = await world.createSession();
    const start = await json(
      await world.client(clientToken, 'POST', '/v1/checkout/payments', {
        method: 'bank',
        attemptId: 'attempt-0001',
        bankId: 'DK_TestBank',
      }),
    );
    await shopperAtProvider(world.sandbox, start.redirectUrl);
    await world.server.close();

    const restarted = world.restart();
    restarted.clock.advance(60_000);
    expect(await restarted.server.reconciler.runOnce()).toBe(1);
    expect((await restarted.server.services.store.getPayment(start.payment.id))!.status).toBe('completed');
    await restarted.server.close();
  });
});
