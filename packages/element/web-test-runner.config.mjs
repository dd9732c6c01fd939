// Browser unit tests: `npx wtr` (or `pnpm test`) in packages/element. See /docs toolchain notes.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';

const here = dirname(fileURLToPath(import.meta.url));
const workspaceRoot = join(here, '../..');

// @web/test-runner-commands (sendKeys) ships with @web/test-runner; pnpm does not link it into this
// package, so map the bare import to the copy next to the runner.
const commandsFile = join(
  realpathSync(join(here, 'node_modules/@web/test-runner')),
  '../test-runner-commands/browser/commands.mjs',
);
if (!existsSync(commandsFile)) throw new Error(`@web/test-runner-commands not found at ${commandsFile}`);
const commandsPlugin = {
  name: 'resolve-test-runner-commands',
  resolveImport({ source }) {
    if (source === '@web/test-runner-commands')
      return '/' + relative(workspaceRoot, commandsFile).split('\\').join('/');
  },
};

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

export default {
  rootDir: workspaceRoot,
  files: ['test/**/*.test.ts'],
  // `source` makes @pay-with-bank/protocol resolve to its TypeScript sources.
  middleware: [cspMiddleware],
  nodeResolve: { exportConditions: ['source', 'browser', 'import', 'default'] },
  plugins: [
    commandsPlugin,
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
