/** Build a server for tests and talk to it through app.fetch like a merchant backend or a browser would. */
import type { CreateSessionResponse } from '@pay-with-bank/protocol';
import { createServer, type PayWithBankServer, type ServerDeps } from '../../src/app.js';
import type { Env } from '../../src/config.js';
import { MemoryStore } from '../../src/store/memory.js';
import { MERCHANT_KEY, RETURN_URL, testConfig } from './config.js';

export const BASE = 'http://pwb.test';

export interface Harness {
  server: PayWithBankServer;
  request(
    method: string,
    path: string,
    init?: { body?: unknown; headers?: Record<string, string>; rawBody?: string },
  ): Promise<Response>;
  merchant(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  client(
    token: string,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
  createSession(overrides?: Record<string, unknown>): Promise<CreateSessionResponse>;
}

export function makeHarness(options: { env?: Env; deps?: ServerDeps } = {}): Harness {
  const config = testConfig(options.env);
  return makeHarnessFor(createServer(config, { store: new MemoryStore(), backgroundWorkers: false, ...options.deps }));
}

export function makeHarnessFor(server: PayWithBankServer): Harness {
  const request: Harness['request'] = (method, path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    let body: string | undefined = init.rawBody;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    return server.fetch(new Request(`${BASE}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) }));
  };
  const harness: Harness = {
    server,
    request,
    merchant: (method, path, body, headers = {}) =>
      request(method, path, {
        ...(body !== undefined ? { body } : {}),
        headers: { authorization: `Bearer ${MERCHANT_KEY}`, ...headers },
      }),
    client: (token, method, path, body, headers = {}) =>
      request(method, path, {
        ...(body !== undefined ? { body } : {}),
        headers: { authorization: `Bearer ${token}`, ...headers },
      }),
    async createSession(overrides = {}) {
      const response = await harness.merchant('POST', '/v1/sessions', {
        amount: { value: 12500, currency: 'DKK' },
        reference: 'ORDER-1001',
        description: 'Two ceramic mugs',
        returnUrl: RETURN_URL,
        ...overrides,
      });
      if (response.status !== 201) throw new Error(`createSession failed: ${response.status} ${await response.text()}`);
      return (await response.json()) as CreateSessionResponse;
    },
  };
  return harness;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read loosely in tests
export async function json<T = any>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
