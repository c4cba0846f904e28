/**
 * The functions that never touch DynamoDB. Their entries import them from here rather than from
 * endpoints.ts, which imports every store: `@aws-sdk/lib-dynamodb` declares no `sideEffects: false`, so
 * merely importing it keeps the whole DynamoDB client in a bundle (services.ts says more).
 */
import { createPasskeyScriptHandler } from '#adapters/endpoints/assets/passkey-script';
import { createJwksHandler } from '#adapters/endpoints/discovery/jwks';
import { createMetadataHandler } from '#adapters/endpoints/discovery/metadata';
import { createResourceMetadataHandler } from '#adapters/endpoints/discovery/resource-metadata';
import { createSampleBackendHandler } from '#adapters/endpoints/protected/sample';
import { keyRing, lambdaRuntime, type Runtime } from './runtime.ts';

export const metadataEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createMetadataHandler(runtime.config, runtime.logger);
export const jwksEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createJwksHandler(keyRing(runtime), runtime.logger);
export const sampleBackendEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createSampleBackendHandler(runtime.logger);
export const resourceMetadataEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createResourceMetadataHandler(runtime.config, runtime.logger);
export const passkeyScriptEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createPasskeyScriptHandler(runtime.logger);
