/**
 * The companion server with a callback-capable provider, as its own process, for the
 * `callback:before-apply` crash test. The configured provider (Mastercard) has no callbacks and the
 * Vipps adapters are not wired into the server yet, so this runs the real server (config from the
 * environment, SQLite, routes, core, outbox) with the provider-neutral FakeAdapter of the unit
 * tests, whose callbacks are `{ id, event, status }` authenticated by `x-fake-auth: good`.
 */
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/node.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';

const running = await startServer(loadConfig(process.env), {
  adapters: [new FakeAdapter({ id: 'fake', currencies: ['DKK'], capabilities: { callbacks: true } })],
});
process.once('SIGTERM', () => {
  running.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
