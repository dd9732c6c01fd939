/** Node entry: serve createServer's fetch handler over HTTP with @hono/node-server. */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createServer, type PayWithBankServer, type ServerDeps } from './app.js';
import type { Config } from './config.js';

export interface RunningServer {
  /** Base URL actually listened on (port 0 resolves to the real port). */
  url: string;
  port: number;
  server: PayWithBankServer;
  close(): Promise<void>;
}

export async function startServer(config: Config, deps: ServerDeps = {}): Promise<RunningServer> {
  const server = createServer(config, deps);
  // Listen only once the database answers and its migrations ran (PostgreSQL applies them on first
  // use); a database that cannot be reached stops the start with one line (never its URL).
  try {
    await server.services.store.ping();
  } catch (error) {
    await server.close().catch(() => {});
    throw error;
  }
  let httpServer: ReturnType<typeof serve>;
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    httpServer = serve({ fetch: server.fetch, port: config.port, hostname: config.host }, (info) => resolve(info));
    httpServer.once('error', reject);
  });
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  server.services.logger.info('listening', { url, publicUrl: config.publicUrl });
  return {
    url,
    port: address.port,
    server,
    async close() {
      // Open event streams would hold the HTTP server's close() open: end them first (clients reconnect).
      server.live.endStreams();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        // Idle keep-alive sockets would hold close() open.
        (httpServer as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      });
      await server.close();
    },
  };
}
