/**
 * The npm package's entry point (package.json `exports`, built by infra/package/build.ts): the
 * `TinyOAuth` construct and the `TinyOAuthStack` around it, whose functions use the bundles shipped next
 * to this module instead of bundling our sources.
 */
import { fileURLToPath } from 'node:url';
import { usePrebuiltBundles } from '#infra/cdk/function';

usePrebuiltBundles(fileURLToPath(new URL('./lambda/', import.meta.url)));

export type { ResourceServerDeclaration } from '#contract/resources';
export type { TinyOAuthFunction } from '#infra/cdk/function';
export type { TinyOAuthFunctions } from '#infra/cdk/functions';
export type { TinyOAuthMonitoring } from '#infra/cdk/monitoring';
export type { TinyOAuthDomainSettings, TinyOAuthStackProps } from '#infra/cdk/stack';
export { TinyOAuthStack } from '#infra/cdk/stack';
export * from '#infra/cdk/tinyoauth';
