import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    // The run's shared PostgreSQL test cluster: started by the first test that needs it, stopped here.
    globalSetup: ['test/helpers/postgres-global.ts'],
  },
});
