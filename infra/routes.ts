/**
 * Every Lambda function and every route, defined once. The CDK construct creates one NodejsFunction per
 * entry of `functions` with exactly the table actions listed (least privilege), and one API Gateway
 * method per entry of `routes`; the local gateway serves the same routes with the same handlers.
 */

import { PASSKEY_SCRIPT_PATH } from '#contract/pages';
import { ACCOUNT_FUNCTIONS, SIGN_IN_TABLES, VERIFICATION_MAIL_TABLES } from './account-functions.ts';
import { CLIENT_FUNCTIONS } from './client-functions.ts';
import type { FunctionDefinition } from './function-definition.ts';
import { RESOURCE_SERVER_FUNCTIONS } from './resource-server-functions.ts';

const definitions = {
  register: {
    entry: 'functions/handlers/users/register.ts',
    description: 'POST /register: create a user; mails a verification link to the email address given',
    tables: { users: { actions: ['PutItem'] }, ...VERIFICATION_MAIL_TABLES },
    memoryMB: 1024,
    mail: true,
  },
  login: {
    entry: 'functions/handlers/users/login.ts',
    description: 'POST /login: verify a password (and a second factor) and open a session',
    tables: { ...SIGN_IN_TABLES, sessions: { actions: ['PutItem'] } },
    keys: 'sign',
    memoryMB: 1024,
  },
  logout: {
    entry: 'functions/handlers/users/logout.ts',
    description: 'POST /logout: revoke the caller’s session',
    tables: { sessions: { actions: ['GetItem', 'UpdateItem'] }, users: { actions: ['UpdateItem'] } },
    keys: 'publish',
  },
  jwks: {
    entry: 'functions/handlers/discovery/jwks.ts',
    description: 'GET /.well-known/jwks.json: the public signing keys',
    tables: {},
    keys: 'publish',
  },
  authorize: {
    entry: 'functions/handlers/oauth/authorize.ts',
    description:
      'GET and POST /authorize: issue an authorization code (PKCE S256) to a logged-in user; sign-in and consent pages for browsers',
    tables: {
      // The client with the user's session in one BatchGetItem; a GetItem when no session is presented.
      clients: { actions: ['GetItem', 'BatchGetItem'] },
      sessions: { actions: ['BatchGetItem'] },
      codes: { actions: ['PutItem'] },
      consents: { actions: ['GetItem', 'UpdateItem'] },
    },
    keys: 'publish',
    pages: true,
  },
  signIn: {
    entry: 'functions/handlers/pages/signin.ts',
    description:
      'GET and POST /signin: the hosted sign-in page (password, then a second factor, or a passkey); sets the session cookie',
    tables: {
      ...SIGN_IN_TABLES,
      sessions: { actions: ['GetItem', 'PutItem'] },
      clients: { actions: ['GetItem'] },
      // Passkey sign-in: the credential, its counter after each use; the user's as a second step (bySub).
      passkeys: { actions: ['GetItem', 'UpdateItem', 'Query'], indexes: ['bySub'] },
    },
    keys: 'sign',
    memoryMB: 1024,
    pages: true,
  },
  signUp: {
    entry: 'functions/handlers/pages/signup.ts',
    description: 'GET and POST /signup: the hosted sign-up page; creates the user and signs them in',
    tables: {
      users: { actions: ['PutItem', 'GetItem', 'UpdateItem'] },
      // It signs in with the password it has just stored: the check is counted like any other (a name
      // may be locked before it exists) and cleared with every earlier failure when it succeeds.
      loginAttempts: { actions: ['UpdateItem', 'DeleteItem'] },
      sessions: { actions: ['PutItem'] },
      clients: { actions: ['GetItem'] },
      ...VERIFICATION_MAIL_TABLES,
    },
    keys: 'sign',
    memoryMB: 1024,
    mail: true,
    pages: true,
  },
  signOut: {
    entry: 'functions/handlers/pages/signout.ts',
    description: 'GET and POST /signout: the sign-out page; ends the browser’s session',
    tables: { sessions: { actions: ['GetItem', 'UpdateItem'] }, users: { actions: ['UpdateItem'] } },
    keys: 'publish',
    pages: true,
  },
  token: {
    entry: 'functions/handlers/oauth/token.ts',
    description: 'POST /token: authorization_code, refresh_token and client_credentials grants',
    tables: {
      // The client with the code or refresh token (BatchGetItem), alone (GetItem); its first use (UpdateItem).
      clients: { actions: ['GetItem', 'BatchGetItem', 'ConditionCheckItem', 'UpdateItem'] },
      codes: { actions: ['BatchGetItem', 'UpdateItem'] },
      sessions: { actions: ['ConditionCheckItem'] },
      grants: { actions: ['PutItem', 'UpdateItem', 'ConditionCheckItem'] },
      // BatchGetItem: read with the client. GetItem: read again after losing a race to a concurrent
      // refresh of the same token. ConditionCheckItem: a rotated token presented again gets its
      // successor only while that is unused.
      refreshTokens: { actions: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'ConditionCheckItem'] },
      // The profile claims of an ID token.
      users: { actions: ['Query'], indexes: ['bySub'] },
    },
    keys: 'sign',
  },
  revoke: {
    entry: 'functions/handlers/oauth/revoke.ts',
    description: 'POST /revoke: RFC 7009 revocation of access and refresh tokens',
    tables: {
      // The client with the refresh token in one BatchGetItem; a GetItem for an access token.
      clients: { actions: ['GetItem', 'BatchGetItem'] },
      refreshTokens: { actions: ['BatchGetItem'] },
      grants: { actions: ['UpdateItem'] },
      revokedTokens: { actions: ['PutItem'] },
    },
    keys: 'publish',
  },
  introspect: {
    entry: 'functions/handlers/oauth/introspect.ts',
    description: 'POST /introspect: RFC 7662 token introspection for resource servers',
    tables: {
      clients: { actions: ['GetItem'] },
      refreshTokens: { actions: ['GetItem'] },
      grants: { actions: ['BatchGetItem'] },
      sessions: { actions: ['BatchGetItem'] },
      revokedTokens: { actions: ['BatchGetItem'] },
    },
    keys: 'publish',
  },
  metadata: {
    entry: 'functions/handlers/discovery/metadata.ts',
    description: 'GET /.well-known/openid-configuration and /oauth-authorization-server: discovery',
    tables: {},
  },
  ...CLIENT_FUNCTIONS,
  userInfo: {
    entry: 'functions/handlers/oidc/userinfo.ts',
    description: 'GET and POST /userinfo: the OpenID Connect claims of the user an access token stands for',
    tables: {
      grants: { actions: ['BatchGetItem'] },
      sessions: { actions: ['BatchGetItem'] },
      revokedTokens: { actions: ['BatchGetItem'] },
      users: { actions: ['Query'], indexes: ['bySub'] },
      // The calling client's redirect-URI origins, for a browser's CORS request only.
      clients: { actions: ['GetItem'] },
    },
    keys: 'publish',
  },
  endSession: {
    entry: 'functions/handlers/oidc/end-session.ts',
    description: 'GET and POST /end_session: OpenID Connect RP-initiated logout',
    tables: {
      clients: { actions: ['GetItem'] },
      sessions: { actions: ['GetItem', 'UpdateItem'] },
      users: { actions: ['UpdateItem'] },
    },
    keys: 'publish',
    pages: true,
  },
  ...ACCOUNT_FUNCTIONS,
  authorizer: {
    entry: 'functions/handlers/authorizer/authorizer.ts',
    description: 'Lambda authorizer (TOKEN) for /protected/*: verifies tinyoauth access tokens',
    tables: {
      grants: { actions: ['BatchGetItem'] },
      sessions: { actions: ['BatchGetItem'] },
      revokedTokens: { actions: ['BatchGetItem'] },
    },
  },
  protectedResource: {
    entry: 'functions/handlers/protected/sample.ts',
    description: 'ANY /protected/*: the sample backend, answers with the caller identity it received',
    tables: {},
  },
  ...RESOURCE_SERVER_FUNCTIONS,
} as const satisfies Record<string, FunctionDefinition>;

