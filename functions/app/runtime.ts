/**
 * What every service is built from, and the one runtime of this process. Kept apart from services.ts so
 * that the functions without DynamoDB (endpoints-without-dynamodb.ts) import no store and no SDK they do
 * not use.
 */

import type { DynamoDb } from '#adapters/aws/dynamodb';
import { AwsSecretStore } from '#adapters/aws/secrets-manager';
import { type Config, loadConfig } from '#adapters/config';
import { FileKeySource } from '#adapters/keys/file-key-source';
import { SecretKeySetSource, SecretPublicKeySource } from '#adapters/keys/secret-key-sources';
import { createLogger } from '#adapters/logger';
import type { Environment } from '#contract/environment';
import { type Clock, systemClock } from '#core/clock';
import { KeyRing } from '#core/keys/key-ring';
import type { Logger } from '#core/logging';

/** What every service is built from: validated configuration and the clients of the outside world. */
export interface Runtime {
  /** The environment the configuration was read from (function-specific settings are read from it too). */
  env: Environment;
  config: Config;
  logger: Logger;
  clock: Clock;
  /** Tests and the benchmark bring a client of their own; otherwise `dynamoDb()` builds one on first use. */
  db?: DynamoDb;
  /** Likewise: in-memory keys for tests; otherwise `keyRing()` builds the configured one. */
  keyRing?: KeyRing;
}

function keyRingFor({ keys, region }: Config): KeyRing {
  switch (keys.source) {
    case 'file':
      return KeyRing.fromKeySet(new FileKeySource(keys.path));
    case 'secretsmanager':
      return KeyRing.fromKeySet(new SecretKeySetSource(new AwsSecretStore(region), keys.secretId));
    case 'secretsmanager-public':
      return KeyRing.fromPublicKeys(new SecretPublicKeySource(new AwsSecretStore(region), keys.secretId));
  }
}

/** A runtime read from an environment; its clients are built by `keyRing()` and services.ts's `dynamoDb()`. */
export function runtimeFrom(env: Environment): Runtime {
  const config = loadConfig(env);
  return {
    env,
    config,
    // No level: Powertools reads AWS_LAMBDA_LOG_LEVEL, POWERTOOLS_LOG_LEVEL or LOG_LEVEL (validated by loadConfig).
    logger: createLogger({ service: env.AWS_LAMBDA_FUNCTION_NAME ?? 'tinyoauth' }),
    clock: systemClock,
  };
}

let processRuntime: Runtime | undefined;

/** The runtime of this process (a Lambda execution environment, or `npm start`), built once. */
export function lambdaRuntime(): Runtime {
  processRuntime ??= runtimeFrom(process.env);
  return processRuntime;
}

/** One instance per runtime: every function of one process shares its stores and services. */
export function perRuntime<T>(build: (runtime: Runtime) => T): (runtime: Runtime) => T {
  const built = new WeakMap<Runtime, T>();
  return (runtime) => {
    if (!built.has(runtime)) built.set(runtime, build(runtime));
    return built.get(runtime) as T;
  };
}

/** The key ring, built on first use unless the runtime brought its own. */
export const keyRing = /* @__PURE__ */ perRuntime((runtime) => runtime.keyRing ?? keyRingFor(runtime.config));
