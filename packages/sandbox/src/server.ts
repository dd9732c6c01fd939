/** Runs the sandbox on a real port (Node), for the demo and end-to-end tests. */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createSandbox, type Sandbox, type SandboxOptions } from './app.js';

export interface StartSandboxServerOptions extends Omit<SandboxOptions, 'publicUrl'> {
  /** 0 picks a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Public origin if the sandbox is reached through another host/port; default: the listening URL. */
  publicUrl?: string;
}

export interface RunningSandbox {
  /** The listening URL, e.g. `http://127.0.0.1:4010`. */
  url: string;
  /** What the emulators put in redirect and logo URLs. */
  publicUrl: string;
  sandbox: Sandbox;
  close(): Promise<void>;
}

export async function startSandboxServer(options: StartSandboxServerOptions = {}): Promise<RunningSandbox> {
  const { port = 0, host = '127.0.0.1', publicUrl, ...sandboxOptions } = options;
  // The sandbox needs its public URL, which for port 0 is only known once listening: create it then.
  const ready: { sandbox?: Sandbox } = {};
  const server = serve({
    fetch: (request, env) =>
      ready.sandbox ? ready.sandbox.fetch(request, env) : new Response('Starting', { status: 503 }),
    port,
    hostname: host,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const displayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${displayHost}:${address.port}`;
  const effectivePublicUrl = (publicUrl ?? url).replace(/\/+$/, '');
  const sandbox = createSandbox({ ...sandboxOptions, publicUrl: effectivePublicUrl });
  ready.sandbox = sandbox;

  return {
    url,
    publicUrl: effectivePublicUrl,
    sandbox,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive connections would otherwise hold close() open.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
