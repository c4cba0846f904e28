/**
 * The composition root: the only module that builds services, and the only one that knows which
 * adapter serves which port. Lambda entries (functions/handlers) each call one `…Endpoint()` at module
 * scope, so configuration is validated and clients are created once per execution environment; tests
 * and the benchmark call the same builders with a runtime of their own.
 *
 * Every builder is a pure function of a `Runtime` (memoised per runtime and marked pure), so esbuild
 * drops from each function's bundle whatever that function does not use. The runtime itself and the
 * key ring are in runtime.ts, so that the functions that never touch DynamoDB (endpoints-without-dynamodb.ts)
 * do not import the stores: `@aws-sdk/lib-dynamodb` declares no `sideEffects: false`, so esbuild keeps the
 * whole DynamoDB client (~200 KB) in any bundle that merely imports it.
 */
import { loadAuthorizerSettings } from '#adapters/authorizer-settings';
import { LOCAL_REQUEST_TIMEOUT_MS } from '#adapters/aws/client-settings';
import { createDynamoDb } from '#adapters/aws/dynamodb';
import { createMetadataDocumentFetcher } from '#adapters/clients/metadata-document-fetcher';
import { DynamoAccountTokenStore } from '#adapters/dynamo/account-tokens';
import { DynamoAccountStore } from '#adapters/dynamo/accounts';
import { DynamoClientConfigurationStore } from '#adapters/dynamo/client-configuration';
import { DynamoClientStore } from '#adapters/dynamo/clients';
import { DynamoConsentStore } from '#adapters/dynamo/consents';
import { DynamoGrantStore } from '#adapters/dynamo/grants';
import { DynamoLivenessStore } from '#adapters/dynamo/liveness';
import { DynamoOpenRegistrationStore } from '#adapters/dynamo/open-registrations';
import { DynamoProfileStore } from '#adapters/dynamo/profiles';
import { remoteKeySet } from '#adapters/keys/remote-key-set';
import { otpauthTotp } from '#adapters/mfa/totp-engine';
import { BrowserSessions } from '#adapters/web/browser-sessions';
import { createAuthorizer } from '#core/authorizer/decision';
import { ClientConfiguration } from '#core/clients/configuration';
import { MetadataDocumentClients } from '#core/clients/metadata-documents';
import { OpenRegistration } from '#core/clients/open-registration';
import { ClientRegistry } from '#core/clients/registry';
import { Authorization } from '#core/oauth/authorization';
import { Consents } from '#core/oauth/consents';
import { Introspection } from '#core/oauth/introspection';
import { ResourceIndicators } from '#core/oauth/resource-indicators';
import { Revocation } from '#core/oauth/revocation';
import { TokenGrants } from '#core/oauth/token-grants';
import { withIdentityScopes } from '#core/oidc/claims';
import { EndSession } from '#core/oidc/end-session';
import { IdTokens } from '#core/oidc/id-token';
import { UserInfo } from '#core/oidc/userinfo';
import { AccountTokens } from '#core/users/account-tokens';
import { Accounts } from '#core/users/accounts';
import { Profiles } from '#core/users/profile';
import { Sessions } from '#core/users/sessions';
import { keyRing, perRuntime, type Runtime, securityEvents } from './runtime.ts';

export {
  flushing,
  keyRing,
  lambdaRuntime,
  type Runtime,
  runtimeFrom,
  securityEvents,
} from './runtime.ts';

/** The DynamoDB client, built on first use unless the runtime brought its own. */
export const dynamoDb = /* @__PURE__ */ perRuntime(
  ({ db, config }) =>
    db ??
    createDynamoDb({
      region: config.region,
      endpoint: config.dynamoDbEndpoint,
      // DYNAMODB_ENDPOINT is DynamoDB Local, which needs more time per attempt than DynamoDB.
      ...(config.dynamoDbEndpoint ? { requestTimeoutMs: LOCAL_REQUEST_TIMEOUT_MS } : {}),
    }),
);

// Stores: the DynamoDB adapters of the core's ports.
const accountStore = /* @__PURE__ */ perRuntime(
  (runtime) => new DynamoAccountStore(dynamoDb(runtime), runtime.config.tablePrefix),
);
const clientStore = /* @__PURE__ */ perRuntime(
  (runtime) => new DynamoClientStore(dynamoDb(runtime), runtime.config.tablePrefix),
);
const grantStore = /* @__PURE__ */ perRuntime(
  (runtime) => new DynamoGrantStore(dynamoDb(runtime), runtime.config.tablePrefix),
);
export const livenessStore = /* @__PURE__ */ perRuntime(
  (runtime) => new DynamoLivenessStore(dynamoDb(runtime), runtime.config.tablePrefix),
);
const profileStore = /* @__PURE__ */ perRuntime(
  (runtime) => new DynamoProfileStore(dynamoDb(runtime), runtime.config.tablePrefix),
);

// Services: the core, wired.
export const sessions = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new Sessions({
      store: accountStore(runtime),
      keys: keyRing(runtime),
      issuer: runtime.config.issuer,
      clock: runtime.clock,
    }),
);

/** The single-use tokens of mail links and MFA sign-ins. */
export const accountTokens = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new AccountTokens({
      store: new DynamoAccountTokenStore(dynamoDb(runtime), runtime.config.tablePrefix),
      clock: runtime.clock,
    }),
);

export const scryptParameters = (runtime: Runtime) => ({ logN: runtime.config.scryptLogN, r: 8, p: 1 });

