/**
 * An SDK middleware that reports every DynamoDB call with its input as sent (DynamoDB's typed wire form,
 * after the document client marshalled it) and its output as the caller gets it, its latency, the capacity
 * DynamoDB reports and the HTTP attempts it took. The benchmarks count and price requests from these
 * records instead of estimating, and a test derives from `input` the IAM actions each function needs.
 * Only tests and the benchmark add it; deployed functions never do.
 */
import type { BuildMiddleware, InitializeMiddleware, MetadataBearer, MiddlewareStack } from '@smithy/types';

export type WireItem = Record<string, Record<string, unknown>>;

export interface RequestRecord {
  /** The API operation, e.g. `GetItem`, `TransactWriteItems`. */
  operation: string;
  /** The input in wire form, e.g. `TableName`, `IndexName`, `RequestItems`, `TransactItems`. */
  input: Readonly<Record<string, unknown>>;
  /** The output, when the call succeeded (plain values: the document client unmarshals below this step). */
  output?: Readonly<Record<string, unknown>>;
  /** The exception name, when it failed. */
  error?: string;
  /** The item as it was, when a failed condition returned it (`ReturnValuesOnConditionCheckFailure`). */
  failedItem?: WireItem;
  /** `performance.now()` when the call began: calls a step makes at once overlap, and are ordered by it. */
  startedAt: number;
  milliseconds: number;
  /** What DynamoDB reported it consumed, over every table of the call. */
  capacityUnits: number;
  /** HTTP requests made, retries included. */
  attempts: number;
}

/** The operations that can report consumed capacity. */
const METERED = new Set([
  'GetItem',
  'BatchGetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchWriteItem',
  'TransactWriteItems',
  'TransactGetItems',
]);

const operationOf = (context: { commandName?: string }) =>
  String(context.commandName ?? '').replace(/Command$/, '');

/** What a response reports it consumed: one entry, or one per table of a batch or transaction. */
function capacityUnitsOf(output: Record<string, unknown> | undefined): number {
  const consumed = output?.ConsumedCapacity as { CapacityUnits?: number } | { CapacityUnits?: number }[];
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
}

function failureOf(error: unknown): Pick<RequestRecord, 'error' | 'failedItem' | 'attempts'> {
  const { name, Item, $metadata } = error as { name?: string; Item?: WireItem } & Partial<MetadataBearer>;
  return {
    error: name ?? 'Error',
    ...(Item ? { failedItem: Item } : {}),
    attempts: $metadata?.attempts ?? 1,
  };
}

export function recordRequests<Input extends object, Output extends object>(
  stack: MiddlewareStack<Input, Output>,
  onRequest: (record: RequestRecord) => void,
): void {
  const askForCapacity: InitializeMiddleware<Input, Output> = (next, context) => (args) => {
    if (!METERED.has(operationOf(context))) return next(args);
    return next({ ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } });
  };
  // After serialisation's marshalling and around the retries: the wire form, once per call.
  const record: BuildMiddleware<Input, Output> = (next, context) => async (args) => {
    const operation = operationOf(context);
    const input = args.input as Record<string, unknown>;
    const started = performance.now();
    try {
      const result = await next(args);
      const output = result.output as Record<string, unknown> & Partial<MetadataBearer>;
      onRequest({
        operation,
        input,
        output,
        startedAt: started,
        milliseconds: performance.now() - started,
        capacityUnits: capacityUnitsOf(output),
        attempts: output.$metadata?.attempts ?? 1,
      });
      return result;
    } catch (error) {
      onRequest({
        operation,
        input,
        startedAt: started,
        milliseconds: performance.now() - started,
        capacityUnits: 0,
        ...failureOf(error),
      });
      throw error;
    }
  };
  stack.add(askForCapacity, { step: 'initialize', name: 'tinyoauthAskForCapacity' });
  stack.add(record, { step: 'build', priority: 'low', name: 'tinyoauthRecordRequests' });
}
