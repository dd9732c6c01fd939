/**
 * A round-robin HTTP load balancer in the test process, in front of several server processes, as
 * nginx or a cloud load balancer would be: each request goes to the next instance of the pool; an
 * instance that refuses the connection (it is dead) is passed over for the next one, since the
 * request never reached it; an instance that dies with a request in hand leaves that request
 * answered 502, as nginx does for a request it has sent. Tests can pin the next matching request
 * to one instance (the one about to crash, say), and observe the requests they time (when each
 * arrived, which instance answered it and when).
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Proxy {
  url: string;
  /** The instances' base URLs, in round-robin order; change its contents to change the pool. */
  pool: string[];
  /** The next request `matching` goes to `upstream` (in the pool or not) instead of the next in turn. */
  pinNext(matching: (method: string, path: string) => boolean, upstream: string): void;
  /** Requests answered by each upstream (502s excluded). */
  answered: Map<string, number>;
  /** Requests answered 502 because their instance died with them. */
  badGateway: number;
  /** From now on, record the requests `matching` as they pass (the list fills in as they arrive and are answered). */
  observe(matching: (method: string, path: string) => boolean): Passage[];
  close(): Promise<void>;
}

/** One request through the balancer, as observe() records it. */
export interface Passage {
  method: string;
  path: string;
  body: string;
  /** When its request reached the balancer (Date.now()). */
  receivedAt: number;
  /** The instance that answered it, and when its answer had been passed on in full; null until then. */
  upstream: string | null;
  answeredAt: number | null;
  status: number | null;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

type Attempt = { kind: 'answered'; status: number } | { kind: 'refused' } | { kind: 'lost' };

/** Forward one request to `upstream`; `refused` when it could not even connect. */
function forward(upstream: string, incoming: IncomingMessage, body: Buffer, out: ServerResponse): Promise<Attempt> {
  const target = new URL(incoming.url ?? '/', upstream);
  return new Promise((resolve) => {
    let connected = false;
    const headers = { ...incoming.headers, host: target.host, connection: 'close' };
    const req = httpRequest(target, { method: incoming.method, headers, agent: false }, (response: IncomingMessage) => {
      out.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(out);
      response.once('end', () => resolve({ kind: 'answered', status: response.statusCode ?? 502 }));
      response.once('error', () => {
        out.destroy();
        resolve({ kind: 'lost' });
      });
    });
    req.once('socket', (socket) => socket.once('connect', () => (connected = true)));
    req.once('error', () => resolve({ kind: connected ? 'lost' : 'refused' }));
    req.end(body);
  });
}

export async function startProxy(pool: string[] = []): Promise<Proxy> {
  let next = 0;
  const pins: { matching: (method: string, path: string) => boolean; upstream: string }[] = [];
  const observers: { matching: (method: string, path: string) => boolean; passages: Passage[] }[] = [];
  const proxy: Proxy = {
    url: '',
    pool,
    pinNext: (matching, upstream) => pins.push({ matching, upstream }),
    answered: new Map(),
    badGateway: 0,
    observe(matching) {
      const passages: Passage[] = [];
      observers.push({ matching, passages });
      return passages;
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
  const server = createServer((incoming, out) => {
    const receivedAt = Date.now();
    void (async () => {
      const body = await readBody(incoming);
      const method = incoming.method ?? 'GET';
      const path = new URL(incoming.url ?? '/', 'http://proxy').pathname;
      const watched = observers.filter((o) => o.matching(method, path));
      const passage: Passage | null = watched.length
        ? { method, path, body: body.toString('utf8'), receivedAt, upstream: null, answeredAt: null, status: null }
        : null;
      for (const o of watched) o.passages.push(passage!);
      const pin = pins.findIndex((p) => p.matching(method, path));
      const candidates =
        pin >= 0
          ? [pins.splice(pin, 1)[0]!.upstream]
          : Array.from({ length: proxy.pool.length }, (_, i) => proxy.pool[(next + i) % proxy.pool.length]!);
      next = (next + 1) % Math.max(1, proxy.pool.length);
      for (const upstream of candidates) {
        const attempt = await forward(upstream, incoming, body, out);
        if (attempt.kind === 'refused') continue;
        if (attempt.kind === 'answered') {
          proxy.answered.set(upstream, (proxy.answered.get(upstream) ?? 0) + 1);
          if (passage) Object.assign(passage, { upstream, answeredAt: Date.now(), status: attempt.status });
        } else if (!out.headersSent) {
          proxy.badGateway++;
          out.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway');
        }
        return;
      }
      proxy.badGateway++;
      out.writeHead(502, { 'content-type': 'text/plain' }).end('no instance answered');
    })();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
