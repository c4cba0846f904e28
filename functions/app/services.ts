/**
 * The composition root: the only module that builds services, and the only one that knows which
 * adapter serves which port. Lambda entries (functions/handlers) each call one `…Endpoint()` at module
 * scope, so configuration is validated and clients are created once per execution environment; tests
 * and the benchmark call the same builders with a runtime of their own.
 *
 * Every builder is a pure function of a `Runtime` (memoised per runtime and marked pure), so esbuild
 * drops from each function's bundle whatever that function does not use.
 */
import { loadAuthorizerSettings } from '#adapters/authorizer-settings';
import { createDynamoDb, type DynamoDb } from '#adapters/aws/dynamodb';
import { AwsSecretStore } from '#adapters/aws/secrets-manager';
import { type Config, loadConfig } from '#adapters/config';
import { DynamoAccountStore } from '#adapters/dynamo/accounts';
import { DynamoClientStore } from '#adapters/dynamo/clients';
import { DynamoConsentStore } from '#adapters/dynamo/consents';
import { DynamoGrantStore } from '#adapters/dynamo/grants';
import { DynamoLivenessStore } from '#adapters/dynamo/liveness';
import { FileKeySource } from '#adapters/keys/file-key-source';
import { remoteKeySet } from '#adapters/keys/remote-key-set';
import { SecretKeySetSource, SecretPublicKeySource } from '#adapters/keys/secret-key-sources';
import { createLogger } from '#adapters/logger';
import { BrowserSessions } from '#adapters/web/browser-sessions';
import type { Environment } from '#contract/environment';
import { createAuthorizer } from '#core/authorizer/decision';
import { ClientRegistry } from '#core/clients/registry';
import { type Clock, systemClock } from '#core/clock';
import { KeyRing } from '#core/keys/key-ring';
import type { Logger } from '#core/logging';
import { Authorization } from '#core/oauth/authorization';
import { Consents } from '#core/oauth/consents';
import { Introspection } from '#core/oauth/introspection';
import { Revocation } from '#core/oauth/revocation';
import { TokenGrants } from '#core/oauth/token-grants';
import { Accounts } from '#core/users/accounts';
import { Sessions } from '#core/users/sessions';

/** What every service is built from: validated configuration and the clients of the outside world. */
export interface Runtime {
  /** The environment the configuration was read from (function-specific settings are read from it too). */
  env: Environment;
  config: Config;
  logger: Logger;
  db: DynamoDb;
  keyRing: KeyRing;
  clock: Clock;
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

/**
 * A runtime read from an environment. The DynamoDB client and the key ring are created on first use,
 * so a function that needs neither (metadata) never builds them.
 */
export function runtimeFrom(env: Environment): Runtime {
  const config = loadConfig(env);
  let db: DynamoDb | undefined;
  let keyRing: KeyRing | undefined;
  return {
    env,
    config,
    logger: createLogger({ level: config.logLevel, service: env.AWS_LAMBDA_FUNCTION_NAME ?? 'tinyoauth' }),
    clock: systemClock,
    get db() {
      db ??= createDynamoDb({ region: config.region, endpoint: config.dynamoDbEndpoint });
      return db;
    },
    get keyRing() {
      keyRing ??= keyRingFor(config);
      return keyRing;
    },
  };
}

let processRuntime: Runtime | undefined;

/** The runtime of this process (a Lambda execution environment, or `npm start`), built once. */
export function lambdaRuntime(): Runtime {
  processRuntime ??= runtimeFrom(process.env);
  return processRuntime;
}

/** One instance per runtime: every function of one process shares its stores and services. */
function perRuntime<T>(build: (runtime: Runtime) => T): (runtime: Runtime) => T {
  const built = new WeakMap<Runtime, T>();
  return (runtime) => {
    if (!built.has(runtime)) built.set(runtime, build(runtime));
    return built.get(runtime) as T;
  };
}

// Stores: the DynamoDB adapters of the core's ports.
const accountStore = /* @__PURE__ */ perRuntime(
  ({ db, config }) => new DynamoAccountStore(db, config.tablePrefix),
);
const clientStore = /* @__PURE__ */ perRuntime(
  ({ db, config }) => new DynamoClientStore(db, config.tablePrefix),
);
const grantStore = /* @__PURE__ */ perRuntime(
  ({ db, config }) => new DynamoGrantStore(db, config.tablePrefix),
);
export const livenessStore = /* @__PURE__ */ perRuntime(
  ({ db, config }) => new DynamoLivenessStore(db, config.tablePrefix),
);

// Services: the core, wired.
export const sessions = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new Sessions({
      store: accountStore(runtime),
      keys: runtime.keyRing,
      issuer: runtime.config.issuer,
      clock: runtime.clock,
    }),
);

export const accounts = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new Accounts({
      store: accountStore(runtime),
      sessions: sessions(runtime),
      clock: runtime.clock,
      scrypt: { logN: runtime.config.scryptLogN, r: 8, p: 1 },
      sessionTtlSeconds: runtime.config.sessionTtlSeconds,
      lockout: runtime.config.lockout,
    }),
);

export const clientRegistry = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new ClientRegistry({
      store: clientStore(runtime),
      clock: runtime.clock,
      scopesSupported: runtime.config.scopesSupported,
    }),
);

/** Client lookup for the endpoints that authenticate or verify clients. */
export const clients = clientStore;

export const authorization = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new Authorization({
      clients: clientStore(runtime),
      grants: grantStore(runtime),
      clock: runtime.clock,
      issuer: runtime.config.issuer,
      codeTtlSeconds: runtime.config.authorizationCodeTtlSeconds,
    }),
);

export const tokenGrants = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new TokenGrants({
      grants: grantStore(runtime),
      keys: runtime.keyRing,
      clock: runtime.clock,
      issuer: runtime.config.issuer,
      audience: runtime.config.resourceIdentifier,
      accessTokenTtlSeconds: runtime.config.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: runtime.config.refreshTokenTtlSeconds,
      logger: runtime.logger,
    }),
);

export const revocation = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new Revocation({
      grants: grantStore(runtime),
      keys: runtime.keyRing,
      clock: runtime.clock,
      issuer: runtime.config.issuer,
      audience: runtime.config.resourceIdentifier,
      logger: runtime.logger,
    }),
);

export const introspection = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new Introspection({
      grants: grantStore(runtime),
      liveness: livenessStore(runtime),
      keys: runtime.keyRing,
      clock: runtime.clock,
      issuer: runtime.config.issuer,
      audience: runtime.config.resourceIdentifier,
      logger: runtime.logger,
    }),
);

export const consents = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new Consents({
      store: new DynamoConsentStore(runtime.db, runtime.config.tablePrefix),
      clock: runtime.clock,
    }),
);

export const browserSessions = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new BrowserSessions({ sessions: sessions(runtime), issuer: runtime.config.issuer, clock: runtime.clock }),
);

/** The `/protected/*` authorizer's decision, with the published keys as its verification keys. */
export const authorizer = /* @__PURE__ */ perRuntime((runtime) => {
  const settings = loadAuthorizerSettings(runtime.env, runtime.config.issuer);
  return createAuthorizer({
    keys: remoteKeySet(settings.jwksUri),
    revocation: livenessStore(runtime),
    clock: runtime.clock,
    resourceIdentifier: runtime.config.resourceIdentifier,
    issuer: runtime.config.issuer,
    scopeRules: settings.scopeRules,
    logger: runtime.logger,
  });
});
