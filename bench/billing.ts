/**
 * What AWS bills for DynamoDB calls in on-demand mode, computed from the operation and the items,
 * because DynamoDB Local's ConsumedCapacity does not follow the service's rules (it charges nothing for
 * absent items, for instance).
 *
 * Item size (developer guide, "Capacity unit consumption" and "Item sizes and formats"): the sum over
 * attributes of the UTF-8 length of the name plus the value: a string its UTF-8 length, a number
 * ⌈significant digits / 2⌉ + 1, a boolean or null 1, a set the sum of its elements, a list or map
 * 3 + Σ elements + 1 per element (map keys count like attribute names).
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
import { type DynamoDb, type Item, marshallItem } from '#adapters/aws/dynamodb';
import { type TableDefinition, tables } from '#contract/tables';
import type { CallRecord } from './metered-dynamodb.ts';

type Wire = Record<string, Record<string, unknown>>;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

function numberSize(text: string): number {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function valueSize(value: Record<string, unknown>): number {
  if ('S' in value) return utf8(String(value.S));
  if ('N' in value) return numberSize(String(value.N));
  if ('B' in value) return Buffer.from(String(value.B), 'base64').length;
  if ('BOOL' in value || 'NULL' in value) return 1;
  if ('SS' in value) return (value.SS as string[]).reduce((sum, entry) => sum + utf8(entry), 0);
  if ('NS' in value) return (value.NS as string[]).reduce((sum, entry) => sum + numberSize(entry), 0);
  if ('L' in value) {
    const list = value.L as Record<string, unknown>[];
    return 3 + list.reduce((sum, entry) => sum + valueSize(entry) + 1, 0);
  }
  if ('M' in value) {
    const map = Object.entries(value.M as Wire);
    return 3 + map.reduce((sum, [name, entry]) => sum + utf8(name) + valueSize(entry) + 1, 0);
  }
  throw new TypeError(`Unknown DynamoDB value ${JSON.stringify(value)}`);
}

/** The size DynamoDB bills an item by, in bytes. */
export function itemSize(item: Wire): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);
}

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

type IndexDefinition = NonNullable<TableDefinition['indexes']>[number];

/** Reads stored items unmetered, for the sizes behind projected reads, transactions and index writes. */
export class StoredItems {
  constructor(
    private readonly db: DynamoDb,
    private readonly prefix: string,
  ) {}

