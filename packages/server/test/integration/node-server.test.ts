import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../src/node.js';
import { baseEnv, MC_CLIENT_SECRET, testConfig } from '../helpers/config.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';

const root = join(import.meta.dirname, '../..');

describe('startServer (Node)', () => {
  it('listens on an ephemeral port, serves the API over HTTP and closes', async () => {
    const running = await startServer(testConfig({ PWB_PORT: '0' }), {
      adapters: [new FakeAdapter()],
      backgroundWorkers: false,
    });
    try {
      expect(running.port).toBeGreaterThan(0);
      expect(running.url).toBe(`http://127.0.0.1:${running.port}`);
      const health = await fetch(`${running.url}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok', checks: { store: 'ok' } });
      const tooBig = await fetch(`${running.url}/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: 'x'.repeat(40_000),
      });
      expect(tooBig.status).toBe(413);
    } finally {
      await running.close();
    }
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });
});

describe('CLI', () => {
  it('refuses to start with a readable list of configuration problems, without secrets', () => {
    const result = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/cli.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        PWB_MASTERCARD_CLIENT_SECRET: MC_CLIENT_SECRET,
        PWB_MERCHANT_API_KEYS: 'too-short-secret',
      },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PWB_MERCHANT_API_KEYS: key #1 is shorter than 32 characters');
    expect(result.stderr).toContain('PWB_PAYEE_NAME is required');
    expect(result.stderr).toContain('PWB_MASTERCARD_CLIENT_ID is required');
    expect(result.stderr).not.toContain('too-short-secret');
    expect(result.stderr).not.toContain(MC_CLIENT_SECRET);
  });

  it('starts from the environment and logs where it listens', async () => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/cli.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, ...baseEnv({ PWB_PORT: '0', PWB_LOG_LEVEL: 'info' }) } as NodeJS.ProcessEnv,
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 15_000);
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const line = out.split('\n').find((l) => l.includes('"msg":"listening"'));
          if (line) {
            clearTimeout(timer);
            resolve(JSON.parse(line).url);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
