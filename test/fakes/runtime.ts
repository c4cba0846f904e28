import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_REQUEST_TIMEOUT_MS } from '#adapters/aws/client-settings';
import { createDynamoDb, type DynamoDb, type Item, type RequestRecord } from '#adapters/aws/dynamodb';
import { type Config, loadConfig } from '#adapters/config';
import type { Runtime } from '#app/services';
import { manualClock, memoryKeyRing } from './keys.ts';
import { silentLogger } from './logger.ts';

/** The real DynamoDB client against the test run's DynamoDB Local, recording every request it makes. */
export const recordingDb = (config: Config, requests: RequestRecord[]) =>
  createDynamoDb({
    region: config.region,
    endpoint: config.dynamoDbEndpoint,
    requestTimeoutMs: LOCAL_REQUEST_TIMEOUT_MS,
    onRequest: (record) => requests.push(record),
  });

/**
 * A runtime for integration tests: the real DynamoDB client against the test run's DynamoDB Local
 * (from the environment the global setup provides), in-memory keys, and a clock the test moves.
 */
export async function testRuntime(overrides: Partial<Config> = {}) {
  // The issuer and default resource identifier also decide the resource servers: loaded from them.
  const config = {
    ...loadConfig({
      ...process.env,
      ...(overrides.issuer ? { ISSUER: overrides.issuer } : {}),
      ...(overrides.resourceIdentifier ? { RESOURCE_IDENTIFIER: overrides.resourceIdentifier } : {}),
    }),
    ...overrides,
  };
  const requests: RequestRecord[] = [];
  const db = recordingDb(config, requests);
  const clock = manualClock(Date.now());
  const { keyRing, source } = await memoryKeyRing(clock);
  const runtime = { env: process.env, config, logger: silentLogger, db, keyRing, clock } satisfies Runtime;
  return { ...runtime, clock, keySource: source, requests };
}

let counter = 0;
/** A username no other test in this run uses. */
export const uniqueName = (base = 'user') => `${base}-${process.pid}-${Date.now().toString(36)}-${counter++}`;

/** An item as it is stored now (a consistent read), for assertions on what a handler wrote. */
export async function storedItem(db: DynamoDb, table: string, key: Item): Promise<Item | undefined> {
  return (await db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
}

/** Writes an item directly, for states no handler would produce. */
export async function storeItem(db: DynamoDb, table: string, item: Item): Promise<void> {
  await db.send(new PutCommand({ TableName: table, Item: item }));
}

/** Changes an item directly by an update expression without values, e.g. `REMOVE clientCount`. */
export async function updateItem(db: DynamoDb, table: string, key: Item, expression: string): Promise<void> {
  await db.send(new UpdateCommand({ TableName: table, Key: key, UpdateExpression: expression }));
}