export type FunctionName = keyof typeof definitions;

export const functions: Readonly<Record<FunctionName, FunctionDefinition>> = definitions;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | 'ANY';

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway resource path: `{name}` is a path parameter, `{proxy+}` a greedy one. */
  path: string;
  function: FunctionName;
  /** Whether the Lambda authorizer runs first (only `/protected/*`). */
  authorized?: boolean;
  /** An example the CDK stack deploys only when asked (`exampleMcpServer`); npm start always serves it. */
  example?: 'mcp';
}

export const routes: readonly RouteDefinition[] = [
  { method: 'POST', path: '/register', function: 'register' },
  { method: 'POST', path: '/login', function: 'login' },
  { method: 'POST', path: '/logout', function: 'logout' },
  { method: 'POST', path: '/client', function: 'clientCreate' },
  { method: 'GET', path: '/client', function: 'clientList' },
  { method: 'GET', path: '/client/{client_id}', function: 'clientConfiguration' },
  { method: 'PUT', path: '/client/{client_id}', function: 'clientConfiguration' },
  { method: 'DELETE', path: '/client/{client_id}', function: 'clientDelete' },
  { method: 'POST', path: '/client/{client_id}/secret', function: 'clientSecret' },
  { method: 'GET', path: '/authorize', function: 'authorize' },
  { method: 'POST', path: '/authorize', function: 'authorize' },
  { method: 'GET', path: '/signin', function: 'signIn' },
  { method: 'POST', path: '/signin', function: 'signIn' },
  { method: 'GET', path: '/signup', function: 'signUp' },
  { method: 'POST', path: '/signup', function: 'signUp' },
  { method: 'GET', path: '/signout', function: 'signOut' },
  { method: 'POST', path: '/signout', function: 'signOut' },
  { method: 'POST', path: '/token', function: 'token' },
  { method: 'POST', path: '/revoke', function: 'revoke' },
  { method: 'POST', path: '/introspect', function: 'introspect' },
  { method: 'GET', path: '/.well-known/openid-configuration', function: 'metadata' },
  { method: 'GET', path: '/.well-known/oauth-authorization-server', function: 'metadata' },
  { method: 'GET', path: '/.well-known/jwks.json', function: 'jwks' },
  { method: 'GET', path: '/.well-known/oauth-protected-resource/{proxy+}', function: 'resourceMetadata' },
  { method: 'GET', path: '/userinfo', function: 'userInfo' },
  { method: 'POST', path: '/userinfo', function: 'userInfo' },
  { method: 'GET', path: '/end_session', function: 'endSession' },
  { method: 'POST', path: '/end_session', function: 'endSession' },
  { method: 'GET', path: '/account', function: 'accountPage' },
  { method: 'POST', path: '/account', function: 'accountPage' },
  { method: 'GET', path: '/account/profile', function: 'accountProfile' },
  { method: 'PATCH', path: '/account/profile', function: 'accountProfile' },
  { method: 'POST', path: '/account/email/verification', function: 'accountSecurity' },
  { method: 'POST', path: '/account/password', function: 'accountSecurity' },
  { method: 'POST', path: '/account/totp', function: 'accountSecurity' },
  { method: 'DELETE', path: '/account/totp', function: 'accountSecurity' },
  { method: 'POST', path: '/account/totp/confirm', function: 'accountSecurity' },
  { method: 'GET', path: '/account/passkeys', function: 'accountSecurity' },
  { method: 'POST', path: '/account/passkeys', function: 'accountSecurity' },
  { method: 'POST', path: '/account/passkeys/options', function: 'accountSecurity' },
  { method: 'DELETE', path: '/account/passkeys/{credential_id}', function: 'accountSecurity' },
  { method: 'GET', path: '/account/sessions', function: 'accountSecurity' },
  { method: 'DELETE', path: '/account/sessions/{session_id}', function: 'accountSecurity' },
  { method: 'POST', path: '/account/delete', function: 'accountSecurity' },
  { method: 'GET', path: '/verify_email', function: 'recoveryPages' },
  { method: 'POST', path: '/verify_email', function: 'recoveryPages' },
  { method: 'GET', path: '/forgot_password', function: 'recoveryPages' },
  { method: 'POST', path: '/forgot_password', function: 'recoveryPages' },
  { method: 'GET', path: '/reset_password', function: 'recoveryPages' },
  { method: 'POST', path: '/reset_password', function: 'recoveryPages' },
  { method: 'POST', path: '/password/forgot', function: 'recovery' },
  { method: 'POST', path: '/password/reset', function: 'recovery' },
  { method: 'POST', path: '/email/verify', function: 'recovery' },
  { method: 'GET', path: PASSKEY_SCRIPT_PATH, function: 'passkeyScript' },
  // CORS preflights, answered by the path's own function (adapters/http/cors.ts): only the endpoints a
  // script of another origin calls have one. Nothing else answers CORS.
  { method: 'OPTIONS', path: '/token', function: 'token' },
  { method: 'OPTIONS', path: '/revoke', function: 'revoke' },
  { method: 'OPTIONS', path: '/userinfo', function: 'userInfo' },
  { method: 'OPTIONS', path: '/.well-known/openid-configuration', function: 'metadata' },
  { method: 'OPTIONS', path: '/.well-known/oauth-authorization-server', function: 'metadata' },
  { method: 'OPTIONS', path: '/.well-known/jwks.json', function: 'jwks' },
  { method: 'OPTIONS', path: '/.well-known/oauth-protected-resource/{proxy+}', function: 'resourceMetadata' },
  { method: 'ANY', path: '/protected/{proxy+}', function: 'protectedResource', authorized: true },
  { method: 'ANY', path: '/protected/mcp', function: 'mcpServer', authorized: true, example: 'mcp' },
];

/** The function that authorizes every route marked `authorized`. */
export const AUTHORIZER: FunctionName = 'authorizer';
