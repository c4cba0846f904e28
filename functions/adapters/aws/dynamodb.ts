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

export type Item = Record<string, unknown>;
type AttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> }
  | { SS: string[] };
type Wire = Record<string, AttributeValue>;

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

export function marshall(value: unknown): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('DynamoDB numbers must be finite');
    return { N: String(value) };
  }
  if (typeof value === 'boolean') return { BOOL: value };
  if (value instanceof Set) return { SS: [...value].map(String) };
  if (Array.isArray(value)) return { L: value.map(marshall) };
  if (typeof value === 'object') return { M: marshallItem(value as Item) };
  throw new TypeError(`Cannot store a ${typeof value} in DynamoDB`);
}

export function marshallItem(item: Item): Wire {
  const out: Wire = {};
  for (const [key, value] of Object.entries(item)) if (value !== undefined) out[key] = marshall(value);
  return out;
}

export function unmarshall(value: AttributeValue): unknown {
  if ('S' in value) return value.S;
  if ('N' in value) return Number(value.N);
  if ('BOOL' in value) return value.BOOL;
  if ('NULL' in value) return null;
  if ('L' in value) return value.L.map(unmarshall);
  if ('M' in value) return unmarshallItem(value.M);
  if ('SS' in value) return new Set(value.SS);
  throw new TypeError(`Unsupported DynamoDB attribute type ${Object.keys(value).join(',')}`);
}

export function unmarshallItem(wire: Wire): Item {
  const out: Item = {};
  for (const [key, value] of Object.entries(wire)) out[key] = unmarshall(value);
  return out;
}

/** What one request to DynamoDB cost; the benchmarks count these instead of estimating. */
export interface RequestRecord {
  operation: string;
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

export interface Condition {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
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

function encodeCondition<T extends Condition>(
  input: T,
): Omit<T, 'ExpressionAttributeValues'> & { ExpressionAttributeValues?: Wire } {
  const { ExpressionAttributeValues, ...rest } = input;
  return ExpressionAttributeValues
    ? { ...rest, ExpressionAttributeValues: marshallItem(ExpressionAttributeValues) }
    : rest;
}

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
      this.record(operation, started, payload);
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

  private record(operation: string, started: number, payload: Record<string, unknown>): void {
    if (!this.onRequest) return;
    const consumed = payload.ConsumedCapacity as
      | { CapacityUnits?: number }
      | { CapacityUnits?: number }[]
      | undefined;
    const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
    const capacityUnits = list.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
    this.onRequest({ operation, milliseconds: performance.now() - started, capacityUnits });
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

function projection(attributes: string[] | undefined): {
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
} {
  if (!attributes || attributes.length === 0) return {};
  const names: Record<string, string> = {};
  attributes.forEach((name, index) => {
    names[`#p${index}`] = name;
  });
  return { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names };
}

function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(1000, 50 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
