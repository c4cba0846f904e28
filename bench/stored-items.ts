/** Reads stored items unmetered, for the sizes behind projected reads, transactions and index writes. */
import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { type TableDefinition, tables } from '#contract/tables';
import { itemSize, type Wire } from './item-size.ts';

export type IndexDefinition = NonNullable<TableDefinition['indexes']>[number];

export class StoredItems {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly prefix: string,
  ) {}

  async get(table: string, key: Wire): Promise<Wire | undefined> {
    const { Item } = await this.db.send(
      new GetItemCommand({ TableName: table, Key: key as never, ConsistentRead: true }),
    );
    return Item as Wire | undefined;
  }

  async sizeOf(table: string, key: Wire): Promise<number> {
    const item = await this.get(table, key);
    return item ? itemSize(item) : 0;
  }

  /** The summed size of the items a Query read, whatever it projected. */
  async sizeOfQuery(input: Record<string, unknown>): Promise<number> {
    const {
      ProjectionExpression: _projection,
      ExpressionAttributeNames,
      ExclusiveStartKey: _start,
      ...rest
    } = input;
    // Names only the projection used must go, or DynamoDB refuses the query.
    const expressions = [rest.KeyConditionExpression, rest.FilterExpression].join(' ');
    const names = Object.fromEntries(
      Object.entries((ExpressionAttributeNames ?? {}) as Record<string, string>).filter(([placeholder]) =>
        expressions.includes(placeholder),
      ),
    );
    let total = 0;
    let start: Wire | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          ...(rest as unknown as QueryCommandInput),
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ...(start ? { ExclusiveStartKey: start as never } : {}),
        }),
      );
      total += ((page.Items ?? []) as unknown as Wire[]).reduce((sum, item) => sum + itemSize(item), 0);
      start = page.LastEvaluatedKey as Wire | undefined;
    } while (start);
    return total;
  }

  /** `tinyoauth_refresh_tokens` → `refresh_tokens`. */
  short(table: string): string {
    return table.startsWith(this.prefix) ? table.slice(this.prefix.length) : table;
  }

  /** The global secondary indexes functions/contract/tables.ts defines for a physical table. */
  indexesOf(table: string): IndexDefinition[] {
    const name = this.short(table);
    return Object.values(tables).find((definition) => definition.name === name)?.indexes ?? [];
  }
}
