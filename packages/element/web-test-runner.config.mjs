// Browser unit tests: `npx wtr` (or `pnpm test`) in packages/element. See /docs toolchain notes.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';

const here = dirname(fileURLToPath(import.meta.url));
const workspaceRoot = join(here, '../..');

// test/csp/page.html is served with a policy a careful merchant would use (see test/csp.test.ts).
const STRICT_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "require-trusted-types-for 'script'",
  'trusted-types lit-html',
].join('; ');
const cspMiddleware = async (ctx, next) => {
  await next();
  if (ctx.path.endsWith('/test/csp/page.html')) ctx.set('Content-Security-Policy', STRICT_CSP);
};

// A test that sets the cookie `pwb-fail-chunks=express` (names separated by `+`) gets a 503 for those
// modules (of src/ by their path there, `express`; others by theirs in the package,
// `test/chunks/retry-module`), the way a host that serves only the entry, or a dropped connection,
// fails a chunk.
const failChunksMiddleware = async (ctx, next) => {
  const names = /(?:^|;\s*)pwb-fail-chunks=([^;]*)/.exec(ctx.get('cookie') ?? '')?.[1]?.split('+') ?? [];
  const module = /\/packages\/element\/(?:src\/)?([\w/-]+)\.(?:js|ts)$/.exec(ctx.path)?.[1];
  if (module && names.includes(module)) {
    ctx.status = 503;
    ctx.body = 'chunk unavailable (test)';
    return;
  }
  await next();
};

export default {
  rootDir: workspaceRoot,
  files: ['test/**/*.test.ts'],
  // `source` makes @pay-with-bank/protocol resolve to its TypeScript sources.
  middleware: [cspMiddleware, failChunksMiddleware],
  nodeResolve: { exportConditions: ['source', 'browser', 'import', 'default'] },
  plugins: [
    // The esbuild plugin ignores "extends": point it at the file holding the decorator settings.
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: join(workspaceRoot, 'tsconfig.base.json') }),
  ],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
      },
    }),
  ],
  concurrency: 1,
  testFramework: { config: { timeout: 10000 } },
};
