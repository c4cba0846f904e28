/**
 * One run of the full flow, step by step, and the client-credentials token request measured beside it.
 * Each step is timed and its DynamoDB requests counted; billing reads the stored items right after the
 * step, outside the timed part.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import type { ApiEvent } from '#adapters/http/request';
import type { ApiResult } from '#adapters/http/responses';
import { apiEvent, basic } from '../test/fakes/events.ts';
import { METHOD_ARN } from './authorizer.ts';
import { type BilledCall, billCall } from './billing.ts';
import type { Handlers, Metering } from './flow-handlers.ts';
import { httpRequests, reportedCapacity, waitingMs } from './metered-dynamodb.ts';

const REDIRECT = 'https://app.example.com/callback';
const PASSWORD = 'correct horse battery staple';

export interface Sample {
  ms: number;
  dynamoDbMs: number;
  requests: number;
  reportedCapacity: number;
  billed: BilledCall[];
}

type Step = <T>(name: string, run: () => Promise<T>) => Promise<T>;
type Tokens = { access_token: string; refresh_token: string };
type Headers = Record<string, string>;

/** The handlers and the step that times one of their calls. */
interface Flow {
  h: Handlers;
  step: Step;
}

const body = (result: ApiResult) => JSON.parse(result.body) as Record<string, unknown>;

function expectStatus(step: string, result: ApiResult, status: number): ApiResult {
  if (result.statusCode !== status)
    throw new Error(`${step}: expected HTTP ${status}, got ${result.statusCode} ${result.body}`);
  return result;
}

async function measured<T>(
  metering: Metering,
  run: () => Promise<T>,
): Promise<{ result: T; sample: Sample }> {
  const mark = metering.db.mark();
  const started = performance.now();
  const result = await run();
  const ms = performance.now() - started;
  const calls = metering.db.since(mark);
  const billed: BilledCall[] = [];
  for (const call of calls) billed.push(await billCall(call, metering.items));
  const sample = {
    ms,
    dynamoDbMs: waitingMs(calls),
    requests: httpRequests(calls),
    reportedCapacity: reportedCapacity(calls),
    billed,
  };
  return { result, sample };
}

/** Registers and logs in a new user; resolves with the bearer header of its session. */
async function signUp({ h, step }: Flow): Promise<Headers> {
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
  return { authorization: `Bearer ${session}` };
}

async function createClient({ h, step }: Flow, bearer: Headers): Promise<{ id: string; secret: string }> {
  return step('create client', async () => {
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
}

async function authorizeCode(
  { h, step }: Flow,
  request: { bearer: Headers; clientId: string },
): Promise<{ code: string; verifier: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const code = await step('authorize', async () => {
    const result = await h.authorize(
      apiEvent({
        method: 'GET',
        path: '/authorize',
        headers: request.bearer,
        query: {
          response_type: 'code',
          client_id: request.clientId,
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
  return { code, verifier };
}

async function requestTokens(
  { h, step }: Flow,
  request: { name: string; clientAuth: Headers; form: Record<string, string> },
): Promise<Tokens> {
  return step(request.name, async () => {
    const result = await h.token(
      apiEvent({ path: '/token', headers: request.clientAuth, form: request.form }),
    );
    return body(expectStatus(request.name, result, 200)) as Tokens;
  });
}

const authorizerEvent = (token: string): APIGatewayTokenAuthorizerEvent => ({
  type: 'TOKEN',
  authorizationToken: `Bearer ${token}`,
  methodArn: METHOD_ARN,
});

/** A protected call: the authorizer decides, then the protected service answers with its context. */
async function callProtected({ h, step }: Flow, accessToken: string): Promise<void> {
  const decision = await step('protected: authorizer', async () => {
    const result = await h.authorizer(authorizerEvent(accessToken));
    if (result.policyDocument.Statement[0]?.Effect !== 'Allow') throw new Error('authorizer: access refused');
    return result;
  });
  await step('protected: service', async () => {
    const event: ApiEvent = apiEvent({ method: 'GET', path: '/protected/resource' });
    event.requestContext.authorizer = { ...decision.context, principalId: decision.principalId };
    return expectStatus('protected: service', await h.protectedResource(event), 200);
  });
}

async function revoke({ h, step }: Flow, request: { clientAuth: Headers; token: string }): Promise<void> {
  await step('revoke', async () => {
    const event = apiEvent({ path: '/revoke', headers: request.clientAuth, form: { token: request.token } });
    return expectStatus('revoke', await h.revoke(event), 200);
  });
}

/** Not measured: revoking the refresh token revoked the grant, so its access tokens no longer pass. */
async function expectRevoked(h: Handlers, accessToken: string): Promise<void> {
  const refused = await h.authorizer(authorizerEvent(accessToken)).then(
    () => false,
    () => true,
  );
  if (!refused) throw new Error('revoke: the authorizer still accepts an access token of the revoked grant');
}

/** One full flow; resolves with the sample of every step, by step name. */
export async function runFlow(h: Handlers, metering: Metering): Promise<Map<string, Sample>> {
  const samples = new Map<string, Sample>();
  const step: Step = async (name, run) => {
    const { result, sample } = await measured(metering, run);
    samples.set(name, sample);
    return result;
  };
  const flow: Flow = { h, step };
  const bearer = await signUp(flow);
  const client = await createClient(flow, bearer);
  const { code, verifier } = await authorizeCode(flow, { bearer, clientId: client.id });
  const clientAuth = { authorization: basic(client.id, client.secret) };
  const tokens = await requestTokens(flow, {
    name: 'token (code)',
    clientAuth,
    form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
  });
  await callProtected(flow, tokens.access_token);
  const refreshed = await requestTokens(flow, {
    name: 'refresh',
    clientAuth,
    form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
  });
  await revoke(flow, { clientAuth, token: refreshed.refresh_token });
  await expectRevoked(h, refreshed.access_token);
  return samples;
}

/** A user to own the machine client, signed in unmeasured; resolves with its session token. */
export async function signInOwner(h: Handlers): Promise<string> {
  const username = `bench-owner-${randomUUID()}`;
  await h.register(apiEvent({ path: '/register', json: { username, password: PASSWORD } }));
  const result = await h.login(apiEvent({ path: '/login', json: { username, password: PASSWORD } }));
  return body(expectStatus('login (machine client owner)', result, 200)).token as string;
}

/** A confidential machine client, registered unmeasured; its token requests are measured. */
export async function clientCredentialsSample(
  h: Handlers,
  metering: Metering,
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
  const { result, sample } = await measured(metering, () =>
    h.token(
      apiEvent({
        path: '/token',
        headers: { authorization: basic(client.client_id as string, client.client_secret as string) },
        form: { grant_type: 'client_credentials', scope: 'read' },
      }),
    ),
  );
  expectStatus('token (client credentials)', result, 200);
  return sample;
}
