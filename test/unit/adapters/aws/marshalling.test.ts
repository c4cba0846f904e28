import { describe, expect, it } from 'vitest';
import { marshallItem, unmarshallItem } from '#adapters/aws/marshalling';

describe('DynamoDB marshalling', () => {
  it('round-trips every type tinyoauth stores', () => {
    const item = {
      s: 'text',
      n: 42.5,
      yes: true,
      none: null,
      list: ['a', 1, false],
      map: { nested: { deep: 'x' } },
      set: new Set(['a', 'b']),
    };
    expect(unmarshallItem(marshallItem(item))).toEqual(item);
    expect(marshallItem({ s: 'x', gone: undefined })).toEqual({ s: { S: 'x' } });
  });

  it('refuses values DynamoDB cannot hold', () => {
    expect(() => marshallItem({ n: Number.NaN })).toThrow(TypeError);
    expect(() => marshallItem({ f: () => 1 })).toThrow(TypeError);
  });
});
