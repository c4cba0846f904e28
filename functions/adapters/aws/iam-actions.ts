/**
 * Which IAM actions a DynamoDB request needs, from its operation and its input as the SDK sends it (the
 * request recorder's records, request-recorder.ts). IAM authorises batches per table and
 * transactions per contained action: a TransactWriteItems with a Put on `grants` needs
 * `dynamodb:PutItem` on `grants`, not an action named after the transaction.
 * A test compares these with the policies of infra/routes.ts.
 */

/** One action on one table, or on one of its indexes (a Query or Scan with `IndexName`). */
export interface TableAccess {
  table: string;
  action: string;
  index?: string;
}

type Input = Readonly<Record<string, unknown>>;

const TRANSACT_WRITE_ACTIONS: Readonly<Record<string, string>> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};
const TRANSACT_GET_ACTIONS: Readonly<Record<string, string>> = { Get: 'GetItem' };

function tableOf(operation: string, input: Input | undefined): string {
  const table = input?.TableName;
  if (typeof table !== 'string' || table === '') throw new TypeError(`${operation} names no table`);
  return table;
}

/** Per contained item: its one key (`Put`, `Get`, …) names the action, its `TableName` the table. */
function transactionActions(
  operation: string,
  items: unknown,
  actionOf: Readonly<Record<string, string>>,
): TableAccess[] {
  if (!Array.isArray(items)) throw new TypeError(`${operation} has no TransactItems`);
  return items.map((item: Record<string, Input>) => {
    const [kind, body] = Object.entries(item)[0] ?? [];
    const action = kind === undefined ? undefined : actionOf[kind];
    if (action === undefined) throw new TypeError(`${operation} cannot contain "${kind}"`);
    return { table: tableOf(operation, body), action };
  });
}

function batchActions(operation: string, requestItems: unknown): TableAccess[] {
  if (typeof requestItems !== 'object' || requestItems === null)
    throw new TypeError(`${operation} has no RequestItems`);
  return Object.keys(requestItems).map((table) => ({ table, action: operation }));
}

/**
 * The table actions `operation` with `input` needs. Any other operation that names a table (DescribeTable,
 * CreateTable, …) is authorised under its own name; one that names none (ListTables) is refused, as it
 * needs no table action and would otherwise pass unnoticed.
 */
export function iamActionsOf(operation: string, input: Input): TableAccess[] {
  switch (operation) {
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return batchActions(operation, input.RequestItems);
    case 'TransactWriteItems':
      return transactionActions(operation, input.TransactItems, TRANSACT_WRITE_ACTIONS);
    case 'TransactGetItems':
      return transactionActions(operation, input.TransactItems, TRANSACT_GET_ACTIONS);
    case 'Query':
    case 'Scan': {
      const index = input.IndexName;
      const table = tableOf(operation, input);
      return [typeof index === 'string' ? { table, action: operation, index } : { table, action: operation }];
    }
    default:
      return [{ table: tableOf(operation, input), action: operation }];
  }
}
