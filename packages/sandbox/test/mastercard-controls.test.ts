import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSandbox, startSandboxServer } from '../src/index.js';
import { AUTH, paymentBody, setup, type Json } from './mastercard-helpers.js';

describe('sandbox root', () => {
  it('GET /healthz answers ok', async () => {
    const { sandbox } = setup();
    const res = await sandbox.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('refuses invalid options with a readable error', () => {
    expect(() => createSandbox({ publicUrl: 'not a url' })).toThrow(/publicUrl/);
    expect(() => createSandbox({ mastercard: { clients: [] } })).toThrow(/clients/);
    expect(() => createSandbox({ mastercard: { slowBankDelayMs: -1 } })).toThrow(/slowBankDelayMs/);
  });
});

describe('Mastercard programmatic controls', () => {
  it('getPayment / inspectPayment / listPayments see every payment with its history', async () => {
    const { api, shopper, sandbox } = setup();
    const { redirectUrl, paymentId } = await api.create({ providerId: 'DK_TestBank' });
    await shopper.pay(redirectUrl, { accountId: 'savings' });
    const controls = sandbox.controls.mastercard;
    expect(controls.getPayment(paymentId)).toEqual(await api.payment(paymentId));
    expect(controls.getPayment('20240101.none')).toBeUndefined();
    expect(controls.listPayments().map((p) => p.paymentId)).toEqual([paymentId]);
    const inspection = controls.inspectPayment(paymentId)!;
    expect(inspection.sandbox).toMatchObject({
      clientId: 'sandbox-client-id',
      sourceAccountId: 'savings',
      pendingUntil: null,
    });
    expect(inspection.sandbox.history.map((h) => h.code)).toEqual([
      'Preparing',
      'ReadyForAuthorize',
      'Authorizing',
      'Pending',
      'Succeeded',
    ]);
  });

  it('reset() forgets payments and restores settings, availability and faults', async () => {
    const { api, sandbox } = setup();
    const controls = sandbox.controls.mastercard;
    const { paymentId } = await api.create();
    controls.setSlowBankDelayMs(1);
    controls.setProviderAvailability('DK_TestBank', false);
    controls.injectFaults({ kind: 'status', status: 503 }, 3);
    controls.reset();
    expect(controls.getPayment(paymentId)).toBeUndefined();
    expect(controls.getSettings()).toEqual({ slowBankDelayMs: 5000, latencyMs: 0, pendingFaults: 0 });
    expect((await api.get('/v1/providers/DK_TestBank')).json.status.syncMode).toBe('Full');
    expect((await api.get(`/v1/payments/${paymentId}`)).status).toBe(404);
  });

  it('setProviderAvailability switches a bank off (API, create and hosted list) and on again', async () => {
    const { api, shopper, sandbox } = setup();
    const controls = sandbox.controls.mastercard;
    controls.setProviderAvailability('DK_Fjordbank', false, 'Planned maintenance');
    expect((await api.get('/v1/providers/DK_Fjordbank')).json.status).toMatchObject({
      syncMode: 'None',
      message: 'Planned maintenance',
    });
    const refused = await api.post('/v1/payments/create', paymentBody({ providerId: 'DK_Fjordbank' }));
    expect(refused.json.error).toBe('ProviderUnavailable');
    const { redirectUrl } = await api.create();
    const page = await shopper.open(redirectUrl);
    expect(page.formWithButton('Continue').inputs.find((i) => i.value === 'DK_Fjordbank')?.disabled).toBe(true);
    expect(page.html).toContain('Planned maintenance');

    controls.setProviderAvailability('DK_Kystsparekassen', true);
    expect((await api.get('/v1/providers/DK_Kystsparekassen')).json.status).toMatchObject({
      syncMode: 'Full',
      message: null,
    });
    expect(() => controls.setProviderAvailability('XX_Nope', false)).toThrow(RangeError);
  });

  it('injected faults answer the next matching calls: 429 with Retry-After, 503, malformed JSON', async () => {
    const { api, sandbox } = setup();
    const controls = sandbox.controls.mastercard;
    const { paymentId } = await api.create();
    controls.injectFaults({ kind: 'status', status: 429 });
    controls.injectFaults({ kind: 'status', status: 503, pathPrefix: '/v1/payments' }, 2);
    controls.injectFaults({ kind: 'malformed', pathPrefix: '/v1/payments' });

    const limited = await api.get('/v1/providers');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('Retry-After')).toBe('1');
    expect(limited.json.error).toBe('TooManyRequests');
    expect((await api.get('/v1/providers')).status).toBe(200); // the 503s only match /v1/payments

    expect((await api.post(`/v1/payments/${paymentId}/refresh-status`)).status).toBe(503);
    const unavailable = await api.get(`/v1/payments/${paymentId}`);
    expect(unavailable.status).toBe(503);
    expect(unavailable.json).toEqual({
      error: 'ServiceUnavailable',
      details: { reason: 'Injected 503 (sandbox fault injection)' },
    });
    const malformed = await api.get(`/v1/payments/${paymentId}`);
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformed.text)).toThrow();
    expect((await api.get(`/v1/payments/${paymentId}`)).status).toBe(200);
    expect(controls.getSettings().pendingFaults).toBe(0);
  });

  it('faults are not consumed by unauthenticated calls', async () => {
    const { sandbox } = setup();
    sandbox.controls.mastercard.injectFaults({ kind: 'status', status: 500 });
    expect((await sandbox.request('/mastercard/v1/providers')).status).toBe(401);
    expect((await sandbox.request('/mastercard/v1/providers', { headers: AUTH })).status).toBe(500);
  });

  it('setLatencyMs delays API calls', async () => {
    const { api, sandbox } = setup();
    sandbox.controls.mastercard.setLatencyMs(60);
    const started = performance.now();
    expect((await api.get('/v1/providers/DK_TestBank')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(() => sandbox.controls.mastercard.setLatencyMs(-5)).toThrow();
  });
});

describe('Mastercard HTTP controls under /__sandbox/mastercard', () => {
  const post = (sandbox: ReturnType<typeof setup>['sandbox'], path: string, body?: unknown) =>
    sandbox.request(`/__sandbox/mastercard${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('inspects payments, changes settings and resets', async () => {
    const { api, sandbox, shopper, clock } = setup();
    const { redirectUrl, paymentId } = await api.create({ providerId: 'DK_SlowBank' });

    const settings = await post(sandbox, '/settings', { slowBankDelayMs: 1000 });
    expect(await settings.json()).toEqual({ slowBankDelayMs: 1000, latencyMs: 0, pendingFaults: 0 });
    await shopper.pay(redirectUrl);

    const inspected = await sandbox.request(`/__sandbox/mastercard/payments/${paymentId}`);
    expect(inspected.status).toBe(200);
    const body = (await inspected.json()) as Json;
    expect(body.payment.status.code).toBe('Pending');
    expect(body.sandbox.pendingUntil).toBe('2024-01-01T09:00:01.000Z');
    clock.advance(1000);
    const listed = (await (await sandbox.request('/__sandbox/mastercard/payments')).json()) as Json;
    expect(listed.payments.map((p: Json) => p.status.code)).toEqual(['Succeeded']);

    expect((await sandbox.request('/__sandbox/mastercard/payments/20240101.none')).status).toBe(404);

    expect(await (await post(sandbox, '/reset')).json()).toEqual({ reset: true });
    expect((await sandbox.request(`/__sandbox/mastercard/payments/${paymentId}`)).status).toBe(404);
    expect(await (await sandbox.request('/__sandbox/mastercard/settings')).json()).toEqual({
      slowBankDelayMs: 5000,
      latencyMs: 0,
      pendingFaults: 0,
    });
  });

  it('switches availability and injects faults over HTTP', async () => {
    const { api, sandbox } = setup();
    const off = await post(sandbox, '/providers/SE_TestBank/availability', { available: false });
    expect(await off.json()).toEqual({ providerId: 'SE_TestBank', available: false });
    expect((await api.get('/v1/providers/SE_TestBank')).json.status.message).toBe('Temporarily unavailable');

    const faults = await post(sandbox, '/faults', { status: 502, count: 2 });
    expect(((await faults.json()) as Json).pendingFaults).toBe(2);
    expect((await api.get('/v1/providers')).status).toBe(502);
    const cleared = await sandbox.request('/__sandbox/mastercard/faults', { method: 'DELETE' });
    expect(((await cleared.json()) as Json).pendingFaults).toBe(0);
    expect((await api.get('/v1/providers')).status).toBe(200);
  });

  it('validates control bodies like the API does', async () => {
    const { sandbox } = setup();
    const bad = await post(sandbox, '/settings', { slowBankDelayMs: 'soon' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).details.validationErrors.slowBankDelayMs).toBeDefined();
    expect((await post(sandbox, '/faults', { status: 418 })).status).toBe(400);
    expect((await post(sandbox, '/faults', { status: 500, malformed: true })).status).toBe(400);
    expect((await post(sandbox, '/providers/XX_Nope/availability', { available: false })).status).toBe(404);
    expect((await post(sandbox, '/providers/DK_TestBank/availability', {})).status).toBe(400);
    const notJson = await sandbox.request('/__sandbox/mastercard/settings', { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
  });
});

describe('startSandboxServer and the CLI', () => {
  it('listens on an ephemeral port and hands out URLs on that port', async () => {
    const running = await startSandboxServer({ port: 0 });
    try {
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(running.publicUrl).toBe(running.url);
      const health = await fetch(`${running.url}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok' });
      const created = await fetch(`${running.url}/mastercard/v1/payments/create`, {
        method: 'POST',
        headers: { ...AUTH, 'Content-Type': 'application/json' },
        body: JSON.stringify(paymentBody()),
      });
      const { redirectUrl } = (await created.json()) as { redirectUrl: string };
      expect(redirectUrl.startsWith(`${running.url}/mastercard/auth/start/payment?`)).toBe(true);
      const page = await fetch(redirectUrl);
      expect(page.status).toBe(200);
      expect(running.sandbox.controls.mastercard.listPayments()).toHaveLength(1);
    } finally {
      await running.close();
    }
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });

  it('uses the configured public URL in redirect URLs', async () => {
    const running = await startSandboxServer({ port: 0, publicUrl: 'https://sandbox.example.com/' });
    try {
      const res = await fetch(`${running.url}/mastercard/v1/providers/DK_TestBank`, { headers: AUTH });
      expect(((await res.json()) as Json).presentation.logos.large.svg).toBe(
        'https://sandbox.example.com/mastercard/logos/DK_TestBank.svg',
      );
    } finally {
      await running.close();
    }
  });

  it('the CLI reads PWB_SANDBOX_* and prints the URL it listens on', async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cli], {
      env: { ...process.env, PWB_SANDBOX_PORT: '0', PWB_SANDBOX_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`CLI printed no URL: ${out}`)), 15_000);
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`CLI exited with ${code}: ${out}`)));
      });
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('the CLI refuses an invalid port', async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cli], {
      env: { ...process.env, PWB_SANDBOX_PORT: 'abc' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(err).toContain('PWB_SANDBOX_PORT');
  });
});
