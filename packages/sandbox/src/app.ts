/**
 * The whole sandbox as one Hono app: the Mastercard emulator under `/mastercard`, the Vipps emulator
 * under `/vipps`, sandbox-only controls under `/__sandbox/...`, and GET /healthz.
 * `app.fetch` runs it in-process; server.ts runs it on a port.
 */
import { Hono } from 'hono';
import type { Clock } from './shared/clock.js';
import { createMastercardSandbox, type MastercardControls, type MastercardSandboxOptions } from './mastercard/index.js';
import { createVippsSandbox, type VippsControls, type VippsSandboxOptions } from './vipps/index.js';

export interface SandboxOptions {
  /** Public origin the sandbox is reached at (e.g. `http://127.0.0.1:4010`). Default: each request's origin. */
  publicUrl?: string;
  /** Injected "now" for every emulator (tests move time forward with it). */
  clock?: Clock;
  /** Mastercard emulator settings (credentials, slow-bank delay, …). */
  mastercard?: Omit<MastercardSandboxOptions, 'publicUrl' | 'clock' | 'mountPath'>;
  /** Vipps emulator settings (credentials, merchant name, timeouts, outbound fetch, …). */
  vipps?: Omit<VippsSandboxOptions, 'publicUrl' | 'clock' | 'mountPath'>;
}

export interface SandboxControls {
  mastercard: MastercardControls;
  /** Set by createSandbox (optional only so the Mastercard part can be built first). */
  vipps?: VippsControls;
}

/** A Hono app (use `.fetch` / `.request`) with the emulators' programmatic controls attached. */
export type Sandbox = Hono & { readonly controls: SandboxControls };

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const app = new Hono();
  const shared = {
    ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  };

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  const mastercard = createMastercardSandbox({ ...options.mastercard, ...shared, mountPath: '/mastercard' });
  app.route('/mastercard', mastercard.app);
  app.route('/__sandbox/mastercard', mastercard.controlApp);

  const controls: SandboxControls = { mastercard: mastercard.controls };

  // VIPPS MOUNT
  const vipps = createVippsSandbox({ ...options.vipps, ...shared, mountPath: '/vipps' });
  app.route('/vipps', vipps.app);
  app.route('/__sandbox/vipps', vipps.controlApp);
  controls.vipps = vipps.controls;

  app.notFound((c) =>
    c.json({ error: 'NotFound', details: { reason: `No sandbox route for ${c.req.method} ${c.req.path}` } }, 404),
  );
  app.onError((err, c) => {
    console.error('[sandbox] unexpected error', err);
    return c.json({ error: 'InternalServerError', details: { reason: 'Unexpected sandbox error' } }, 500);
  });

  return Object.assign(app, { controls });
}
