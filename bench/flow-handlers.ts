/**
 * The handlers the flow runs, built with an injected runtime exactly as the integration tests build them
 * (test/integration/adapters/endpoints/oauth.test.ts), over a metered DynamoDB client and an unmetered one for billing.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLocalJWKSet } from 'jose';
import { loadConfig } from '#adapters/config';
import { createAuthorizeHandler } from '#adapters/endpoints/oauth/authorize';
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
import { generateKeySet } from '#core/keys/key-set';
import { MemoryKeySource } from '../test/fakes/keys.ts';
import { defaultResourceServer } from '../test/fakes/resources.ts';
import { LOCAL_CREDENTIALS, REGION } from './dynamodb.ts';
import { MeteredDynamoDb } from './metered-dynamodb.ts';
import { StoredItems } from './stored-items.ts';

/** Where a measured step's DynamoDB calls are counted, and how they are billed afterwards. */
export interface Metering {
  db: MeteredDynamoDb;
  items: StoredItems;
}

export async function flowRuntime(
  endpoint: string,
  prefix: string,
): Promise<{ runtime: Runtime & { keyRing: KeyRing }; metering: Metering }> {
  const config = loadConfig({
    ISSUER: 'https://auth.example.com',
    AWS_REGION: REGION,
    DYNAMODB_ENDPOINT: endpoint,
    TABLE_PREFIX: prefix,
  });
  const db = new MeteredDynamoDb({ region: REGION, endpoint });
  // Unmetered: it reads stored items only to bill the metered calls.
  const items = new StoredItems(
    new DynamoDBClient({ region: REGION, endpoint, credentials: LOCAL_CREDENTIALS }),
    prefix,
  );
  const source = new MemoryKeySource({ keys: await generateKeySet(Math.floor(Date.now() / 1000)) });
  // Loaded once and kept, as a warm function keeps it (KeyRing's default refresh).
  const keyRing = KeyRing.fromKeySet(source, systemClock);
  // Logs are formatted as in Lambda and dropped: formatting is part of the cost, printing is not.
  const logger = createLogger({ level: 'info', write: () => {} });
  const runtime = {
    env: process.env,
    config,
    logger,
    db: db.db,
    keyRing,
    clock: systemClock,
  } satisfies Runtime;
  return { runtime, metering: { db, items } };
}

export async function handlers(runtime: Runtime & { keyRing: KeyRing }) {
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
      resourceServers: [defaultResourceServer(runtime.config.resourceIdentifier)],
      issuer: runtime.config.issuer,
      scopeRules: [],
      logger,
    }),
    protectedResource: sampleBackendEndpoint(runtime),
  };
}

export type Handlers = Awaited<ReturnType<typeof handlers>>;
