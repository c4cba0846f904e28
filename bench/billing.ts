/**
 * What AWS bills for DynamoDB calls in on-demand mode, computed from the operation and the items
 * (sized by bench/item-size.ts), because DynamoDB Local's ConsumedCapacity does not follow the service's
 * rules (it charges nothing for absent items, for instance).
 *
 * Read request units (RRU) per item: ⌈size / 4 KB⌉ × (1 strongly consistent, ½ eventually consistent), at
 * least that minimum for an absent item. GetItem and each key of a BatchGetItem count separately; a Query
 * rounds the summed size of the items it reads once (at least the minimum when it finds none). The size is
 * that of the stored item: projecting fewer attributes does not reduce it.
 *
 * Write request units (WRU): ⌈size / 1 KB⌉, at least 1, where size is the larger of the item before and
 * after the write. Inside TransactWriteItems every action costs twice that, ConditionCheck included (it
 * is charged on the item it reads). A write whose condition fails costs the same as one that succeeds.
 * Every global secondary index the write changes costs ⌈entry size / 1 KB⌉ more (two writes when the
 * index key itself changes), never doubled by a transaction; the indexes here project ALL, so an entry is
 * the size of the item, and an item without the index key attributes is not in the index.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import { itemSize, type Wire } from './item-size.ts';
import type { CallRecord } from './metered-dynamodb.ts';
import type { IndexDefinition, StoredItems } from './stored-items.ts';

const readUnits = (bytes: number, consistent: boolean) =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

export interface BilledCall {
  operation: string;
  /** Table (without prefix) and, for transactions, the action per item. */
  targets: string[];
  readUnits: number;
  /** All write units, those of the indexes included. */
  writeUnits: number;
  /** The part of `writeUnits` spent on global secondary indexes. */
  indexWriteUnits: number;
}

type Bill = Omit<BilledCall, 'operation'>;
type Biller = (call: CallRecord, items: StoredItems) => Promise<Bill>;

const read = (targets: string[], units: number): Bill => ({
  targets,
  readUnits: units,
  writeUnits: 0,
  indexWriteUnits: 0,
});
const write = (targets: string[], tableUnits: number, indexUnits: number): Bill => ({
  targets,
  readUnits: 0,
  writeUnits: tableUnits + indexUnits,
  indexWriteUnits: indexUnits,
});

const tableOf = (call: CallRecord) => String(call.input.TableName ?? '');
// Inputs and failed items are recorded in wire form; outputs as the document client returns them.
const wire = (item: unknown): Wire | undefined =>
  item === undefined ? undefined : (marshall(item as Record<string, unknown>) as unknown as Wire);
const consistency = (consistent: unknown) => (consistent ? ' (consistent)' : '');

const inIndex = (item: Wire | undefined, index: IndexDefinition): item is Wire =>
  item !== undefined && index.partitionKey in item && (!index.sortKey || index.sortKey in item);

/**
 * Index write units of one item write, from the item before and after it (undefined: absent). An update
 * that names an index key attribute moves the entry: a delete and a put.
 */
function indexWriteUnits(
  indexes: readonly IndexDefinition[],
  before: Wire | undefined,
  after: Wire | undefined,
  updateExpression?: string,
): number {
  let units = 0;
  for (const index of indexes) {
    const was = inIndex(before, index);
    const is = inIndex(after, index);
    if (was && is) {
      const keyMoved = [index.partitionKey, index.sortKey].some(
        (key) =>
          key !== undefined &&
          updateExpression !== undefined &&
          new RegExp(`\\b${key}\\b`).test(updateExpression),
      );
      units += keyMoved
        ? writeUnits(itemSize(before)) + writeUnits(itemSize(after))
        : writeUnits(Math.max(itemSize(before), itemSize(after)));
    } else if (was) units += writeUnits(itemSize(before));
    else if (is) units += writeUnits(itemSize(after));
  }
  return units;
}

const hasKey = (item: Wire, key: Wire): boolean =>
  Object.entries(key).every(([name, value]) => JSON.stringify(item[name]) === JSON.stringify(value));

const billGetItem: Biller = async (call, items) => {
  const { input, output } = call;
  const table = tableOf(call);
  const bytes = input.ProjectionExpression
    ? await items.sizeOf(table, input.Key as Wire)
    : itemSize(wire(output?.Item) ?? {});
  const consistent = input.ConsistentRead === true;
  return read([`${items.short(table)}${consistency(consistent)}`], readUnits(bytes, consistent));
};

type BatchGetRequest = { Keys: Wire[]; ConsistentRead?: boolean; ProjectionExpression?: string };

const billBatchGetItem: Biller = async ({ input, output }, items) => {
  let units = 0;
  const targets: string[] = [];
  const responses = Object.fromEntries(
    Object.entries((output?.Responses ?? {}) as Record<string, unknown[]>).map(([table, found]) => [
      table,
      found.map((item) => wire(item) as Wire),
    ]),
  );
  for (const [name, request] of Object.entries(input.RequestItems as Record<string, BatchGetRequest>)) {
    targets.push(`${items.short(name)}${consistency(request.ConsistentRead)}`);
    for (const key of request.Keys) {
      const returned = (responses[name] ?? []).find((item) => hasKey(item, key));
      const bytes =
        request.ProjectionExpression || !returned ? await items.sizeOf(name, key) : itemSize(returned);
      units += readUnits(bytes, request.ConsistentRead === true);
    }
  }
  return read(targets, units);
};

