/**
 * The size DynamoDB bills an item by (developer guide, "Capacity unit consumption" and "Item sizes and
 * formats"): the sum over attributes of the UTF-8 length of the name plus the value: a string its UTF-8
 * length, a number ⌈significant digits / 2⌉ + 1, a boolean or null 1, a set the sum of its elements, a
 * list or map 3 + Σ elements + 1 per element (map keys count like attribute names).
 */

/** An item in DynamoDB's wire format: `{ name: { S: 'value' } }`. */
export type Wire = Record<string, Record<string, unknown>>;

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
