/**
 * Creates the tables of functions/contract/tables.ts that do not exist yet (on-demand, TTL on `ttlAttribute`, GSIs
 * projecting what the definition names, else ALL), and brings existing ones up to date (a GSI or TTL added to the definition since).
 * Safe to run on every start: what exists is left alone.
 */
import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDb } from '#adapters/aws/dynamodb';
import { keyAttributeType, type TableDefinition, tables } from '#contract/tables';

const keySchema = (partitionKey: string, sortKey?: string): KeySchemaElement[] => [
  { AttributeName: partitionKey, KeyType: 'HASH' },
  ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
];

const attributeDefinitions = (names: (string | undefined)[]): AttributeDefinition[] =>
  [...new Set(names.filter((name): name is string => name !== undefined))].map((name) => ({
    AttributeName: name,
    AttributeType: keyAttributeType(name),
  }));

type IndexDefinition = NonNullable<TableDefinition['indexes']>[number];

const indexSpecification = (index: IndexDefinition): GlobalSecondaryIndex => ({
  IndexName: index.name,
  KeySchema: keySchema(index.partitionKey, index.sortKey),
  Projection: index.projection
    ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection] }
    : { ProjectionType: 'ALL' },
});

/** The CreateTable input for a definition; also what the tests compare DescribeTable against. */
export function createTableInput(prefix: string, definition: TableDefinition): CreateTableCommandInput {
  const indexes = definition.indexes ?? [];
  return {
    TableName: `${prefix}${definition.name}`,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
    AttributeDefinitions: attributeDefinitions([
      definition.partitionKey,
      definition.sortKey,
      ...indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ]),
    ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes.map(indexSpecification) } : {}),
  };
}

async function listTableNames(db: DynamoDb): Promise<Set<string>> {
  const names = new Set<string>();
  let ExclusiveStartTableName: string | undefined;
  do {
    const page = await db.send(
      new ListTablesCommand(ExclusiveStartTableName ? { ExclusiveStartTableName } : {}),
    );
    for (const name of page.TableNames ?? []) names.add(name);
    ExclusiveStartTableName = page.LastEvaluatedTableName;
  } while (ExclusiveStartTableName);
  return names;
}

async function describe(db: DynamoDb, TableName: string) {
  const { Table } = await db.send(new DescribeTableCommand({ TableName }));
  if (!Table) throw new Error(`DynamoDB described no table ${TableName}`);
  return Table;
}

/** Real DynamoDB creates tables and indexes asynchronously, and refuses to change them meanwhile. */
async function waitUntilActive(db: DynamoDb, TableName: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const table = await describe(db, TableName);
    const pending = (table.GlobalSecondaryIndexes ?? []).filter(
      (index) => (index.IndexStatus ?? 'ACTIVE') !== 'ACTIVE',
    );
    if (table.TableStatus === 'ACTIVE' && pending.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        pending.length > 0
          ? `Index ${pending.map((index) => index.IndexName).join(', ')} of table ${TableName} is still being created after ${timeoutMs / 1000} s. DynamoDB Local can fail to ever finish an index added to an existing table once TTL is enabled on several tables; locally, stop the stack and delete the table (or .data/dynamodb) so that it is created with the index.`
          : `Table ${TableName} is still ${table.TableStatus} after ${timeoutMs / 1000} s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function ensureTimeToLive(db: DynamoDb, TableName: string, attribute: string): Promise<boolean> {
  const { TimeToLiveDescription } = await db.send(new DescribeTimeToLiveCommand({ TableName }));
  const status = TimeToLiveDescription?.TimeToLiveStatus;
  if ((status === 'ENABLED' || status === 'ENABLING') && TimeToLiveDescription?.AttributeName === attribute) {
    return false;
  }
  await db.send(
    new UpdateTimeToLiveCommand({
      TableName,
      TimeToLiveSpecification: { Enabled: true, AttributeName: attribute },
    }),
  );
  return true;
}

const sameKeys = (a: KeySchemaElement[] = [], b: KeySchemaElement[]) =>
  a.length === b.length &&
  a.every((element) =>
    b.some((other) => other.AttributeName === element.AttributeName && other.KeyType === element.KeyType),
  );

async function updateExisting(db: DynamoDb, prefix: string, definition: TableDefinition): Promise<boolean> {
  const TableName = `${prefix}${definition.name}`;
  const table = await describe(db, TableName);
  if (!sameKeys(table.KeySchema, keySchema(definition.partitionKey, definition.sortKey))) {
    throw new Error(
      `Table ${TableName} exists with another key schema than functions/contract/tables.ts defines; delete it (locally: stop the stack and remove .data/dynamodb) so it can be created again`,
    );
  }
  let changed = false;
  const present = new Set((table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of definition.indexes ?? []) {
    if (present.has(index.name)) continue;
    // One index per UpdateTable call: DynamoDB refuses more.
    await db.send(
      new UpdateTableCommand({
        TableName,
        AttributeDefinitions: attributeDefinitions([index.partitionKey, index.sortKey]),
        GlobalSecondaryIndexUpdates: [{ Create: indexSpecification(index) }],
      }),
    );
    await waitUntilActive(db, TableName);
    changed = true;
  }
  if (definition.ttlAttribute && (await ensureTimeToLive(db, TableName, definition.ttlAttribute)))
    changed = true;
  return changed;
}

export interface EnsureTablesResult {
  /** Physical names of the tables this call created. */
  created: string[];
  /** Tables that existed and were given a missing index or TTL setting. */
  updated: string[];
  /** Tables that existed as defined. */
  unchanged: string[];
}

/** Makes every table of `definitions` (default: functions/contract/tables.ts) exist under `prefix`, as defined. */
export async function ensureTables(
  db: DynamoDb,
  prefix: string,
  definitions: Record<string, TableDefinition> = tables,
): Promise<EnsureTablesResult> {
  const result: EnsureTablesResult = { created: [], updated: [], unchanged: [] };
  const existing = await listTableNames(db);
  for (const definition of Object.values(definitions)) {
    const TableName = `${prefix}${definition.name}`;
    let create = !existing.has(TableName);
    if (create) {
      try {
        await db.send(new CreateTableCommand(createTableInput(prefix, definition)));
      } catch (error) {
        // Another process (a second stack with the same prefix) created it in the meantime.
        if ((error as Error).name !== 'ResourceInUseException') throw error;
        create = false;
      }
    }
    await waitUntilActive(db, TableName);
    if (create) {
      if (definition.ttlAttribute) await ensureTimeToLive(db, TableName, definition.ttlAttribute);
      result.created.push(TableName);
    } else if (await updateExisting(db, prefix, definition)) {
      result.updated.push(TableName);
    } else {
      result.unchanged.push(TableName);
    }
  }
  return result;
}
