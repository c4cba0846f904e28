/**
 * The authorizer on every protected request:
 * - warm throughput of the handler on a valid token (keys in memory, revocation store in memory), next to
 *   raw `jwtVerify` of the same token with the same key in the same process: the floor;
 * - its revocation check against DynamoDB: latency, requests and request units per authorization;
 * - what the gateway's result cache makes of that per request.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { createLocalJWKSet, importJWK, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { DynamoLivenessStore } from '#adapters/dynamo/liveness';
import { remoteKeySet } from '#adapters/keys/remote-key-set';
import { createLogger } from '#adapters/logger';
import { tableName } from '#contract/tables';
import { type Authorize, createAuthorizer } from '#core/authorizer/decision';
import type { SigningKey } from '#core/keys/key-ring';
import { generateSigningKey, publicJwk } from '#core/keys/key-set';
import type { LivenessRecords, LivenessStore } from '#core/oauth/liveness';
import { type AccessTokenClaims, signAccessToken } from '#core/tokens/jwt';
import { type BilledCall, billCall } from './billing.ts';
import { deployedAuthorizer } from './deployed-authorizer.ts';
import { type CallRecord, httpRequests, type MeteredDynamoDb, reportedCapacity } from './metered-dynamodb.ts';
import { type Summary, summarise } from './stats.ts';
import type { StoredItems } from './stored-items.ts';

const ISSUER = 'https://auth.example.com';
const AUDIENCE = `${ISSUER}/protected`;
export const METHOD_ARN = 'arn:aws:execute-api:us-east-1:000000000000:api0000000/prod/GET/protected/resource';

/** Logs are formatted as in Lambda (that is part of the cost) and then dropped. */
const discardingLogger = createLogger({ level: 'info', service: 'authorizer', write: () => {} });

interface TestKey {
  signing: SigningKey;
  publicKey: CryptoKey;
  jwks: { keys: ReturnType<typeof publicJwk>[] };
}

async function testKey(): Promise<TestKey> {
  const stored = await generateSigningKey(Math.floor(Date.now() / 1000));
  const jwk = publicJwk(stored);
  const key = (await importJWK(stored.privateJwk, 'ES256')) as CryptoKey;
  return {
    signing: { kid: stored.kid, alg: 'ES256', key },
    publicKey: (await importJWK(jwk, 'ES256')) as CryptoKey,
    jwks: { keys: [jwk] },
  };
}

function claimsFor(sessionId: string | undefined): AccessTokenClaims {
  const id = randomUUID();
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: `user-${id}`,
    client_id: `client-${id}`,
    scope: 'read write',
    jti: `at-${id}`,
    iat: now,
    exp: now + 900,
    gid: `grant-${id}`,
    ...(sessionId ? { sid: sessionId } : {}),
  };
}

const tokenEvent = (token: string): APIGatewayTokenAuthorizerEvent => ({
  type: 'TOKEN',
  authorizationToken: `Bearer ${token}`,
  methodArn: METHOD_ARN,
});

/** A store that answers at once with a live grant and session: the authorizer's CPU cost alone. */
const liveRecords = (claims: AccessTokenClaims): LivenessStore => {
  const records: LivenessRecords = {
    grant: { clientId: claims.client_id, expiresAt: claims.exp + 86400 },
    session: { sub: claims.sub, expiresAt: claims.exp + 3600 },
    revokedToken: undefined,
  };
  return { lookup: async () => records };
};

const BATCH = 25;

/**
 * Throughput of several operations measured interleaved: batch after batch, one contender after the
 * other, until `durationMs` has passed, so that any change in machine load hits every contender alike.
 * Each contender's rate is its total operations over its total time; the batches give the spread.
 */
