import { defineConfig } from 'vitest/config';

// Three projects: unit (parallel), integration and e2e (real sockets and processes; one file
// at a time so timing lessons such as a filling accept queue are not disturbed by each other).
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.{ts,tsx}'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // What a poll waits for comes through real processes and pipes: seconds on a loaded machine.
          expect: { poll: { timeout: 15_000 } },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // A page's state arrives through the server, the bridge and a render: never within vitest's 1 s default.
          expect: { poll: { timeout: 30_000 } },
        },
      },
    ],
  },
});
