/**
 * Four projects, one `vitest run`:
 * - `unit` (test/unit): no DynamoDB, no java; must stay fast.
 * - `cdk` (test/cdk): synthesises the stack offline (esbuild bundling included) and runs cdk-nag.
 * - `browser` (test/browser): real Chromium against `npm start`.
 * - `integration` (test/integration, test/e2e): ONE DynamoDB Local for the whole run, started by
 *   test/support/global-setup.ts, with the tables under the `test_` prefix.
 * Both get the environment of test/support/env.ts, so handler modules that read their configuration at
 * module scope see the test DynamoDB, the test key set and fast password hashing.
 */
import { defineConfig } from 'vitest/config';

// The AWS SDK warns once per process that its releases after January 2027 need Node 22; the functions run
// on Node 24 in Lambda, and this repeated notice in every test worker would bury real output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const shared = {
  setupFiles: ['test/support/env.ts'],
  globalSetup: ['test/support/global-setup.ts'],
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 10_000 },
      },
      {
        extends: true,
        test: {
          ...shared,
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          ...shared,
          name: 'cdk',
          include: ['test/cdk/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        extends: true,
        // Real Chromium against `npm start` (test/browser/chromium.ts says when they are skipped).
        test: { ...shared, name: 'browser', include: ['test/browser/**/*.test.ts'], testTimeout: 120_000 },
      },
    ],
  },
});
