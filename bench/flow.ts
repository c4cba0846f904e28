/**
 * One full flow through the handlers, built with an injected runtime exactly as the integration tests
 * build them (test/integration/oauth.test.ts), against DynamoDB: register, login, create a client,
 * authorize, token, a protected call (authorizer + protected service), refresh, revoke. Every step is
 * timed, and every DynamoDB request it makes is counted by the client's instrumentation hook, with the
 * capacity DynamoDB reported and the request units AWS would bill (bench/billing.ts).
 *
 * A client-credentials token request is measured beside the flow (not part of it): it is what Cognito
 * prices as a machine-to-machine token request.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { createLocalJWKSet } from 'jose';
import { DynamoDb } from '#adapters/aws/dynamodb';
import { loadConfig } from '#adapters/config';
import { createAuthorizeHandler } from '#adapters/endpoints/oauth/authorize';
import type { ApiEvent } from '#adapters/http/request';
import type { ApiResult } from '#adapters/http/responses';
import { createLogger } from '#adapters/logger';
import {
  clientCreateEndpoint,
  loginEndpoint,
  registerEndpoint,
  revokeEndpoint,
  sampleBackendEndpoint,
  tokenEndpoint,
} from '#app/endpoints';
import { authorization, livenessStore, type Runtime, sessions } from '#app/services';
import { createAuthorizer } from '#core/authorizer/decision';
import { systemClock } from '#core/clock';
import { KeyRing } from '#core/keys/key-ring';
import { generateSigningKey } from '#core/keys/key-set';
import type { FunctionName } from '#infra/routes';
import { apiEvent, basic } from '../test/fakes/events.ts';
import { MemoryKeySource } from '../test/fakes/keys.ts';
import { METHOD_ARN } from './authorizer.ts';
import { type BilledCall, billCall, StoredItems } from './billing.ts';
import { LOCAL_CREDENTIALS, REGION } from './dynamodb.ts';
import { MeteredDynamoDb } from './metered-dynamodb.ts';
import { type Summary, summarise } from './stats.ts';

const REDIRECT = 'https://app.example.com/callback';
const PASSWORD = 'correct horse battery staple';

export interface StepDefinition {
  step: string;
  /** The Lambda function that runs it (infra/routes.ts), for its memory and price. */
  function: FunctionName;
  /** Part of the full flow, or measured beside it. */
  inFlow: boolean;
  /** Whether the step is an API Gateway request of its own (the authorizer runs inside one). */
  apiRequest: boolean;
}

export const STEPS: readonly StepDefinition[] = [
  { step: 'register', function: 'register', inFlow: true, apiRequest: true },
  { step: 'login', function: 'login', inFlow: true, apiRequest: true },
  { step: 'create client', function: 'clientCreate', inFlow: true, apiRequest: true },
  { step: 'authorize', function: 'authorize', inFlow: true, apiRequest: true },
  { step: 'token (code)', function: 'token', inFlow: true, apiRequest: true },
  { step: 'protected: authorizer', function: 'authorizer', inFlow: true, apiRequest: false },
  { step: 'protected: service', function: 'protectedResource', inFlow: true, apiRequest: true },
  { step: 'refresh', function: 'token', inFlow: true, apiRequest: true },
  { step: 'revoke', function: 'revoke', inFlow: true, apiRequest: true },
  { step: 'token (client credentials)', function: 'token', inFlow: false, apiRequest: true },
];

export interface StepResult extends StepDefinition {
  latencyMs: Summary;
  /** DynamoDB HTTP requests per run of the step (identical in every run, or the run fails). */
  requests: number;
  /** What each request did: operation and tables, in order. */
  operations: string[];
  /** Time spent waiting for DynamoDB, per run. */
  dynamoDbMs: Summary;
  /** Sum of ConsumedCapacity as DynamoDB (Local) reported it. */
  reportedCapacity: number;
  billedReadUnits: number;
  billedWriteUnits: number;
  /** The part of billedWriteUnits spent on global secondary indexes. */
  billedIndexWriteUnits: number;
}

interface Sample {
  ms: number;
  dynamoDbMs: number;
  requests: number;
  reportedCapacity: number;
  billed: BilledCall[];
}

const body = (result: ApiResult) => JSON.parse(result.body) as Record<string, unknown>;

function expectStatus(step: string, result: ApiResult, status: number): ApiResult {
  if (result.statusCode !== status)
    throw new Error(`${step}: expected HTTP ${status}, got ${result.statusCode} ${result.body}`);
  return result;
}

async function handlers(runtime: Runtime) {
  const { logger } = runtime;
  return {
    register: registerEndpoint(runtime),
    login: loginEndpoint(runtime),
    clientCreate: clientCreateEndpoint(runtime),
    // The bench's client signs in through the API (a bearer session), not through pages.
    authorize: createAuthorizeHandler({
      authorization: authorization(runtime),
      sessions: sessions(runtime),
      logger,
    }),
    token: tokenEndpoint(runtime),
    revoke: revokeEndpoint(runtime),
    authorizer: createAuthorizer({
      // The deployed authorizer reads the published JWKS; here the same keys, already fetched.
      keys: createLocalJWKSet({ keys: await runtime.keyRing.publicKeys() }),
      revocation: livenessStore(runtime),
      clock: runtime.clock,
      resourceIdentifier: runtime.config.resourceIdentifier,
      issuer: runtime.config.issuer,
      scopeRules: [],
      logger,
    }),
    protectedResource: sampleBackendEndpoint(runtime),
  };
}

