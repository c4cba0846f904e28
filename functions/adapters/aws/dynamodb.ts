/**
 * A small DynamoDB client: the JSON protocol over node:https, signed with our own SigV4.
 * The AWS SDK's DynamoDB client alone bundles to ~340 KB and ~35 ms of cold init; this one costs a few
 * KB, which is what keeps the authorizer (on every protected request) and every endpoint small. It does
 * not use fetch, whose first use loads undici: ~20 ms more on every cold start (the README's Performance section).
 */

import type { HttpResponse } from '#adapters/http-client';
import { DependencyUnavailable } from '#core/errors';
import { type AwsJsonApi, postAwsJson } from './aws-json.ts';
import { environmentCredentials } from './aws-signature.ts';
import {
  type Condition,
  encodeCondition,
  type Item,
  marshallItem,
  projection,
  unmarshallItem,
  type Wire,
} from './marshalling.ts';

// Callers hand the client plain items and conditions; bench/billing.ts prices items in their wire form.
export { type Condition, type Item, marshallItem };

/** A DynamoDB error response other than throttling or a server fault. */
export class DynamoDbError extends Error {
  override readonly name = 'DynamoDbError';
  constructor(
    /** The exception name, e.g. `ConditionalCheckFailedException`. */
    readonly type: string,
    message: string,
    /** The item as it was, when the request asked for it on a failed condition. */
    readonly item?: Item,
    /** Per-action reasons of a cancelled transaction, in request order (`None` where it passed). */
    readonly cancellationReasons?: { Code: string; Item?: Item }[],
  ) {
    super(`${type}: ${message}`);
  }
}

/** Throttling, a 5xx or an unreachable endpoint that outlasted the retries. */
export class DynamoDbUnavailable extends DependencyUnavailable {
  override readonly name = 'DynamoDbUnavailable';
}

export const isConditionFailure = (error: unknown): error is DynamoDbError =>
  error instanceof DynamoDbError && error.type === 'ConditionalCheckFailedException';

export const isCancelledTransaction = (error: unknown): error is DynamoDbError =>
  error instanceof DynamoDbError && error.type === 'TransactionCanceledException';

/**
 * One request to DynamoDB, as an AWS SDK middleware would see it (the command's name without `Command`,
 * its input as sent): the benchmarks count cost and latency from these instead of estimating, and a test
 * derives from `input` the IAM actions each function needs.
 */
export interface RequestRecord {
  operation: string;
  /** The operation's input in wire form, e.g. `TableName`, `IndexName`, `RequestItems`, `TransactItems`. */
  input: Readonly<Record<string, unknown>>;
  milliseconds: number;
  capacityUnits: number;
}

export interface DynamoDbOptions {
  region: string;
  endpoint?: string | undefined;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined };
  maxAttempts?: number;
  onRequest?: (record: RequestRecord) => void;
}

export type TransactAction =
  | { Put: { TableName: string; Item: Item } & Condition }
  | { Update: { TableName: string; Key: Item; UpdateExpression: string } & Condition }
  | { Delete: { TableName: string; Key: Item } & Condition }
  | { ConditionCheck: { TableName: string; Key: Item } & Condition };

const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'LimitExceededException',
]);

export class DynamoDb {
  private readonly api: AwsJsonApi;
  private readonly maxAttempts: number;
  private readonly onRequest: ((record: RequestRecord) => void) | undefined;

  constructor(options: DynamoDbOptions) {
    this.api = {
      url: new URL(options.endpoint ?? `https://dynamodb.${options.region}.amazonaws.com`),
      service: 'dynamodb',
      region: options.region,
      // DynamoDB Local accepts any credentials, so a local run needs none configured.
      credentials: options.credentials ?? environmentCredentials(process.env, 'local'),
      contentType: 'application/x-amz-json-1.0',
      targetPrefix: 'DynamoDB_20120810',
    };
    this.maxAttempts = options.maxAttempts ?? 3;
    this.onRequest = options.onRequest;
  }

