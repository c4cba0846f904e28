/**
 * What the functions are measured against, bundled and initialised with the same method in the same run:
 * the SDK floor (a bare DocumentClient handler with the project's bundling), the same floor without each
 * bundling trade the project makes (so every trick is measured, not assumed), and two peers.
 */
import type { BundleSpec } from './bundles.ts';

export const SDK_FLOOR = 'SDK floor';
export const OIDC_PROVIDER = 'node-oidc-provider';

const FLOOR_ENTRY = 'bench/references/sdk-floor.ts';

/**
 * Koa and its dependencies `require()` Node built-ins, which an ESM bundle can only do through a
 * `require` made by `createRequire`: the banner AWS documents for ESM bundles of CommonJS code.
 */
const REQUIRE_BANNER = {
  js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
};

export const REFERENCES: readonly BundleSpec[] = [
  { name: SDK_FLOOR, kind: 'floor', entry: FLOOR_ENTRY },
  {
    name: 'SDK floor, full credential chain',
    kind: 'trade',
    entry: FLOOR_ENTRY,
    why: 'without the env-only credentials alias (infra/cdk/function.ts)',
    overrides: { alias: {} },
  },
  {
    name: 'SDK floor, CommonJS builds',
    kind: 'trade',
    entry: FLOOR_ENTRY,
    why: 'mainFields main (the SDK’s dist-cjs, which needs the require banner) instead of module',
    overrides: { mainFields: ['main'], banner: REQUIRE_BANNER },
  },
  {
    name: 'SDK floor, SDK not bundled',
    kind: 'trade',
    entry: FLOOR_ENTRY,
    why: 'the SDK left external and loaded from node_modules, as the runtime’s copy would be',
    overrides: { external: ['@aws-sdk/*', '@smithy/*'] },
  },
  { name: 'openauth', kind: 'peer', entry: 'bench/references/openauth.ts' },
  {
    name: OIDC_PROVIDER,
    kind: 'peer',
    entry: 'bench/references/oidc-provider.ts',
    overrides: { banner: REQUIRE_BANNER },
  },
];

/** What Lambda would give a reference: region and credentials in the environment, its table's name. */
export function referenceEnvironment(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
