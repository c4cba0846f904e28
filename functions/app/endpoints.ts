/**
 * One Lambda handler per function of infra/routes.ts, each composed from the services of services.ts
 * and the runtime of this process. An entry in functions/handlers is `export const handler = …Endpoint()`;
 * tests pass a runtime of their own.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { AwsSecretStore } from '#adapters/aws/secrets-manager';
import { createRecoveryHandler } from '#adapters/endpoints/account/recovery';
import { createRecoveryPagesHandler } from '#adapters/endpoints/account/recovery-pages';
import { createClientConfigurationHandler } from '#adapters/endpoints/clients/configuration';
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
import { createSignOutHandler } from '#adapters/endpoints/pages/signout';
import { createSignUpHandler } from '#adapters/endpoints/pages/signup';
import { createAccountProfileHandler } from '#adapters/endpoints/users/account';
import { createLoginHandler } from '#adapters/endpoints/users/login';
import { createLogoutHandler } from '#adapters/endpoints/users/logout';
import { createRegisterHandler } from '#adapters/endpoints/users/register';
import { createKeySetResource } from '#adapters/keys/custom-resource';
import { loadKeySettings } from '#adapters/keys/settings';
import { createLogger, lineWriter } from '#adapters/logger';
import { ObservedEvents } from '#adapters/observability';
import { parsePublicKeySet } from '#core/keys/key-secrets';
import { createRotation } from '#core/keys/rotation';
import {
  accountDeletion,
  accountSessions,
  emailVerification,
  passwordChange,
  passwordRecovery,
  totpEnrolment,
} from './account-services.ts';
import {
  accounts,
  authorization,
  authorizer,
  browserSessions,
  clientConfiguration,
  clientRegistry,
  clients,
  consents,
  endSession,
  flushing,
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
  flushing(
    runtime,
    createRegisterHandler(
      { accounts: accounts(runtime), emailVerification: emailVerification(runtime) },
      runtime.logger,
    ),
  );
export const loginEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(runtime, createLoginHandler(accounts(runtime), runtime.logger));
export const logoutEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(runtime, createLogoutHandler(sessions(runtime), runtime.logger));

// Clients, managed by their owner with a session token, and by whoever registered them with its
// registration access token (RFC 7592)
const clientManagement = (runtime: Runtime) => ({
  registry: clientRegistry(runtime),
  sessions: sessions(runtime),
  configuration: clientConfiguration(runtime),
  open: openRegistration(runtime),
  issuer: runtime.config.issuer,
  logger: runtime.logger,
});
export const clientCreateEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(runtime, createClientCreateHandler(clientManagement(runtime)));
export const clientListEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(runtime, createClientListHandler(clientRegistry(runtime), sessions(runtime), runtime.logger));
export const clientDeleteEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(runtime, createClientDeleteHandler(clientManagement(runtime)));
export const clientConfigurationEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(runtime, createClientConfigurationHandler(clientManagement(runtime)));
export const clientSecretEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(runtime, createClientSecretHandler(clientRegistry(runtime), sessions(runtime), runtime.logger));

// OAuth
export const authorizeEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(
    runtime,
    createAuthorizeHandler({
      authorization: authorization(runtime),
      sessions: sessions(runtime),
      logger: runtime.logger,
      browser: {
        browserSessions: browserSessions(runtime),
        consents: consents(runtime),
        issuer: runtime.config.issuer,
      },
    }),
  );
export const tokenEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(runtime, createTokenHandler(clients(runtime), tokenGrants(runtime), runtime.logger));
export const revokeEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(runtime, createRevokeHandler(clients(runtime), revocation(runtime), runtime.logger));
export const introspectEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(runtime, createIntrospectHandler(clients(runtime), introspection(runtime), runtime.logger));

// Discovery and the sample backend: no DynamoDB, so their entries import them from there.
export {
  jwksEndpoint,
  metadataEndpoint,
  resourceMetadataEndpoint,
  sampleBackendEndpoint,
} from './endpoints-without-dynamodb.ts';

// Pages
export const accountPages = (runtime: Runtime) => ({
  accounts: accounts(runtime),
  browserSessions: browserSessions(runtime),
  authorization: authorization(runtime),
  issuer: runtime.config.issuer,
});
export const signUpEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(
    runtime,
    createSignUpHandler(
      { ...accountPages(runtime), emailVerification: emailVerification(runtime) },
      runtime.logger,
    ),
  );
export const signOutEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(
    runtime,
    createSignOutHandler(
      {
        sessions: sessions(runtime),
        browserSessions: browserSessions(runtime),
        issuer: runtime.config.issuer,
      },
      runtime.logger,
    ),
  );

// OpenID Connect
export const userInfoEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(runtime, createUserInfoHandler(userInfo(runtime), clients(runtime), runtime.logger));
export const endSessionEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(
    runtime,
    createEndSessionHandler(
      {
        endSession: endSession(runtime),
        sessions: sessions(runtime),
        browserSessions: browserSessions(runtime),
        issuer: runtime.config.issuer,
      },
      runtime.logger,
    ),
  );
/** What the account page and the account security API share: every service of the user's own account. */
export const accountSecurity = (runtime: Runtime) => ({
  accountSessions: accountSessions(runtime),
  emailVerification: emailVerification(runtime),
  passwordChange: passwordChange(runtime),
  totpEnrolment: totpEnrolment(runtime),
  accountDeletion: accountDeletion(runtime),
});
export const accountProfileEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(
    runtime,
    createAccountProfileHandler(
      {
        profiles: profiles(runtime),
        sessions: sessions(runtime),
        emailVerification: emailVerification(runtime),
      },
      runtime.logger,
    ),
  );
// Recovery, before sign-in: verification and reset links, "forgot your password?"
export const recoveryEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(
    runtime,
    createRecoveryHandler(
      { passwordRecovery: passwordRecovery(runtime), emailVerification: emailVerification(runtime) },
      runtime.logger,
    ),
  );
export const recoveryPagesEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(
    runtime,
    createRecoveryPagesHandler(
      {
        passwordRecovery: passwordRecovery(runtime),
        emailVerification: emailVerification(runtime),
        browserSessions: browserSessions(runtime),
        issuer: runtime.config.issuer,
      },
      runtime.logger,
    ),
  );

// `/protected/*`
export const authorizerEndpoint = (runtime: Runtime = lambdaRuntime()) => {
  const authorize = authorizer(runtime);
  return flushing(runtime, (event: APIGatewayTokenAuthorizerEvent, context?: Partial<Context>) =>
    authorize(event, context?.awsRequestId),
  );
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
  const logger = createLogger({ service: 'keys-rotate' });
  const events = new ObservedEvents({ logger, write: lineWriter(logger), env });
  const rotate = createRotation({
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
    logger,
    events,
  });
  return async (event: Parameters<typeof rotate>[0]) => {
    try {
      await rotate(event);
    } finally {
      events.flush();
    }
  };
};