type Handlers = Awaited<ReturnType<typeof handlers>>;

async function runFlow(h: Handlers, db: MeteredDynamoDb, items: StoredItems): Promise<Map<string, Sample>> {
  const samples = new Map<string, Sample>();
  async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
    const mark = db.mark();
    const started = performance.now();
    const result = await run();
    const ms = performance.now() - started;
    const { requests, calls } = db.since(mark);
    // Billing reads the stored items right after the step, outside the timed part.
    const billed: BilledCall[] = [];
    for (const call of calls) billed.push(await billCall(call, items));
    samples.set(name, {
      ms,
      dynamoDbMs: requests.reduce((sum, request) => sum + request.milliseconds, 0),
      requests: requests.length,
      reportedCapacity: requests.reduce((sum, request) => sum + request.capacityUnits, 0),
      billed,
    });
    return result;
  }

  const username = `bench-${randomUUID()}`;
  await step('register', async () =>
    expectStatus(
      'register',
      await h.register(apiEvent({ path: '/register', json: { username, password: PASSWORD } })),
      201,
    ),
  );
  const session = await step('login', async () => {
    const result = await h.login(apiEvent({ path: '/login', json: { username, password: PASSWORD } }));
    return body(expectStatus('login', result, 200)).token as string;
  });
  const bearer = { authorization: `Bearer ${session}` };
  const client = await step('create client', async () => {
    const result = await h.clientCreate(
      apiEvent({
        method: 'POST',
        path: '/client',
        headers: bearer,
        json: {
          client_name: 'Benchmark app',
          redirect_uris: [REDIRECT],
          grant_types: ['authorization_code', 'refresh_token'],
          token_endpoint_auth_method: 'client_secret_basic',
          scope: 'read write',
        },
      }),
    );
    const registered = body(expectStatus('create client', result, 201));
    return { id: registered.client_id as string, secret: registered.client_secret as string };
  });
  const verifier = randomBytes(32).toString('base64url');
  const code = await step('authorize', async () => {
    const result = await h.authorize(
      apiEvent({
        method: 'GET',
        path: '/authorize',
        headers: bearer,
        query: {
          response_type: 'code',
          client_id: client.id,
          redirect_uri: REDIRECT,
          state: 'bench',
          scope: 'read',
          code_challenge: createHash('sha256').update(verifier).digest('base64url'),
          code_challenge_method: 'S256',
        },
      }),
    );
    expectStatus('authorize', result, 302);
    const issued = new URL(String(result.headers?.Location)).searchParams.get('code');
    if (!issued) throw new Error(`authorize: no code in ${result.headers?.Location}`);
    return issued;
  });
  const clientAuth = { authorization: basic(client.id, client.secret) };
  const tokens = await step('token (code)', async () => {
    const result = await h.token(
      apiEvent({
        path: '/token',
        headers: clientAuth,
        form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
      }),
    );
    return body(expectStatus('token (code)', result, 200)) as { access_token: string; refresh_token: string };
  });
  const authorizerEvent = (token: string): APIGatewayTokenAuthorizerEvent => ({
    type: 'TOKEN',
    authorizationToken: `Bearer ${token}`,
    methodArn: METHOD_ARN,
  });
  const decision = await step('protected: authorizer', async () => {
    const result = await h.authorizer(authorizerEvent(tokens.access_token));
    if (result.policyDocument.Statement[0]?.Effect !== 'Allow') throw new Error('authorizer: access refused');
    return result;
  });
  await step('protected: service', async () => {
    const event: ApiEvent = apiEvent({ method: 'GET', path: '/protected/resource' });
    event.requestContext.authorizer = { ...decision.context, principalId: decision.principalId };
    return expectStatus('protected: service', await h.protectedResource(event), 200);
  });
  const refreshed = await step('refresh', async () => {
    const result = await h.token(
      apiEvent({
        path: '/token',
        headers: clientAuth,
        form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      }),
    );
    return body(expectStatus('refresh', result, 200)) as { access_token: string; refresh_token: string };
  });
  await step('revoke', async () =>
    expectStatus(
      'revoke',
      await h.revoke(
        apiEvent({ path: '/revoke', headers: clientAuth, form: { token: refreshed.refresh_token } }),
      ),
      200,
    ),
  );
  // Not measured: revoking the refresh token revoked the grant, so its access tokens no longer pass.
  const refused = await h.authorizer(authorizerEvent(refreshed.access_token)).then(
    () => false,
    () => true,
  );
  if (!refused) throw new Error('revoke: the authorizer still accepts an access token of the revoked grant');
  return samples;
}

