/**
 * One Lambda handler per function of infra/routes.ts, each composed from the services of services.ts
 * and the runtime of this process. An entry in functions/handlers is `export const handler = …Endpoint()`;
 * tests pass a runtime of their own.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { AwsSecretStore } from '#adapters/aws/secrets-manager';
import { createClientCreateHandler } from '#adapters/endpoints/clients/create';
import { createClientDeleteHandler } from '#adapters/endpoints/clients/delete';
import { createClientListHandler } from '#adapters/endpoints/clients/list';
import { createClientSecretHandler } from '#adapters/endpoints/clients/secret';
import { createAuthorizeHandler } from '#adapters/endpoints/oauth/authorize';
import { createIntrospectHandler } from '#adapters/endpoints/oauth/introspect';
import { createRevokeHandler } from '#adapters/endpoints/oauth/revoke';
import { createTokenHandler } from '#adapters/endpoints/oauth/token';
import { createEndSessionHandler } from '#adapters/endpoints/oidc/end-session';
import { createUserInfoHandler } from '#adapters/endpoints/oidc/userinfo';
import { createAccountPageHandler } from '#adapters/endpoints/pages/account';
import { createSignInHandler } from '#adapters/endpoints/pages/signin';
import { createSignOutHandler } from '#adapters/endpoints/pages/signout';
import { createSignUpHandler } from '#adapters/endpoints/pages/signup';
import { createAccountProfileHandler } from '#adapters/endpoints/users/account';
import { createLoginHandler } from '#adapters/endpoints/users/login';
import { createLogoutHandler } from '#adapters/endpoints/users/logout';
import { createRegisterHandler } from '#adapters/endpoints/users/register';
import { createKeySetResource } from '#adapters/keys/custom-resource';
import { loadKeySettings } from '#adapters/keys/settings';
import { createLogger } from '#adapters/logger';
import { parsePublicKeySet } from '#core/keys/key-secrets';
import { createRotation } from '#core/keys/rotation';
import {
  accounts,
  authorization,
  authorizer,
  browserSessions,
  clientRegistry,
  clients,
  consents,
  endSession,
  introspection,
  lambdaRuntime,
  openRegistration,
  profiles,
  type Runtime,
  revocation,
  sessions,
  tokenGrants,
  userInfo,
} from './services.ts';

// Users
export const registerEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createRegisterHandler(accounts(runtime), runtime.logger);
export const loginEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createLoginHandler(accounts(runtime), runtime.logger);
export const logoutEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createLogoutHandler(sessions(runtime), runtime.logger);

// Clients, managed by their owner with a session token
export const clientCreateEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createClientCreateHandler(
    clientRegistry(runtime),
    sessions(runtime),
    runtime.logger,
    openRegistration(runtime),
  );
export const clientListEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createClientListHandler(clientRegistry(runtime), sessions(runtime), runtime.logger);
export const clientDeleteEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createClientDeleteHandler(clientRegistry(runtime), sessions(runtime), runtime.logger);
export const clientSecretEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createClientSecretHandler(clientRegistry(runtime), sessions(runtime), runtime.logger);

// OAuth
export const authorizeEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createAuthorizeHandler({
    authorization: authorization(runtime),
    sessions: sessions(runtime),
    logger: runtime.logger,
    browser: {
      browserSessions: browserSessions(runtime),
      consents: consents(runtime),
      issuer: runtime.config.issuer,
    },
  });
export const tokenEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createTokenHandler(clients(runtime), tokenGrants(runtime), runtime.logger);
export const revokeEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createRevokeHandler(clients(runtime), revocation(runtime), runtime.logger);
export const introspectEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createIntrospectHandler(clients(runtime), introspection(runtime), runtime.logger);

// Discovery and the sample backend: no DynamoDB, so their entries import them from there.
export {
  jwksEndpoint,
  mcpServerEndpoint,
  metadataEndpoint,
  resourceMetadataEndpoint,
  sampleBackendEndpoint,
} from './endpoints-without-dynamodb.ts';

// Pages
const accountPages = (runtime: Runtime) => ({
  accounts: accounts(runtime),
  browserSessions: browserSessions(runtime),
  authorization: authorization(runtime),
  issuer: runtime.config.issuer,
});
export const signInEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createSignInHandler(accountPages(runtime), runtime.logger);
export const signUpEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createSignUpHandler(accountPages(runtime), runtime.logger);
export const signOutEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createSignOutHandler(
    { sessions: sessions(runtime), browserSessions: browserSessions(runtime), issuer: runtime.config.issuer },
    runtime.logger,
  );

// OpenID Connect
export const userInfoEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createUserInfoHandler(userInfo(runtime), clients(runtime), runtime.logger);
export const endSessionEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createEndSessionHandler(
    {
      endSession: endSession(runtime),
      sessions: sessions(runtime),
      browserSessions: browserSessions(runtime),
      issuer: runtime.config.issuer,
    },
    runtime.logger,
  );
export const accountPageEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createAccountPageHandler(
    { profiles: profiles(runtime), browserSessions: browserSessions(runtime), issuer: runtime.config.issuer },
    runtime.logger,
  );
export const accountProfileEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createAccountProfileHandler(profiles(runtime), sessions(runtime), runtime.logger);

// `/protected/*`
export const authorizerEndpoint = (runtime: Runtime = lambdaRuntime()) => {
  const authorize = authorizer(runtime);
  return (event: APIGatewayTokenAuthorizerEvent, context?: Partial<Context>) =>
    authorize(event, context?.awsRequestId);
};

// Signing keys: invoked by CloudFormation and Secrets Manager, with settings of their own.
export const keySetResourceEndpoint = (env: Record<string, string | undefined> = process.env) => {
  const settings = loadKeySettings(env);
  return createKeySetResource({
    store: new AwsSecretStore(settings.region),
    secrets: settings.secrets,
    clock: Date.now,
    logger: createLogger({ service: 'keys-initialize' }),
    fetch,
  });
};

export const keyRotationEndpoint = (env: Record<string, string | undefined> = process.env) => {
  const settings = loadKeySettings(env);
  const { jwksUri } = settings;
  return createRotation({
    store: new AwsSecretStore(settings.region),
    secrets: settings.secrets,
    retainSeconds: settings.retainSeconds,
    publishDelaySeconds: settings.publishDelaySeconds,
    fetchPublishedKeys: jwksUri
      ? async () => {
          const response = await fetch(jwksUri, { signal: AbortSignal.timeout(5000) });
          if (!response.ok) throw new Error(`The JWKS endpoint answered HTTP ${response.status}`);
          return parsePublicKeySet(await response.text());
        }
      : undefined,
    clock: Date.now,
    sleep: (milliseconds) => sleep(milliseconds).then(() => undefined),
    logger: createLogger({ service: 'keys-rotate' }),
  });
};
