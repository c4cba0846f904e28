import { describe, expect, it } from 'vitest';
import { iamActionsOf } from '#adapters/aws/iam-actions';

const key = { id: { S: 'x' } };

describe('iamActionsOf', () => {
  it.each(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan'])(
    'needs %s on the table of a single-table request',
    (operation) => {
      expect(iamActionsOf(operation, { TableName: 'users', Key: key })).toEqual([
        { table: 'users', action: operation },
      ]);
    },
  );

  it.each(['Query', 'Scan'])('needs %s on the index a request names', (operation) => {
    expect(iamActionsOf(operation, { TableName: 'clients', IndexName: 'byOwner' })).toEqual([
      { table: 'clients', action: operation, index: 'byOwner' },
    ]);
  });

  it.each(['BatchGetItem', 'BatchWriteItem'])('needs %s on every table of the batch', (operation) => {
    const RequestItems = { grants: { Keys: [key] }, sessions: { Keys: [key] } };
    expect(iamActionsOf(operation, { RequestItems })).toEqual([
      { table: 'grants', action: operation },
      { table: 'sessions', action: operation },
    ]);
  });

  it('authorises a write transaction per contained action, never as TransactWriteItems', () => {
    const TransactItems = [
      { Update: { TableName: 'codes', Key: key, UpdateExpression: 'SET a = :a' } },
      { ConditionCheck: { TableName: 'clients', Key: key, ConditionExpression: 'attribute_exists(id)' } },
      { Put: { TableName: 'grants', Item: key } },
      { Delete: { TableName: 'login_attempts', Key: key } },
    ];
    expect(iamActionsOf('TransactWriteItems', { TransactItems })).toEqual([
      { table: 'codes', action: 'UpdateItem' },
      { table: 'clients', action: 'ConditionCheckItem' },
      { table: 'grants', action: 'PutItem' },
      { table: 'login_attempts', action: 'DeleteItem' },
    ]);
  });

  it('authorises a read transaction as GetItem per item', () => {
    const TransactItems = [
      { Get: { TableName: 'users', Key: key } },
      { Get: { TableName: 'sessions', Key: key } },
    ];
    expect(iamActionsOf('TransactGetItems', { TransactItems })).toEqual([
      { table: 'users', action: 'GetItem' },
      { table: 'sessions', action: 'GetItem' },
    ]);
  });

  it('names any other table operation after itself', () => {
    expect(iamActionsOf('DescribeTable', { TableName: 'users' })).toEqual([
      { table: 'users', action: 'DescribeTable' },
    ]);
  });

  it.each([
    ['ListTables', {}, 'ListTables names no table'],
    ['GetItem', { Key: key }, 'GetItem names no table'],
    ['BatchGetItem', {}, 'BatchGetItem has no RequestItems'],
    ['TransactWriteItems', {}, 'TransactWriteItems has no TransactItems'],
    ['TransactWriteItems', { TransactItems: [{ Get: { TableName: 'users' } }] }, 'cannot contain "Get"'],
    ['TransactGetItems', { TransactItems: [{ Get: { Key: key } }] }, 'TransactGetItems names no table'],
  ])('refuses %s without what it needs to be authorised', (operation, input, message) => {
    expect(() => iamActionsOf(operation, input)).toThrow(message);
  });
});
