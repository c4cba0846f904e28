/**
 * The local gateway serving every function of infra/routes.ts, each with a runtime of its own whose
 * DynamoDB client records into that function's list, as if each ran in its own Lambda with its own
 * role. The key ring and the clock are shared, as the deployed functions share the signing keys.
 */
import type { RequestRecord } from '#adapters/aws/dynamodb';
import type { Config } from '#adapters/config';
import {
  accountProfileEndpoint,
  authorizeEndpoint,
  authorizerEndpoint,
  clientConfigurationEndpoint,
  clientCreateEndpoint,
  clientDeleteEndpoint,
  clientListEndpoint,
  clientSecretEndpoint,
  endSessionEndpoint,
  introspectEndpoint,
  jwksEndpoint,
  loginEndpoint,
  logoutEndpoint,
  metadataEndpoint,
  recoveryEndpoint,
  recoveryPagesEndpoint,
  registerEndpoint,
  resourceMetadataEndpoint,
  revokeEndpoint,
  sampleBackendEndpoint,
  signOutEndpoint,
  signUpEndpoint,
  tokenEndpoint,
  userInfoEndpoint,
} from '#app/endpoints';
import { passkeyScriptEndpoint } from '#app/endpoints-without-dynamodb';
import { mcpServerEndpoint } from '#app/mcp-endpoint';
import { accountPageEndpoint, accountSecurityEndpoint, signInEndpoint } from '#app/passkey-endpoints';
import type { Runtime } from '#app/services';
import { createGateway } from '#infra/local/gateway';
import { isFunctionName, type LambdaHandler } from '#infra/local/handlers';
import { type FunctionName, functions } from '#infra/routes';
import { recordingDb, testRuntime } from '../../fakes/runtime.ts';

/** Every function's handler, from app/endpoints.ts; a function added to routes.ts must be added here. */
const endpoints: Record<FunctionName, (runtime: Runtime) => unknown> = {
  register: registerEndpoint,
  login: loginEndpoint,
  logout: logoutEndpoint,
  jwks: jwksEndpoint,
  authorize: authorizeEndpoint,
  signIn: signInEndpoint,
  signUp: signUpEndpoint,
  signOut: signOutEndpoint,
  token: tokenEndpoint,
  revoke: revokeEndpoint,
  introspect: introspectEndpoint,
  metadata: metadataEndpoint,
  clientCreate: clientCreateEndpoint,
  clientList: clientListEndpoint,
  clientDelete: clientDeleteEndpoint,
  clientConfiguration: clientConfigurationEndpoint,
  clientSecret: clientSecretEndpoint,
  userInfo: userInfoEndpoint,
  endSession: endSessionEndpoint,
  accountPage: accountPageEndpoint,
  accountProfile: accountProfileEndpoint,
  accountSecurity: accountSecurityEndpoint,
  recovery: recoveryEndpoint,
  recoveryPages: recoveryPagesEndpoint,
  authorizer: authorizerEndpoint,
  protectedResource: sampleBackendEndpoint,
  resourceMetadata: resourceMetadataEndpoint,
  mcpServer: mcpServerEndpoint,
  passkeyScript: passkeyScriptEndpoint,
};

export interface RecordingGateway {
  baseUrl: string;
  config: Config;
  /** The clock every function reads, which the test moves. */
  clock: (() => number) & { advance(seconds: number): void };
  /** What each function sent to DynamoDB, in order. */
  requests: Record<FunctionName, RequestRecord[]>;
  /** The functions the gateway invoked at least once. */
  invoked: Set<FunctionName>;
  close(): Promise<void>;
}

/**
 * Starts the gateway on a free port, with the authorizer cache off so that every protected request runs
 * the authorizer. `overrides` change the configuration every function gets.
 */
export async function startRecordingGateway(overrides: Partial<Config> = {}): Promise<RecordingGateway> {
  const handlers = new Map<string, LambdaHandler>();
  const invoked = new Set<FunctionName>();
  let now = Date.now;
  const gateway = createGateway({
    authorizerCacheTtlSeconds: 0,
    now: () => now(),
    loadHandler: async (name) => {
      const handler = handlers.get(name);
      if (!handler || !isFunctionName(name)) throw new Error(`No handler for "${name}"`);
      invoked.add(name);
      return handler;
    },
  });
  const baseUrl = await gateway.listen(0);
  // The issuer is the gateway's address: the authorizer fetches the published keys from there.
  const shared = await testRuntime({
    issuer: baseUrl,
    resourceIdentifier: `${baseUrl}/protected`,
    ...overrides,
  });
  now = shared.clock;

  const requests = {} as Record<FunctionName, RequestRecord[]>;
  for (const name of Object.keys(functions) as FunctionName[]) {
    requests[name] = [];
    const runtime: Runtime = { ...shared, db: recordingDb(shared.config, requests[name]) };
    handlers.set(name, endpoints[name](runtime) as LambdaHandler);
  }
  const { clock } = shared;
  return { baseUrl, config: shared.config, clock, requests, invoked, close: () => gateway.close() };
}
