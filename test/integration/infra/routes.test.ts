/**
 * The IAM table actions of infra/routes.ts against what each function really sends to DynamoDB: every
 * function runs behind the local gateway with a DynamoDB client of its own, every path that touches
 * DynamoDB is driven over HTTP, and each recorded request is turned into the IAM actions AWS would
 * check. A call the policy lacks would be AccessDenied in AWS; an action no flow uses is privilege to drop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDb } from '#adapters/aws/dynamodb';
import { iamActionsOf, type TableAccess } from '#adapters/aws/iam-actions';
import { type TableKey, tableName, tables } from '#contract/tables';
import { type FunctionName, functions } from '#infra/routes';
import { updateItem } from '../../fakes/runtime.ts';
import { driveAccountFlows } from './account-flows.ts';
import { driveEveryFlow, MAX_FAILURES } from './flows.ts';
import { drivePasskeyFlows } from './passkey-flows.ts';
import { type RecordingGateway, startRecordingGateway } from './recording-gateway.ts';

const names = Object.keys(functions) as FunctionName[];
const isTableKey = (name: string): name is TableKey => Object.hasOwn(tables, name);

const describeAccess = ({ table, action, index }: TableAccess) =>
  `${action} on ${table}${index ? ` (index ${index})` : ''}`;

let gateway: RecordingGateway;
const outbox = mkdtempSync(join(tmpdir(), 'tinyoauth-outbox-'));
/** Per function, what it did, with tables by their logical key of functions/contract/tables.ts. */
const used = {} as Record<FunctionName, TableAccess[]>;

beforeAll(async () => {
  gateway = await startRecordingGateway({
    lockout: { maxFailures: MAX_FAILURES, windowSeconds: 600 },
    mail: { transport: 'outbox', directory: outbox },
    openRegistration: 'public',
  });
  const db = createDynamoDb({ region: gateway.config.region, endpoint: gateway.config.dynamoDbEndpoint });
  await driveEveryFlow(gateway.baseUrl, {
    forgetClientCount: async (username) => {
      await updateItem(
        db,
        tableName(gateway.config.tablePrefix, 'users'),
        { username },
        'REMOVE clientCount',
      );
    },
    // A refresh that lost the race reads its token again on its own; the others read it with the client.
    refreshRereads: () =>
      gateway.requests.token.filter(
        ({ operation, input }) =>
          operation === 'GetItem' &&
          input.TableName === tableName(gateway.config.tablePrefix, 'refreshTokens'),
      ).length,
  });
  await driveAccountFlows(gateway.baseUrl, {
    outbox,
    now: () => gateway.clock(),
    advance: (seconds) => gateway.clock.advance(seconds),
  });
  await drivePasskeyFlows(gateway.baseUrl, gateway.config.issuer, () => gateway.clock());
  const keyOf = new Map(
    (Object.keys(tables) as TableKey[]).map((key) => [tableName(gateway.config.tablePrefix, key), key]),
  );
  for (const name of names) {
    used[name] = gateway.requests[name].flatMap(({ operation, input }) =>
      iamActionsOf(operation, input).map((access) => ({
        ...access,
        table: keyOf.get(access.table) ?? access.table,
      })),
    );
  }
});

afterAll(async () => {
  await gateway?.close();
  rmSync(outbox, { recursive: true, force: true });
});

describe('the DynamoDB actions infra/routes.ts grants each function', () => {
  it('are checked against a run of every function', () => {
    expect(names.filter((name) => !gateway.invoked.has(name))).toEqual([]);
  });

  // As infra/cdk/dynamodb.ts grants them: the actions on the table and on each index named for it.
  it('allow every call the function makes', () => {
    const refused = new Set<string>();
    for (const name of names) {
      for (const access of used[name]) {
        const granted = isTableKey(access.table) ? functions[name].tables[access.table] : undefined;
        const allowed =
          granted?.actions.some((action) => action === access.action) &&
          (access.index === undefined || granted.indexes?.includes(access.index));
        if (!allowed)
          refused.add(`${name} calls ${describeAccess(access)}, which infra/routes.ts does not allow`);
      }
    }
    expect([...refused]).toEqual([]);
  });

  it('include nothing that no flow uses', () => {
    const unused: string[] = [];
    for (const name of names) {
      for (const [table, granted] of Object.entries(functions[name].tables)) {
        const onTable = used[name].filter((access) => access.table === table);
        for (const action of granted.actions) {
          if (!onTable.some((access) => access.action === action))
            unused.push(`${name} may call ${action} on ${table}, but no flow does`);
        }
        for (const index of granted.indexes ?? []) {
          if (!onTable.some((access) => access.index === index))
            unused.push(`${name} may use index ${index} of ${table}, but no flow does`);
        }
      }
    }
    expect(unused).toEqual([]);
  });
});