export const accounts = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new Accounts({
      store: accountStore(runtime),
      sessions: sessions(runtime),
      tokens: accountTokens(runtime),
      totp: otpauthTotp,
      clock: runtime.clock,
      scrypt: scryptParameters(runtime),
      sessionTtlSeconds: runtime.config.sessionTtlSeconds,
      lockout: runtime.config.lockout,
      events: securityEvents(runtime),
    }),
);

export const clientRegistry = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new ClientRegistry({
      store: clientStore(runtime),
      clock: runtime.clock,
      // A client may be registered for the identity scopes of OpenID Connect beside the API's own.
      scopesSupported: withIdentityScopes(runtime.config.scopesSupported),
      events: securityEvents(runtime),
    }),
);

/** RFC 7592: a client managed with its registration access token. */
export const clientConfiguration = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new ClientConfiguration({
      store: new DynamoClientConfigurationStore(dynamoDb(runtime), runtime.config.tablePrefix),
      clock: runtime.clock,
      scopesSupported: withIdentityScopes(runtime.config.scopesSupported),
    }),
);

/** Registration without an account, when configured (OPEN_REGISTRATION); undefined when off. */
export const openRegistration = /* @__PURE__ */ perRuntime((runtime) => {
  const mode = runtime.config.openRegistration;
  if (mode === 'off') return undefined;
  return new OpenRegistration({
    store: new DynamoOpenRegistrationStore(dynamoDb(runtime), runtime.config.tablePrefix),
    clock: runtime.clock,
    scopesSupported: withIdentityScopes(runtime.config.scopesSupported),
    mode,
    events: securityEvents(runtime),
  });
});

/**
 * Client lookup for the endpoints that authenticate or verify clients: registered clients, and those a
 * client_id URL names by its metadata document (fetched behind the SSRF guard, cached per environment).
 */
export const clients = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new MetadataDocumentClients({
      registered: clientStore(runtime),
      fetcher: createMetadataDocumentFetcher({ allowLocalhost: runtime.config.clientMetadataAllowLocalhost }),
      clock: runtime.clock,
      scopesSupported: withIdentityScopes(runtime.config.scopesSupported),
      onRefused: (url, reason) =>
        runtime.logger.warn('client metadata document refused', { clientId: url, reason }),
    }),
);

const resourceIndicators = /* @__PURE__ */ perRuntime(
  (runtime) => new ResourceIndicators(runtime.config.resourceServers),
);

export const authorization = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new Authorization({
      resources: resourceIndicators(runtime),
      clients: clients(runtime),
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
      keys: keyRing(runtime),
      clock: runtime.clock,
      issuer: runtime.config.issuer,
      resources: resourceIndicators(runtime),
      accessTokenTtlSeconds: runtime.config.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: runtime.config.refreshTokenTtlSeconds,
      logger: runtime.logger,
      idTokens: idTokens(runtime),
      events: securityEvents(runtime),
    }),
);

export const revocation = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new Revocation({
      grants: grantStore(runtime),
      keys: keyRing(runtime),
      clock: runtime.clock,
      issuer: runtime.config.issuer,
      audience: runtime.config.resourceServers.map((server) => server.identifier),
      logger: runtime.logger,
    }),
);

export const introspection = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new Introspection({
      grants: grantStore(runtime),
      liveness: livenessStore(runtime),
      keys: keyRing(runtime),
      clock: runtime.clock,
      issuer: runtime.config.issuer,
      audience: runtime.config.resourceServers.map((server) => server.identifier),
      logger: runtime.logger,
    }),
);

export const consents = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new Consents({
      store: new DynamoConsentStore(dynamoDb(runtime), runtime.config.tablePrefix),
      clock: runtime.clock,
    }),
);

export const browserSessions = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new BrowserSessions({ sessions: sessions(runtime), issuer: runtime.config.issuer, clock: runtime.clock }),
);

/** The `/protected/*` authorizer's decision, with the published keys as its verification keys. */
export const authorizer = /* @__PURE__ */ perRuntime((runtime) => {
  const settings = loadAuthorizerSettings(runtime.env, runtime.config);
  return createAuthorizer({
    keys: remoteKeySet(settings.jwksUri),
    revocation: livenessStore(runtime),
    clock: runtime.clock,
    resourceServers: runtime.config.resourceServers,
    issuer: runtime.config.issuer,
    scopeRules: settings.scopeRules,
    logger: runtime.logger,
    events: securityEvents(runtime),
  });
});

// OpenID Connect
const idTokens = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new IdTokens({
      keys: keyRing(runtime),
      issuer: runtime.config.issuer,
      // As long as an access token: the key retention that covers access tokens covers ID tokens too.
      ttlSeconds: runtime.config.accessTokenTtlSeconds,
      users: profileStore(runtime),
      logger: runtime.logger,
    }),
);

export const userInfo = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new UserInfo({
      keys: keyRing(runtime),
      issuer: runtime.config.issuer,
      audience: runtime.config.resourceIdentifier,
      liveness: livenessStore(runtime),
      users: profileStore(runtime),
      clock: runtime.clock,
    }),
);

export const endSession = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new EndSession({
      clients: clientStore(runtime),
      keys: keyRing(runtime),
      issuer: runtime.config.issuer,
      clock: runtime.clock,
      hintToleranceSeconds: runtime.config.sessionTtlSeconds,
    }),
);

export const profiles = /* @__PURE__ */ perRuntime(
  (runtime) => new Profiles({ store: profileStore(runtime), clock: runtime.clock }),
);
