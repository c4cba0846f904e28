/**
 * Plain values to DynamoDB's typed wire format and back (what `@aws-sdk/util-dynamodb` does, for the
 * few types tinyoauth stores: strings, finite numbers, booleans, null, lists, maps and string sets),
 * and the expression parameters that carry such values or attribute names.
 */

export type Item = Record<string, unknown>;
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> }
  | { SS: string[] };
export type Wire = Record<string, AttributeValue>;

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

/** An item's attributes, each marshalled; `undefined` attributes are left out, as DynamoDB has no such type. */
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

export interface Condition {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

/** A condition with its values in wire form. */
export function encodeCondition<T extends Condition>(
  input: T,
): Omit<T, 'ExpressionAttributeValues'> & { ExpressionAttributeValues?: Wire } {
  const { ExpressionAttributeValues, ...rest } = input;
  return ExpressionAttributeValues
    ? { ...rest, ExpressionAttributeValues: marshallItem(ExpressionAttributeValues) }
    : rest;
}

/** The expression and name placeholders that make a read return only `attributes`. */
export function projection(attributes: string[] | undefined): {
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