async function interleaved<K extends string>(
  contenders: Record<K, () => Promise<unknown>>,
  durationMs: number,
): Promise<Record<K, { opsPerSecond: number; batches: number[] }>> {
  const entries = Object.entries(contenders) as [K, () => Promise<unknown>][];
  const totals = new Map<K, { ms: number; ops: number; batches: number[] }>(
    entries.map(([name]) => [name, { ms: 0, ops: 0, batches: [] }]),
  );
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    for (const [name, operation] of entries) {
      const batchStarted = performance.now();
      for (let i = 0; i < BATCH; i++) await operation();
      const ms = performance.now() - batchStarted;
      const total = totals.get(name) as { ms: number; ops: number; batches: number[] };
      total.ms += ms;
      total.ops += BATCH;
      total.batches.push((BATCH * 1000) / ms);
    }
  }
  return Object.fromEntries(
    [...totals].map(([name, total]) => [
      name,
      { opsPerSecond: (total.ops * 1000) / total.ms, batches: total.batches },
    ]),
  ) as Record<K, { opsPerSecond: number; batches: number[] }>;
}

export interface Throughput {
  /** Total operations over total time. */
  opsPerSecond: number;
  /** Operations per second of the individual batches: the spread. */
  batches: Summary;
}

export interface ThroughputResult {
  /** Raw `jwtVerify(token, key)`, no options: the floor. */
  jwtVerify: Throughput;
  /** The authorizer handler with a local JWKS (createLocalJWKSet) and an in-memory revocation store. */
  authorizerLocalJwks: Throughput;
  /** The same with the key set as deployed: remoteKeySet() against a local HTTP JWKS, warm (cached). */
  authorizerRemoteJwks: Throughput;
  /** authorizerLocalJwks / jwtVerify. */
  ratio: number;
  ratioRemote: number;
}