/** A confidential machine client, registered unmeasured; its token requests are measured. */
async function clientCredentialsSample(
  h: Handlers,
  db: MeteredDynamoDb,
  items: StoredItems,
  owner: string,
): Promise<Sample> {
  const registered = await h.clientCreate(
    apiEvent({
      method: 'POST',
      path: '/client',
      headers: { authorization: `Bearer ${owner}` },
      json: { client_name: 'Benchmark service', grant_types: ['client_credentials'], scope: 'read' },
    }),
  );
  const client = body(expectStatus('create machine client', registered, 201));
  const mark = db.mark();
  const started = performance.now();
  const result = await h.token(
    apiEvent({
      path: '/token',
      headers: { authorization: basic(client.client_id as string, client.client_secret as string) },
      form: { grant_type: 'client_credentials', scope: 'read' },
    }),
  );
  const ms = performance.now() - started;
  expectStatus('token (client credentials)', result, 200);
  const { requests, calls } = db.since(mark);
  const billed: BilledCall[] = [];
  for (const call of calls) billed.push(await billCall(call, items));
  return {
    ms,
    dynamoDbMs: requests.reduce((sum, request) => sum + request.milliseconds, 0),
    requests: requests.length,
    reportedCapacity: requests.reduce((sum, request) => sum + request.capacityUnits, 0),
    billed,
  };
}

export interface FlowResult {
  steps: StepResult[];
  /** scrypt log2(N) the flow's register and login ran with. */
  scryptLogN: number;
}

export async function measureFlow(endpoint: string, prefix: string, flows: number): Promise<FlowResult> {
  const config = loadConfig({
    ISSUER: 'https://auth.example.com',
    AWS_REGION: REGION,
    DYNAMODB_ENDPOINT: endpoint,
    TABLE_PREFIX: prefix,
  });
  const db = new MeteredDynamoDb({ region: REGION, endpoint, credentials: LOCAL_CREDENTIALS });
  // Unmetered: it reads stored items only to bill the metered calls.
  const items = new StoredItems(
    new DynamoDb({ region: REGION, endpoint, credentials: LOCAL_CREDENTIALS }),
    prefix,
  );
  const source = new MemoryKeySource({ keys: [await generateSigningKey(Math.floor(Date.now() / 1000))] });
  // Loaded once and kept, as a warm function keeps it (KeyRing's default refresh).
  const keyRing = KeyRing.fromKeySet(source, systemClock);
  // Logs are formatted as in Lambda and dropped: formatting is part of the cost, printing is not.
  const logger = createLogger({ level: 'info', write: () => {} });
  const runtime: Runtime = { env: process.env, config, logger, db, keyRing, clock: systemClock };
  const h = await handlers(runtime);

  // One unmeasured flow first: JIT compilation, key import, connection set-up.
  await runFlow(h, db, items);
  const owner = await (async () => {
    const username = `bench-owner-${randomUUID()}`;
    await h.register(apiEvent({ path: '/register', json: { username, password: PASSWORD } }));
    const result = await h.login(apiEvent({ path: '/login', json: { username, password: PASSWORD } }));
    return body(expectStatus('login (machine client owner)', result, 200)).token as string;
  })();
  await clientCredentialsSample(h, db, items, owner);

  const samples = new Map<string, Sample[]>(STEPS.map((definition) => [definition.step, []]));
  for (let flow = 0; flow < flows; flow++) {
    for (const [name, sample] of await runFlow(h, db, items)) samples.get(name)?.push(sample);
    samples.get('token (client credentials)')?.push(await clientCredentialsSample(h, db, items, owner));
  }

  const steps = STEPS.map((definition): StepResult => {
    const measured = samples.get(definition.step) ?? [];
    const first = measured[0];
    if (!first) throw new Error(`No measurement of ${definition.step}`);
    const counts = new Set(measured.map((sample) => sample.requests));
    const units = new Set(
      measured.map((sample) =>
        JSON.stringify(sample.billed.map((call) => [call.readUnits, call.writeUnits])),
      ),
    );
    // The flow is deterministic: a step that needed a different number of requests in another run
    // (a retry, a conflict) would make its counts meaningless.
    if (counts.size !== 1 || units.size !== 1)
      throw new Error(`${definition.step} made different DynamoDB requests in different runs`);
    return {
      ...definition,
      latencyMs: summarise(measured.map((sample) => sample.ms)),
      requests: first.requests,
      operations: first.billed.map((call) => `${call.operation} ${call.targets.join(', ')}`),
      dynamoDbMs: summarise(measured.map((sample) => sample.dynamoDbMs)),
      reportedCapacity: first.reportedCapacity,
      billedReadUnits: first.billed.reduce((sum, call) => sum + call.readUnits, 0),
      billedWriteUnits: first.billed.reduce((sum, call) => sum + call.writeUnits, 0),
      billedIndexWriteUnits: first.billed.reduce((sum, call) => sum + call.indexWriteUnits, 0),
    };
  });
  return { steps, scryptLogN: config.scryptLogN };
}
