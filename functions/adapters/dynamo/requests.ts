/**
 * The two DynamoDB requests whose SDK form needs more than one line to use right, shared by the stores:
 * a BatchGetItem that retries keys DynamoDB left unprocessed, and a TransactWriteItems that asks every
 * conditioned action for the item as it was, so a failed transaction says why without a second read.
 */
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { DynamoDb, Item } from '#adapters/aws/dynamodb';
import { AwsUnavailable } from '#adapters/aws/unavailable';

type RequestItems = NonNullable<BatchGetCommandInput['RequestItems']>;
export type TransactAction = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Rounds of unprocessed keys before giving up; DynamoDB leaves keys unprocessed only under load. */
const BATCH_ROUNDS = 3;

/** Several items of several tables in one round trip, by table; unprocessed keys are asked again. */
export async function batchGet(db: DynamoDb, requestItems: RequestItems): Promise<Record<string, Item[]>> {
  const found: Record<string, Item[]> = Object.fromEntries(
    Object.keys(requestItems).map((table) => [table, []]),
  );
  let pending: RequestItems | undefined = requestItems;
  for (let round = 1; pending && Object.keys(pending).length > 0; round++) {
    if (round > BATCH_ROUNDS) throw new AwsUnavailable('DynamoDB BatchGetItem left keys unprocessed');
    if (round > 1) await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** round));
    const result = await db.send(new BatchGetCommand({ RequestItems: pending }));
    for (const [table, items] of Object.entries(result.Responses ?? {})) found[table]?.push(...items);
    pending = result.UnprocessedKeys as RequestItems | undefined;
  }
  return found;
}

const conditioned = (action: TransactAction): boolean =>
  Boolean(action.ConditionCheck ?? action.Update ?? action.Delete ?? action.Put?.ConditionExpression);

/** All-or-nothing writes. A cancelled transaction carries each failed action's item as it was. */
export async function transactWrite(db: DynamoDb, actions: TransactAction[]): Promise<void> {
  const TransactItems = actions.map((action) => {
    if (!conditioned(action)) return action;
    const [kind, body] = Object.entries(action)[0] as [string, object];
    return { [kind]: { ...body, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } } as TransactAction;
  });
  await db.send(new TransactWriteCommand({ TransactItems }));
}

/** Every item a Query finds, page after page. */
export async function queryAll(db: DynamoDb, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await db.send(
      new QueryCommand({ ...input, ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}) }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** A query of a table's `bySub` index (users, sessions, grants, passkeys): what names one user. */
export const bySub = (TableName: string, sub: string): QueryCommandInput => ({
  TableName,
  IndexName: 'bySub',
  KeyConditionExpression: '#sub = :sub',
  ExpressionAttributeNames: { '#sub': 'sub' },
  ExpressionAttributeValues: { ':sub': sub },
});

/**
 * The first item a query finds, in one request: `queryAll` with `Limit: 1` would send a second one, since
 * a page cut short by its limit always carries a `LastEvaluatedKey`.
 */
export async function queryFirst(db: DynamoDb, input: QueryCommandInput): Promise<Item | undefined> {
  const { Items } = await db.send(new QueryCommand({ ...input, Limit: 1 }));
  return Items?.[0];
}

/** The expression and name placeholders that make a read return only `attributes` (some are reserved words). */
export function projection(attributes: readonly string[]): {
  ProjectionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
} {
  const names = Object.fromEntries(attributes.map((name, index) => [`#p${index}`, name]));
  return { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names };
}
