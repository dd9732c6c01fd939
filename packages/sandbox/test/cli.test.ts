/**
 * The `pwb-sandbox` CLI's environment: parsed and validated (unit), and honoured by the real CLI
 * process (the Vipps merchant name reaches the landing page a shopper sees).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sandboxOptionsFromEnv } from '../src/cli-env.js';
import { DEFAULT_VIPPS_CREDENTIALS, DEFAULT_VIPPS_MERCHANT_NAME } from '../src/index.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

describe('sandbox CLI environment', () => {
  it('defaults: port 4010 on 127.0.0.1, the Vipps emulator’s own merchant name', () => {
    expect(sandboxOptionsFromEnv({})).toEqual({ ok: true, options: { port: 4010, host: '127.0.0.1' } });
    expect(DEFAULT_VIPPS_MERCHANT_NAME).toBe('Sandbox Merchant AS');
  });

  it('PWB_SANDBOX_VIPPS_MERCHANT_NAME sets the name the Vipps pages show (trimmed)', () => {
    expect(
      sandboxOptionsFromEnv({
        PWB_SANDBOX_PORT: '0',
        PWB_SANDBOX_PUBLIC_URL: 'https://sandbox.example.com',
        PWB_SANDBOX_VIPPS_MERCHANT_NAME: '  Nordlys Goods ApS ',
      }),
    ).toEqual({
      ok: true,
      options: {
        port: 0,
        host: '127.0.0.1',
        publicUrl: 'https://sandbox.example.com',
        vipps: { merchantName: 'Nordlys Goods ApS' },
      },
    });
  });

  it('refuses an empty or over-long merchant name, listing every problem at once', () => {
    const empty = sandboxOptionsFromEnv({ PWB_SANDBOX_VIPPS_MERCHANT_NAME: '   ', PWB_SANDBOX_PORT: '70000' });
    expect(empty.ok).toBe(false);
    if (empty.ok) return;
    expect(empty.message).toMatch(
      /PWB_SANDBOX_VIPPS_MERCHANT_NAME[\s\S]*must not be empty|must not be empty[\s\S]*PWB_SANDBOX_VIPPS_MERCHANT_NAME/,
    );
    expect(empty.message).toContain('PWB_SANDBOX_PORT');

    const long = sandboxOptionsFromEnv({ PWB_SANDBOX_VIPPS_MERCHANT_NAME: 'x'.repeat(101) });
    expect(long.ok).toBe(false);
    if (long.ok) return;
    expect(long.message).toContain('PWB_SANDBOX_VIPPS_MERCHANT_NAME');
    expect(long.message).toContain('at most 100 characters');
    expect(sandboxOptionsFromEnv({ PWB_SANDBOX_VIPPS_MERCHANT_NAME: 'x'.repeat(100) }).ok).toBe(true);
  });
});

/** Starts the real CLI on a free port; resolves with its URL and everything it printed. */
function startCli(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CLI], {
    env: { ...process.env, PWB_SANDBOX_PORT: '0', PWB_SANDBOX_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const started = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`CLI printed no URL: ${out} ${err}`)), 15_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*Vipps MobilePay API:.*\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`CLI exited with ${code}: ${out} ${err}`));
    });
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return { started, stop, output: () => out, errors: () => err, child };
}

describe('sandbox CLI process', () => {
  it('shows PWB_SANDBOX_VIPPS_MERCHANT_NAME on the Vipps landing page', async () => {
    const cli = startCli({ PWB_SANDBOX_VIPPS_MERCHANT_NAME: 'Nordlys Goods ApS' });
    try {
      const url = await cli.started;
      expect(cli.output()).toContain(`Vipps MobilePay API:         ${url}/vipps  (merchant name: Nordlys Goods ApS)`);
      const tokenRes = await fetch(`${url}/vipps/accesstoken/get`, {
        method: 'POST',
        headers: {
          client_id: DEFAULT_VIPPS_CREDENTIALS.clientId,
          client_secret: DEFAULT_VIPPS_CREDENTIALS.clientSecret,
          'Ocp-Apim-Subscription-Key': DEFAULT_VIPPS_CREDENTIALS.subscriptionKey,
        },
      });
      expect(tokenRes.status).toBe(200);
      const { access_token } = (await tokenRes.json()) as { access_token: string };
      const created = await fetch(`${url}/vipps/epayment/v1/payments`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${access_token}`,
          'Ocp-Apim-Subscription-Key': DEFAULT_VIPPS_CREDENTIALS.subscriptionKey,
          'Merchant-Serial-Number': DEFAULT_VIPPS_CREDENTIALS.merchantSerialNumber,
          'Idempotency-Key': 'cli-merchant-name',
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          amount: { currency: 'NOK', value: 10_000 },
          paymentMethod: { type: 'WALLET' },
          reference: 'cli-merchant-name',
          userFlow: 'WEB_REDIRECT',
          returnUrl: 'https://shop.test/back',
        }),
      });
      expect(created.status).toBe(201);
      const { redirectUrl } = (await created.json()) as { redirectUrl: string };
      expect(redirectUrl.startsWith(`${url}/vipps/`)).toBe(true);
      const landing = await (await fetch(redirectUrl)).text();
      expect(landing).toContain('<p class="merchant">Nordlys Goods ApS</p>');
      expect(landing).not.toContain(DEFAULT_VIPPS_MERCHANT_NAME);
    } finally {
      await cli.stop();
    }
  });

  it('refuses an empty PWB_SANDBOX_VIPPS_MERCHANT_NAME and does not start', async () => {
    const cli = startCli({ PWB_SANDBOX_VIPPS_MERCHANT_NAME: '' });
    await expect(cli.started).rejects.toThrow(/CLI exited with 1/);
    expect(cli.errors()).toContain('pwb-sandbox: invalid environment');
    expect(cli.errors()).toContain('PWB_SANDBOX_VIPPS_MERCHANT_NAME');
    expect(cli.output()).not.toContain('listening on');
  });
});
