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
import { createLogger, lineWriter } from '#adapters/logger';
import { ObservedEvents, withinInvocation } from '#adapters/observability';
import type { Environment } from '#contract/environment';
import { type Clock, systemClock } from '#core/clock';
import { KeyRing, reportingKeyAge } from '#core/keys/key-ring';
import type { Logger } from '#core/logging';
import type { SecurityEvents } from '#core/observability';

/** The security events of a runtime, printed as metrics once per invocation (`flush`). */
export type RuntimeEvents = SecurityEvents & { flush(): void };

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
  /** Likewise: tests keep what the core reported; otherwise `securityEvents()` builds metrics and audit lines. */
  events?: RuntimeEvents;
}

function keyRingFor({ keys, region }: Config, events: SecurityEvents, clock: Clock): KeyRing {
  switch (keys.source) {
    case 'file':
      return KeyRing.fromKeySet(reportingKeyAge(new FileKeySource(keys.path), events, clock));
    case 'secretsmanager':
      return KeyRing.fromKeySet(
        reportingKeyAge(new SecretKeySetSource(new AwsSecretStore(region), keys.secretId), events, clock),
      );
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

/** Metrics (EMF) and audit lines, written where the runtime's logger writes, unless the runtime brought its own. */
export const securityEvents = /* @__PURE__ */ perRuntime(
  (runtime): RuntimeEvents =>
    runtime.events ??
    new ObservedEvents({
      logger: runtime.logger,
      write: lineWriter(runtime.logger),
      env: runtime.env,
      clock: runtime.clock,
    }),
);

/** What a Lambda handler is called with, as far as the ids of the invocation go. */
type InvocationArgs = [
  { requestContext?: { requestId?: string } } | undefined,
  { awsRequestId?: string } | undefined,
];

/**
 * Runs `handler` as one invocation: its audit lines carry its request ids, and what it counted is
 * printed when it returns or throws, before Lambda may freeze the environment.
 */
export const flushing =
  <Args extends unknown[], Result>(runtime: Runtime, handler: (...args: Args) => Promise<Result>) =>
  async (...args: Args): Promise<Result> => {
    const [event, context] = args as unknown as InvocationArgs;
    const ids = {
      ...(event?.requestContext?.requestId ? { correlation_id: event.requestContext.requestId } : {}),
      ...(context?.awsRequestId ? { function_request_id: context.awsRequestId } : {}),
    };
    try {
      return await withinInvocation(ids, () => handler(...args));
    } finally {
      securityEvents(runtime).flush();
    }
  };

/** The key ring, built on first use unless the runtime brought its own. */
export const keyRing = /* @__PURE__ */ perRuntime(
  (runtime) => runtime.keyRing ?? keyRingFor(runtime.config, securityEvents(runtime), runtime.clock),
);
