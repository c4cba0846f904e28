/**
 * The project's DynamoDB client, instrumented twice: its own `onRequest` hook counts every HTTP request
 * with its latency and the capacity DynamoDB reports, and every API call is kept with its input and
 * output, from which bench/billing.ts computes what AWS would bill for it.
 */
import {
  DynamoDb,
  DynamoDbError,
  type DynamoDbOptions,
  type Item,
  type RequestRecord,
} from '#adapters/aws/dynamodb';

export interface CallRecord {
  operation: string;
  /** The wire-format input, as the client built it. */
  input: Record<string, unknown>;
  output?: Record<string, unknown>;
  /** The exception name when DynamoDB refused the call. */
  error?: string;
  /** The item as it was, when a failed condition returned it. */
  failedItem?: Item;
}

export interface Mark {
  requests: number;
  calls: number;
}

export class MeteredDynamoDb extends DynamoDb {
  readonly requests: RequestRecord[];
  readonly calls: CallRecord[] = [];

  constructor(options: Omit<DynamoDbOptions, 'onRequest'>) {
    const requests: RequestRecord[] = [];
    super({ ...options, onRequest: (record) => requests.push(record) });
    this.requests = requests;
  }

  override async call<T = Record<string, unknown>>(
    operation: string,
    input: Record<string, unknown>,
  ): Promise<T> {
    const record: CallRecord = { operation, input };
    this.calls.push(record);
    try {
      const output = await super.call<T>(operation, input);
      record.output = output as Record<string, unknown>;
      return output;
    } catch (error) {
      record.error = error instanceof DynamoDbError ? error.type : (error as Error).name;
      if (error instanceof DynamoDbError && error.item) record.failedItem = error.item;
      throw error;
    }
  }

  mark(): Mark {
    return { requests: this.requests.length, calls: this.calls.length };
  }

  since(mark: Mark): { requests: RequestRecord[]; calls: CallRecord[] } {
    return { requests: this.requests.slice(mark.requests), calls: this.calls.slice(mark.calls) };
  }
}
