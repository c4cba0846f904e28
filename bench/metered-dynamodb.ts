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

  /** The calls since `mark`, in the order they began (they are recorded as they end). */
  since(mark: number): CallRecord[] {
    return this.calls.slice(mark).sort((a, b) => a.startedAt - b.startedAt);
  }
}

/** Time spent waiting for DynamoDB: calls made at once (login's admission and user read) count once. */
export function waitingMs(calls: readonly CallRecord[]): number {
  let total = 0;
  let reached = Number.NEGATIVE_INFINITY;
  for (const call of [...calls].sort((a, b) => a.startedAt - b.startedAt)) {
    const end = call.startedAt + call.milliseconds;
    total += Math.max(0, end - Math.max(call.startedAt, reached));
    reached = Math.max(reached, end);
  }
  return total;
}

/** HTTP requests the calls made, retries included. */
export const httpRequests = (calls: readonly CallRecord[]): number =>
  calls.reduce((sum, call) => sum + call.attempts, 0);

export const reportedCapacity = (calls: readonly CallRecord[]): number =>
  calls.reduce((sum, call) => sum + call.capacityUnits, 0);
