import { randomBytes } from 'node:crypto';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDb, type DynamoDb } from '#adapters/aws/dynamodb';
import { keyAttributeType, type TableDefinition, tables } from '#contract/tables';
import { type DynamoDbLocal, startDynamoDbLocal } from '#infra/local/dynamodb-local';
import { ensureTables } from '#infra/local/tables';
import { storedItem, storeItem } from '../../../fakes/runtime.ts';

const db = createDynamoDb({ region: inject('region'), endpoint: inject('dynamoDbEndpoint') });
const freshPrefix = () => `tables_${randomBytes(4).toString('hex')}_`;

interface Description {
  KeySchema: { AttributeName: string; KeyType: string }[];
  AttributeDefinitions: { AttributeName: string; AttributeType: string }[];
  BillingModeSummary?: { BillingMode: string };
  GlobalSecondaryIndexes?: {
    IndexName: string;
    KeySchema: { AttributeName: string; KeyType: string }[];
    Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
  }[];
}

const describeTable = async (TableName: string, client = db) =>
  (await client.send(new DescribeTableCommand({ TableName }))).Table as Description;
const timeToLive = async (TableName: string, client = db) =>
  (await client.send(new DescribeTimeToLiveCommand({ TableName }))).TimeToLiveDescription;

const keys = (partitionKey: string, sortKey?: string) => [
  { AttributeName: partitionKey, KeyType: 'HASH' },
  ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' }] : []),
];

describe('ensureTables', () => {
  it('creates every table on demand, with its keys, TTL and GSIs projecting what they name (else ALL)', async () => {
    const prefix = freshPrefix();
    const definitions = Object.values(tables) as TableDefinition[];
    const result = await ensureTables(db, prefix);
    expect(result.created.sort()).toEqual(definitions.map((table) => `${prefix}${table.name}`).sort());
    expect(result.updated).toEqual([]);

    for (const definition of definitions) {
      const name = `${prefix}${definition.name}`;
      const table = await describeTable(name);
      expect(table.KeySchema).toEqual(keys(definition.partitionKey, definition.sortKey));
      expect(table.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect((table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort()).toEqual(
        (definition.indexes ?? []).map((index) => index.name).sort(),
      );
      for (const index of definition.indexes ?? []) {
        const created = table.GlobalSecondaryIndexes?.find((candidate) => candidate.IndexName === index.name);
        expect(created?.KeySchema).toEqual(keys(index.partitionKey, index.sortKey));
        expect(created?.Projection).toEqual(
          index.projection
            ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection] }
            : { ProjectionType: 'ALL' },
        );
      }
      const ttl = await timeToLive(name);
      if (definition.ttlAttribute) {
        expect(ttl).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: definition.ttlAttribute });
      } else {
        expect(ttl?.TimeToLiveStatus).toBe('DISABLED');
      }
    }
  });

  it('types time keys as numbers and every other key as a string', async () => {
    const prefix = freshPrefix();
    await ensureTables(db, prefix, { clients: tables.clients });
    const table = await describeTable(`${prefix}clients`);
    expect(
      Object.fromEntries(table.AttributeDefinitions.map((a) => [a.AttributeName, a.AttributeType])),
    ).toEqual({
      clientId: 'S',
      owner: 'S',
      clientIdIssuedAt: 'N',
    });
    expect(keyAttributeType('expiresAt')).toBe('N');
    expect(keyAttributeType('sessionId')).toBe('S');
  });

  it('is idempotent: a second run changes nothing and keeps the data', async () => {
    const prefix = freshPrefix();
    await ensureTables(db, prefix);
    await storeItem(db, `${prefix}users`, { username: 'alice', sub: 's-1' });

    const again = await ensureTables(db, prefix);
    expect(again.created).toEqual([]);
    expect(again.updated).toEqual([]);
    expect(again.unchanged).toHaveLength(Object.keys(tables).length);
    expect(await storedItem(db, `${prefix}users`, { username: 'alice' })).toEqual({
      username: 'alice',
      sub: 's-1',
    });
  });

  it('refuses a table whose key schema differs from the definition', async () => {
    const prefix = freshPrefix();
    await ensureTables(db, prefix, {
      users: { name: 'users', partitionKey: 'sub', retain: true, description: 'old shape' },
    });
    await expect(ensureTables(db, prefix, { users: tables.users })).rejects.toThrow(/another key schema/);
  });
});

describe('ensureTables on tables created before the definition changed', () => {
  // DynamoDB Local can leave an index added to an existing table CREATING forever once TTL is enabled on
  // several tables (as on the shared test instance), so this runs on an instance of its own.
  let local: DynamoDbLocal;
  let own: DynamoDb;
  beforeAll(async () => {
    local = await startDynamoDbLocal();
    own = createDynamoDb({ region: inject('region'), endpoint: local.endpoint });
  });
  afterAll(async () => {
    await local?.stop();
  });

  it('adds the index and TTL that the definition gained', async () => {
    const bare: TableDefinition = {
      name: 'grants',
      partitionKey: 'grantId',
      retain: false,
      description: 'bare',
    };
    await ensureTables(own, 'old_', { grants: bare });
    expect((await describeTable('old_grants', own)).GlobalSecondaryIndexes).toBeUndefined();

    const result = await ensureTables(own, 'old_', { grants: tables.grants });
    expect(result).toEqual({ created: [], updated: ['old_grants'], unchanged: [] });
    const table = await describeTable('old_grants', own);
    // Every index of the definition (grants has two since accounts can be deleted), however listed.
    expect(
      table.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.Projection.ProjectionType]).sort(),
    ).toEqual([
      ['byClient', 'ALL'],
      ['bySub', 'INCLUDE'],
    ]);
    expect(await timeToLive('old_grants', own)).toEqual({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
  });
});
