/**
 * Who is calling, for per-address rate limits. By default the TCP peer address that
 * @hono/node-server hands the fetch handler (`env.incoming.socket.remoteAddress`). Behind a
 * reverse proxy every request comes from the proxy, so PWB_TRUSTED_PROXY_HEADER names the header
 * that proxy sets (`x-forwarded-for`, `x-real-ip`, `cf-connecting-ip`, …). No header is trusted by
 * default: any client can send X-Forwarded-For, and trusting it would let it pick its own bucket.
 */
import { isIP } from 'node:net';

export interface ClientAddressOptions {
  /** Lower-case header name set by a trusted reverse proxy, or null to use the socket address. */
  trustedProxyHeader: string | null;
}

/** The socket address from @hono/node-server's bindings (`{ incoming }`, or `{ server: { incoming } }` when nested). */
function socketAddress(env: unknown): string | null {
  const bindings = env as
    | {
        incoming?: { socket?: { remoteAddress?: unknown } };
        server?: { incoming?: { socket?: { remoteAddress?: unknown } } };
      }
    | undefined;
  const address = bindings?.incoming?.socket?.remoteAddress ?? bindings?.server?.incoming?.socket?.remoteAddress;
  return typeof address === 'string' && isIP(address) ? address : null;
}

/** Expand an IPv6 address to its 8 groups (without zone id). */
function ipv6Groups(address: string): string[] {
  const [head = '', tail = ''] = address.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right].map((g) =>
    g.toLowerCase().replace(/^0+(?=.)/, ''),
  );
}

/**
 * The rate-limit key of an address: IPv4 as is (IPv4-mapped IPv6 unwrapped); IPv6 by its /64,
 * because one subscriber usually gets a whole /64 and could otherwise rotate through it.
 */
export function addressKey(address: string): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  const family = isIP(address);
  if (family === 4) return address;
  if (family === 6) return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
  return null;
}

/** The client's address key, or null when it cannot be known (then no per-address limit applies). */
export function clientAddress(request: Request, env: unknown, options: ClientAddressOptions): string | null {
  if (options.trustedProxyHeader) {
    const value = request.headers.get(options.trustedProxyHeader);
    if (value && value.length <= 2048) {
      // X-Forwarded-For lists hops left to right; the right-most entry is the one our proxy added
      // (everything left of it was sent by the client and may be forged).
      const entries = value.split(',').map((entry) => entry.trim());
      const key = addressKey(entries[entries.length - 1] ?? '');
      if (key) return key;
    }
  }
  const socket = socketAddress(env);
  return socket ? addressKey(socket) : null;
}