  /** One DynamoDB API call in its wire form; retried with jittered backoff when throttled or faulty. */
  async call<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T> {
    const body = JSON.stringify(this.onRequest ? { ...input, ReturnConsumedCapacity: 'TOTAL' } : input);
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      let response: HttpResponse;
      try {
        response = await postAwsJson(this.api, operation, body);
      } catch (error) {
        if (attempt < this.maxAttempts) {
          await backoff(attempt);
          continue;
        }
        throw new DynamoDbUnavailable(`DynamoDB ${operation} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      const payload = response.text ? (JSON.parse(response.text) as Record<string, unknown>) : {};
      this.onRequest?.({
        operation,
        input,
        milliseconds: performance.now() - started,
        capacityUnits: capacityUnitsOf(payload),
      });
      if (response.status >= 200 && response.status < 300) return payload as T;

      const type =
        String(payload.__type ?? '')
          .split('#')
          .pop() || `HTTP${response.status}`;
      const message = String(payload.message ?? payload.Message ?? '');
      if (response.status >= 500 || RETRYABLE.has(type)) {
        if (attempt < this.maxAttempts) {
          await backoff(attempt);
          continue;
        }
        throw new DynamoDbUnavailable(`DynamoDB ${operation} failed: ${type}: ${message}`);
      }
      const item = payload.Item ? unmarshallItem(payload.Item as Wire) : undefined;
      const reasons = (payload.CancellationReasons as { Code: string; Item?: Wire }[] | undefined)?.map(
        (reason) => ({
          Code: reason.Code,
          ...(reason.Item ? { Item: unmarshallItem(reason.Item) } : {}),
        }),
      );
      throw new DynamoDbError(type, message, item, reasons);
    }
  }

  async get(TableName: string, Key: Item, options: { consistent?: boolean; projection?: string[] } = {}) {
    const result = await this.call<{ Item?: Wire }>('GetItem', {
      TableName,
      Key: marshallItem(Key),
      ConsistentRead: options.consistent ?? false,
      ...projection(options.projection),
    });
    return result.Item ? unmarshallItem(result.Item) : undefined;
  }

  /** Several items of several tables in one round trip; unprocessed keys are retried. */
  async batchGet(
    requests: Record<string, { keys: Item[]; consistent?: boolean; projection?: string[] }>,
  ): Promise<Record<string, Item[]>> {
    const out: Record<string, Item[]> = {};
    let pending: Record<string, unknown> = {};
    for (const [table, request] of Object.entries(requests)) {
      out[table] = [];
      pending[table] = {
        Keys: request.keys.map(marshallItem),
        ConsistentRead: request.consistent ?? false,
        ...projection(request.projection),
      };
    }
    for (let attempt = 1; Object.keys(pending).length > 0; attempt++) {
      const result = await this.call<{
        Responses?: Record<string, Wire[]>;
        UnprocessedKeys?: Record<string, unknown>;
      }>('BatchGetItem', { RequestItems: pending });
      for (const [table, items] of Object.entries(result.Responses ?? {}))
        out[table]?.push(...items.map(unmarshallItem));
      pending = result.UnprocessedKeys ?? {};
      if (Object.keys(pending).length > 0) {
        if (attempt >= this.maxAttempts)
          throw new DynamoDbUnavailable('DynamoDB BatchGetItem left keys unprocessed');
        await backoff(attempt);
      }
    }
    return out;
  }

  async put(TableName: string, Item: Item, condition: Condition = {}): Promise<void> {
    await this.call('PutItem', { TableName, Item: marshallItem(Item), ...encodeCondition(condition) });
  }

  /**
   * An UpdateItem; returns the item after the update. A failed condition throws a DynamoDbError whose
   * `item` is the item as it was, so callers can tell "absent" from "already used" without a read.
   */
  async update(
    TableName: string,
    Key: Item,
    UpdateExpression: string,
    condition: Condition = {},
  ): Promise<Item> {
    const result = await this.call<{ Attributes?: Wire }>('UpdateItem', {
      TableName,
      Key: marshallItem(Key),
      UpdateExpression,
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      ...encodeCondition(condition),
    });
    return result.Attributes ? unmarshallItem(result.Attributes) : {};
  }

  /** Deletes an item; returns it as it was, or undefined if there was none. */
  async delete(TableName: string, Key: Item, condition: Condition = {}): Promise<Item | undefined> {
    const result = await this.call<{ Attributes?: Wire }>('DeleteItem', {
      TableName,
      Key: marshallItem(Key),
      ReturnValues: 'ALL_OLD',
      ...encodeCondition(condition),
    });
    return result.Attributes ? unmarshallItem(result.Attributes) : undefined;
  }

  async query(
    TableName: string,
    input: {
      IndexName?: string;
      KeyConditionExpression: string;
      FilterExpression?: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues: Item;
      Limit?: number;
      projection?: string[];
    },
  ): Promise<Item[]> {
    const { ExpressionAttributeValues, projection: attributes, ...rest } = input;
    const items: Item[] = [];
    let ExclusiveStartKey: Wire | undefined;
    do {
      const projected = projection(attributes);
      const result = await this.call<{ Items?: Wire[]; LastEvaluatedKey?: Wire }>('Query', {
        TableName,
        ...rest,
        ...projected,
        ExpressionAttributeNames: { ...rest.ExpressionAttributeNames, ...projected.ExpressionAttributeNames },
        ExpressionAttributeValues: marshallItem(ExpressionAttributeValues),
        ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
      });
      items.push(...(result.Items ?? []).map(unmarshallItem));
      ExclusiveStartKey = result.LastEvaluatedKey;
    } while (ExclusiveStartKey && (input.Limit === undefined || items.length < input.Limit));
    return items;
  }

  /** All-or-nothing writes (up to 100 actions). A failed condition throws with `cancellationReasons`. */
  async transactWrite(actions: TransactAction[]): Promise<void> {
    const TransactItems = actions.map((action) => {
      const [kind, input] = Object.entries(action)[0] as [string, Record<string, unknown> & Condition];
      const encoded: Record<string, unknown> = { ...encodeCondition(input) };
      if (input.Item) encoded.Item = marshallItem(input.Item as Item);
      if (input.Key) encoded.Key = marshallItem(input.Key as Item);
      if (kind !== 'Put' || input.ConditionExpression)
        encoded.ReturnValuesOnConditionCheckFailure = 'ALL_OLD';
      return { [kind]: encoded };
    });
    await this.call('TransactWriteItems', { TransactItems });
  }
}

/** What a response reports it consumed: one entry, or one per table of a batch or transaction. */
function capacityUnitsOf(payload: Record<string, unknown>): number {
  const consumed = payload.ConsumedCapacity as
    | { CapacityUnits?: number }
    | { CapacityUnits?: number }[]
    | undefined;
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
}

function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(1000, 50 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
