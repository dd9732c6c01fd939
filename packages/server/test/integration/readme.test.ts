/**
 * The root README's try-out runs as written: the blocks marked `<!-- readme-check: NAME -->` are
 * taken from README.md itself and run — the sandbox command, the companion server's environment and
 * command, and the merchant's create-session code. The only substitutions are the ports (free ones
 * instead of 4010/4020, so a running demo does not collide) and the database path (a temp file).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../crash/processes.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

function block(name: string): string {
  const match = new RegExp(`<!-- readme-check: ${name} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(README);
  if (!match) throw new Error(`README.md has no block marked readme-check: ${name}`);
  return match[1]!;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'pwb-readme-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) {
    try {
      process.kill(-child.pid!, 'SIGKILL'); // the whole group: bash → npm → pnpm → node
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Run a shell snippet in its own process group; resolves when a line matches `ready`. */
function runUntil(script: string, env: Record<string, string>, ready: RegExp): Promise<string[]> {
  const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, CI: process.env.CI ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in time:\n${lines.slice(-30).join('\n')}`)), 90_000);
    const onLine = (line: string) => {
      lines.push(line);
      if (ready.test(line)) {
        clearTimeout(timer);
        resolve(lines);
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready:\n${lines.slice(-30).join('\n')}`));
    });
  });
}

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe('README: the companion server against the sandbox, as written', () => {
  it('starts the sandbox and the server by the README’s commands and creates a session with its code', async () => {
    const [sandboxPort, serverPort] = [await freePort(), await freePort()];
    const sandbox = block('sandbox');
    const server = block('server')
      .replaceAll('127.0.0.1:4010', `127.0.0.1:${sandboxPort}`)
      .replace('"$PWD/.data/try.sqlite"', JSON.stringify(join(dir, 'try.sqlite')));
    const code = block('create-session');
    expect(sandbox.trim()).toBe('npm run sandbox');
    expect(server).toContain('npm run server');

    await runUntil(sandbox, { PWB_SANDBOX_PORT: String(sandboxPort) }, /sandbox listening on/);
    await runUntil(server, { PWB_PORT: String(serverPort), PWB_LOG_LEVEL: 'info' }, /"msg":"listening"/);

    const apiKey = /export PWB_MERCHANT_API_KEYS=(\S+)/.exec(server)![1]!;
    writeFileSync(join(dir, 'create-session.mjs'), code);
    const env = { PWB_MERCHANT_API_KEYS: apiKey, PWB_SERVER_URL: `http://127.0.0.1:${serverPort}` };
    const first = await run(process.execPath, ['create-session.mjs'], env);
    expect(first.code, first.out).toBe(0);
    const printed = /^(cs_\S+) open (pwb_ct_\S+)$/m.exec(first.out);
    expect(printed, first.out).not.toBeNull();
    // The README says a retry with the same order id gets the same session and token back.
    const again = await run(process.execPath, ['create-session.mjs'], env);
    expect(again.out.trim()).toBe(first.out.trim());
    const other = await run(process.execPath, ['create-session.mjs', 'ORDER-1002'], env);
    expect(other.out).not.toContain(printed![1]!);
  }, 180_000);
});