  async get(table: string, key: Wire): Promise<Wire | undefined> {
    const { Item } = await this.db.call<{ Item?: Wire }>('GetItem', {
      TableName: table,
      Key: key,
      ConsistentRead: true,
    });
    return Item;
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
      const page = await this.db.call<{ Items?: Wire[]; LastEvaluatedKey?: Wire }>('Query', {
        ...rest,
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      total += (page.Items ?? []).reduce((sum, item) => sum + itemSize(item), 0);
      start = page.LastEvaluatedKey;
    } while (start);
    return total;
  }

  /** `tinyoauth_refresh_tokens` → `refresh_tokens`. */
  short(table: string): string {
    return table.startsWith(this.prefix) ? table.slice(this.prefix.length) : table;
  }

  /** The global secondary indexes infra/tables.ts defines for a physical table. */
  indexesOf(table: string): IndexDefinition[] {
    const name = this.short(table);
    return Object.values(tables).find((definition) => definition.name === name)?.indexes ?? [];
  }
}

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

/**
 * The request units AWS bills for one call, read right after the step that made it: an item a later call
 * of the same step changed is seen as it is after that change (its size can only have grown, by a few
 * bytes, which crosses a 1 KB or 4 KB boundary only for items near one; none here are).
 */
export async function billCall(call: CallRecord, items: StoredItems): Promise<BilledCall> {
  const { operation, input, output } = call;
  const table = String(input.TableName ?? '');
  const wire = (item: Item | undefined) => (item ? (marshallItem(item) as Wire) : undefined);
  const read = (targets: string[], units: number): BilledCall => ({
    operation,
    targets,
    readUnits: units,
    writeUnits: 0,
    indexWriteUnits: 0,
  });
  const write = (targets: string[], tableUnits: number, indexUnits: number): BilledCall => ({
    operation,
    targets,
    readUnits: 0,
    writeUnits: tableUnits + indexUnits,
    indexWriteUnits: indexUnits,
  });
  switch (operation) {
    case 'GetItem': {
      const bytes = input.ProjectionExpression
        ? await items.sizeOf(table, input.Key as Wire)
        : itemSize((output?.Item ?? {}) as Wire);
      const consistent = input.ConsistentRead === true;
      return read(
        [`${items.short(table)}${consistent ? ' (consistent)' : ''}`],
        readUnits(bytes, consistent),
      );
    }
    case 'BatchGetItem': {
      let units = 0;
      const targets: string[] = [];
      const requestItems = input.RequestItems as Record<
        string,
        { Keys: Wire[]; ConsistentRead?: boolean; ProjectionExpression?: string }
      >;
      const responses = (output?.Responses ?? {}) as Record<string, Wire[]>;
      for (const [name, request] of Object.entries(requestItems)) {
        targets.push(`${items.short(name)}${request.ConsistentRead ? ' (consistent)' : ''}`);
        for (const key of request.Keys) {
          const returned = (responses[name] ?? []).find((item) => hasKey(item, key));
          const bytes =
            request.ProjectionExpression || !returned ? await items.sizeOf(name, key) : itemSize(returned);
          units += readUnits(bytes, request.ConsistentRead === true);
        }
      }
      return read(targets, units);
    }
    case 'Query': {
      const index = input.IndexName ? `.${String(input.IndexName)}` : '';
      return read(
        [`${items.short(table)}${index}`],
        readUnits(await items.sizeOfQuery(input), input.ConsistentRead === true),
      );
    }
    case 'PutItem': {
      // Every Put here creates its item (conditionally) or writes one no earlier item can hold.
      const after = call.error ? undefined : (input.Item as Wire);
      return write(
        [items.short(table)],
        writeUnits(itemSize(input.Item as Wire)),
        indexWriteUnits(items.indexesOf(table), wire(call.failedItem), after),
      );
    }
    case 'UpdateItem': {
      const after = output?.Attributes as Wire | undefined;
      // The item before a successful update is unknown: updates here only set attributes, so it was no
      // larger than after; its index entry, if any, is rewritten.
      const before = wire(call.failedItem) ?? after;
      return write(
        [items.short(table)],
        writeUnits(Math.max(after ? itemSize(after) : 0, before ? itemSize(before) : 0)),
        call.error
          ? 0
          : indexWriteUnits(items.indexesOf(table), before, after, String(input.UpdateExpression)),
      );
    }
    case 'DeleteItem': {
      const before = (output?.Attributes as Wire | undefined) ?? wire(call.failedItem);
      return write(
        [items.short(table)],
        writeUnits(before ? itemSize(before) : 0),
        call.error ? 0 : indexWriteUnits(items.indexesOf(table), before, undefined),
      );
    }
    case 'TransactWriteItems': {
      let tableUnits = 0;
      let indexUnits = 0;
      const targets: string[] = [];
      for (const action of input.TransactItems as Record<string, Record<string, unknown>>[]) {
        const [kind, body] = Object.entries(action)[0] as [string, Record<string, unknown>];
        const name = String(body.TableName);
        targets.push(`${kind} ${items.short(name)}`);
        const indexes = items.indexesOf(name);
        if (kind === 'Put') {
          const item = body.Item as Wire;
          tableUnits += 2 * writeUnits(itemSize(item));
          if (!call.error) indexUnits += indexWriteUnits(indexes, undefined, item);
        } else if (kind === 'Delete') {
          // Gone by now: its size is unknown, so the one-unit minimum is counted (no table deleted from
          // in a transaction here has an index).
          tableUnits += 2 * writeUnits(0);
        } else {
          // Update and ConditionCheck: the stored item, after the step.
          const stored = await items.get(name, body.Key as Wire);
          tableUnits += 2 * writeUnits(stored ? itemSize(stored) : 0);
          if (kind === 'Update' && !call.error)
            indexUnits += indexWriteUnits(indexes, stored, stored, String(body.UpdateExpression));
        }
      }
      return write(targets, tableUnits, indexUnits);
    }
    default:
      throw new Error(`No billing rule for DynamoDB ${operation}`);
  }
}