/** Serves a JWKS over HTTP on a free local port, as the `/jwks` function would. */
async function jwksServer(jwks: unknown) {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function measureThroughput(durationMs: number): Promise<ThroughputResult> {
  const key = await testKey();
  const claims = claimsFor(`session-${randomUUID()}`);
  const token = await signAccessToken(key.signing, ISSUER, AUDIENCE, claims);
  const server = await jwksServer(key.jwks);
  try {
    const authorizerWith = (keys: JWTVerifyGetKey): Authorize =>
      deployedAuthorizer({
        keys,
        revocation: liveRecords(claims),
        clock: Date.now,
        resourceIdentifier: AUDIENCE,
        issuer: ISSUER,
        scopeRules: [],
        logger: discardingLogger,
      });
    const local = authorizerWith(createLocalJWKSet(key.jwks));
    const remote = authorizerWith(remoteKeySet(server.url));
    const event = tokenEvent(token);
    const contenders = {
      jwtVerify: () => jwtVerify(token, key.publicKey),
      authorizerLocalJwks: async () => {
        const result = await local(event);
        if (result.policyDocument.Statement[0]?.Effect !== 'Allow') throw new Error('authorizer refused');
      },
      authorizerRemoteJwks: () => remote(event),
    };
    // Warm up: JIT, key import caches, and the remote key set's one fetch.
    await interleaved(contenders, Math.min(1000, durationMs / 4));
    const measured = await interleaved(contenders, durationMs);
    const rate = (name: keyof typeof contenders): Throughput => ({
      opsPerSecond: measured[name].opsPerSecond,
      batches: summarise(measured[name].batches),
    });
    return {
      jwtVerify: rate('jwtVerify'),
      authorizerLocalJwks: rate('authorizerLocalJwks'),
      authorizerRemoteJwks: rate('authorizerRemoteJwks'),
      ratio: measured.authorizerLocalJwks.opsPerSecond / measured.jwtVerify.opsPerSecond,
      ratioRemote: measured.authorizerRemoteJwks.opsPerSecond / measured.jwtVerify.opsPerSecond,
    };
  } finally {
    await server.close();
  }
}

export interface RevocationCheckResult {
  /** The whole authorization (verify + BatchGetItem + policy), against DynamoDB. */
  latencyMs: Summary;
  /** The BatchGetItem alone, as the client's hook timed it. */
  dynamoDbMs: Summary;
  requestsPerAuthorization: number;
  /** ConsumedCapacity as DynamoDB (Local) reported it, per authorization. */
  reportedCapacityPerAuthorization: number;
  /** Read request units AWS bills per authorization (bench/billing.ts). */
  billedReadUnitsPerAuthorization: number;
  operations: string[];
}

/** The records a live token of a logged-in user has: its grant and its session (no revocation entry). */
async function storeLiveToken(options: {
  db: MeteredDynamoDb;
  prefix: string;
  claims: AccessTokenClaims;
  sessionId: string;
}): Promise<void> {
  const { db, prefix, claims, sessionId } = options;
  const put = (table: string, item: Record<string, unknown>) =>
    db.db.send(new PutCommand({ TableName: table, Item: item }));
  await put(tableName(prefix, 'grants'), {
    grantId: claims.gid,
    clientId: claims.client_id,
    sub: claims.sub,
    sessionId,
    scope: claims.scope,
    grantType: 'authorization_code',
    createdAt: claims.iat,
    expiresAt: claims.iat + 30 * 86400,
  });
  await put(tableName(prefix, 'sessions'), {
    sessionId,
    sub: claims.sub,
    username: `bench-${claims.sub}`,
    createdAt: claims.iat,
    expiresAt: claims.iat + 3600,
  });
}

/** Every authorization makes the same call; bills a few of them and makes sure they agree. */
async function billAuthorizations(calls: readonly CallRecord[], items: StoredItems) {
  const billed: BilledCall[] = [];
  for (const call of calls.slice(0, 3)) billed.push(await billCall(call, items));
  const units = new Set(billed.map((call) => call.readUnits));
  if (units.size !== 1) throw new Error(`Authorizations billed differently: ${[...units].join(', ')} RRU`);
  return {
    readUnits: [...units][0] as number,
    operations: billed[0] ? [`${billed[0].operation} ${billed[0].targets.join(' + ')}`] : [],
  };
}

export async function measureRevocationCheck(
  db: MeteredDynamoDb,
  items: StoredItems,
  prefix: string,
  checks: number,
): Promise<RevocationCheckResult> {
  const key = await testKey();
  const sessionId = `session-${randomUUID()}`;
  const claims = claimsFor(sessionId);
  await storeLiveToken({ db, prefix, claims, sessionId });
  const authorize = createAuthorizer({
    keys: createLocalJWKSet(key.jwks),
    revocation: new DynamoLivenessStore(db.db, prefix),
    clock: Date.now,
    resourceIdentifier: AUDIENCE,
    issuer: ISSUER,
    scopeRules: [],
    logger: discardingLogger,
  });
  const event = tokenEvent(await signAccessToken(key.signing, ISSUER, AUDIENCE, claims));
  for (let i = 0; i < 5; i++) await authorize(event);

  const mark = db.mark();
  const latencies: number[] = [];
  for (let i = 0; i < checks; i++) {
    const started = performance.now();
    await authorize(event);
    latencies.push(performance.now() - started);
  }
  const calls = db.since(mark);
  const billed = await billAuthorizations(calls, items);
  return {
    latencyMs: summarise(latencies),
    dynamoDbMs: summarise(calls.map((call) => call.milliseconds)),
    requestsPerAuthorization: httpRequests(calls) / checks,
    reportedCapacityPerAuthorization: reportedCapacity(calls) / checks,
    billedReadUnitsPerAuthorization: billed.readUnits,
    operations: billed.operations,
  };
}

/**
 * Authorizer runs per protected request behind API Gateway's result cache (keyed by the Authorization
 * header, i.e. per token), for requests with one token arriving at random (Poisson) at `ratePerSecond`
 * and a cache TTL of `ttlSeconds`: each run is followed by a cached period of TTL seconds holding r·t
 * requests on average, so runs per request = 1 / (1 + r·t) (≈ 1 / (r·t) once r·t ≫ 1); no cache: 1.
 */
export const authorizerRunsPerRequest = (ratePerSecond: number, ttlSeconds: number): number =>
  1 / (1 + ratePerSecond * ttlSeconds);