const billQuery: Biller = async (call, items) => {
  const { input } = call;
  const index = input.IndexName ? `.${String(input.IndexName)}` : '';
  return read(
    [`${items.short(tableOf(call))}${index}`],
    readUnits(await items.sizeOfQuery(input), input.ConsistentRead === true),
  );
};

const billPutItem: Biller = async (call, items) => {
  // Every Put here creates its item (conditionally) or writes one no earlier item can hold.
  const item = call.input.Item as Wire;
  const after = call.error ? undefined : item;
  const table = tableOf(call);
  return write(
    [items.short(table)],
    writeUnits(itemSize(item)),
    indexWriteUnits(items.indexesOf(table), call.failedItem as Wire | undefined, after),
  );
};

const billUpdateItem: Biller = async (call, items) => {
  // Without ReturnValues the output has no item: as billing runs right after the step, the stored item
  // is the item after the update.
  const after =
    wire(call.output?.Attributes) ??
    (call.error ? undefined : await items.get(tableOf(call), call.input.Key as Wire));
  // The item before a successful update is unknown: updates here only set attributes, so it was no
  // larger than after; its index entry, if any, is rewritten.
  const before = (call.failedItem as Wire | undefined) ?? after;
  const table = tableOf(call);
  return write(
    [items.short(table)],
    writeUnits(Math.max(after ? itemSize(after) : 0, before ? itemSize(before) : 0)),
    call.error
      ? 0
      : indexWriteUnits(items.indexesOf(table), before, after, String(call.input.UpdateExpression)),
  );
};

const billDeleteItem: Biller = async (call, items) => {
  const before = wire(call.output?.Attributes) ?? (call.failedItem as Wire | undefined);
  const table = tableOf(call);
  return write(
    [items.short(table)],
    writeUnits(before ? itemSize(before) : 0),
    call.error ? 0 : indexWriteUnits(items.indexesOf(table), before, undefined),
  );
};

/** One action of a TransactWriteItems: twice its table units; its index units when the call succeeded. */
async function billTransactAction(options: {
  kind: string;
  body: Record<string, unknown>;
  failed: boolean;
  items: StoredItems;
}): Promise<{ tableUnits: number; indexUnits: number }> {
  const { kind, body, failed, items } = options;
  const name = String(body.TableName);
  const indexes = items.indexesOf(name);
  if (kind === 'Put') {
    const item = body.Item as Wire;
    return {
      tableUnits: 2 * writeUnits(itemSize(item)),
      indexUnits: failed ? 0 : indexWriteUnits(indexes, undefined, item),
    };
  }
  // Gone by now: its size is unknown, so the one-unit minimum is counted (no table deleted from in a
  // transaction here has an index).
  if (kind === 'Delete') return { tableUnits: 2 * writeUnits(0), indexUnits: 0 };
  // Update and ConditionCheck: the stored item, after the step.
  const stored = await items.get(name, body.Key as Wire);
  const updated = kind === 'Update' && !failed;
  return {
    tableUnits: 2 * writeUnits(stored ? itemSize(stored) : 0),
    indexUnits: updated ? indexWriteUnits(indexes, stored, stored, String(body.UpdateExpression)) : 0,
  };
}

const billTransactWriteItems: Biller = async (call, items) => {
  let tableUnits = 0;
  let indexUnits = 0;
  const targets: string[] = [];
  for (const action of call.input.TransactItems as Record<string, Record<string, unknown>>[]) {
    const [kind, body] = Object.entries(action)[0] as [string, Record<string, unknown>];
    targets.push(`${kind} ${items.short(String(body.TableName))}`);
    const units = await billTransactAction({ kind, body, failed: Boolean(call.error), items });
    tableUnits += units.tableUnits;
    indexUnits += units.indexUnits;
  }
  return write(targets, tableUnits, indexUnits);
};

const BILLERS = new Map<string, Biller>([
  ['GetItem', billGetItem],
  ['BatchGetItem', billBatchGetItem],
  ['Query', billQuery],
  ['PutItem', billPutItem],
  ['UpdateItem', billUpdateItem],
  ['DeleteItem', billDeleteItem],
  ['TransactWriteItems', billTransactWriteItems],
]);

/**
 * The request units AWS bills for one call, read right after the step that made it: an item a later call
 * of the same step changed is seen as it is after that change (its size can only have grown, by a few
 * bytes, which crosses a 1 KB or 4 KB boundary only for items near one; none here are).
 */
export async function billCall(call: CallRecord, items: StoredItems): Promise<BilledCall> {
  const biller = BILLERS.get(call.operation);
  if (!biller) throw new Error(`No billing rule for DynamoDB ${call.operation}`);
  return { operation: call.operation, ...(await biller(call, items)) };
}
