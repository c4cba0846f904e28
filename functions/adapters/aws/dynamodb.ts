/**
 * The functions' DynamoDB client: the AWS SDK's `DynamoDBDocumentClient` (plain JavaScript values in
 * and out) over a `DynamoDBClient` with the settings of client-settings.ts, and the few SDK exceptions
 * the stores turn into domain results. Throttling, timeouts and server faults that outlast the retries
 * reach the stores already as `AwsUnavailable` (unavailable.ts), so no store has to think of them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isLoopbackHost } from '#core/loopback';
import { awsClientConfig } from './client-settings.ts';
import { type RequestRecord, recordRequests } from './request-recorder.ts';
import { translateUnavailable } from './unavailable.ts';

export type { RequestRecord };
export type DynamoDb = DynamoDBDocumentClient;
export type Item = Record<string, unknown>;

export interface DynamoDbOptions {
  region: string;
  /** DYNAMODB_ENDPOINT; otherwise the SDK resolves it (partition, FIPS, dual-stack, AWS_ENDPOINT_URL*). */
  endpoint?: string | undefined;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Per attempt; AWS_CLIENT_SETTINGS' by default (client-settings.ts says when to give another). */
  requestTimeoutMs?: number | undefined;
  /** Tests and the benchmark: hears of every call (request-recorder.ts). */
  onRequest?: (record: RequestRecord) => void;
}

/**
 * DynamoDB Local accepts any credentials, so a run against one on this machine needs none configured;
 * any other endpoint gets the SDK's own credential chain.
 */
function credentialsFor(options: DynamoDbOptions): DynamoDbOptions['credentials'] {
  if (options.credentials) return options.credentials;
  if (!options.endpoint || !isLoopbackHost(new URL(options.endpoint).hostname)) return undefined;
  return { accessKeyId: 'local', secretAccessKey: 'local' };
}

export function createDynamoDb(options: DynamoDbOptions): DynamoDb {
  const credentials = credentialsFor(options);
  const client = new DynamoDBClient({
    ...awsClientConfig(options),
    ...(credentials ? { credentials } : {}),
  });
  translateUnavailable(client.middlewareStack, 'DynamoDB');
  if (options.onRequest) recordRequests(client.middlewareStack, options.onRequest);
  // Attributes set to undefined are left out, as DynamoDB has no such type.
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

type WireItem = Parameters<typeof unmarshall>[0];

/** A condition failed; with ReturnValuesOnConditionCheckFailure, `item` is the item as it was. */
export function conditionFailure(error: unknown): { item: Item | undefined } | undefined {
  const { name, Item } = (error ?? {}) as { name?: string; Item?: WireItem };
  if (name !== 'ConditionalCheckFailedException') return undefined;
  return { item: Item ? unmarshall(Item) : undefined };
}

export interface CancellationReason {
  Code: string;
  Item?: Item;
}

/** A cancelled transaction's reasons, one per action in request order (`None` where it passed). */
export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  const { name, CancellationReasons } = (error ?? {}) as {
    name?: string;
    CancellationReasons?: { Code?: string; Item?: WireItem }[];
  };
  if (name !== 'TransactionCanceledException') return undefined;
  return (CancellationReasons ?? []).map((reason) => ({
    Code: reason.Code ?? 'None',
    ...(reason.Item ? { Item: unmarshall(reason.Item) } : {}),
  }));
}
