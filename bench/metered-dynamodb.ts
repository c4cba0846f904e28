/**
 * The functions' own DynamoDB client (functions/adapters/aws/dynamodb.ts) with the request recorder
 * middleware: every call is kept with its wire-form input and output, its latency, the capacity
 * DynamoDB reports and its HTTP attempts, from which the benchmark counts requests and bench/billing.ts
 * computes what AWS would bill.
 */
import { createDynamoDb, type DynamoDb, type RequestRecord } from '#adapters/aws/dynamodb';

export type CallRecord = RequestRecord;

export class MeteredDynamoDb {
  readonly calls: CallRecord[] = [];
  readonly db: DynamoDb;

  constructor(options: { region: string; endpoint: string }) {
    this.db = createDynamoDb({ ...options, onRequest: (record) => this.calls.push(record) });
  }

  mark(): number {
    return this.calls.length;
  }

  since(mark: number): CallRecord[] {
    return this.calls.slice(mark);
  }
}

/** HTTP requests the calls made, retries included. */
export const httpRequests = (calls: readonly CallRecord[]): number =>
  calls.reduce((sum, call) => sum + call.attempts, 0);

export const reportedCapacity = (calls: readonly CallRecord[]): number =>
  calls.reduce((sum, call) => sum + call.capacityUnits, 0);
