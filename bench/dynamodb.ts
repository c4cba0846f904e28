/**
 * The DynamoDB the benchmark measures against: the one at DYNAMODB_ENDPOINT when set, else a DynamoDB
 * Local of its own (in memory, on a free port), with the tables of functions/contract/tables.ts under a prefix no one
 * else uses. Whatever is started or created here is removed by `close()`.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDb } from '#adapters/aws/dynamodb';
import { tables } from '#contract/tables';
import { assertJava, startDynamoDbLocal } from '#infra/local/dynamodb-local';
import { ensureTables } from '#infra/local/tables';

export const REGION = 'us-east-1';
/** DynamoDB Local accepts any credentials; these never reach AWS. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface BenchDynamoDb {
  endpoint: string;
  prefix: string;
  /** `DynamoDB Local` or the endpoint given. */
  kind: string;
  close(): Promise<void>;
}

export async function openDynamoDb(): Promise<BenchDynamoDb> {
  const prefix = `bench_${randomUUID().slice(0, 8)}_`;
  const given = process.env.DYNAMODB_ENDPOINT;
  let stop = async () => {};
  let endpoint: string;
  if (given) {
    endpoint = given;
  } else {
    assertJava();
    const local = await startDynamoDbLocal();
    endpoint = local.endpoint;
    stop = local.stop;
  }
  const db = createDynamoDb({ region: REGION, endpoint, credentials: LOCAL_CREDENTIALS });
  try {
    await ensureTables(db, prefix);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoint,
    prefix,
    kind: given ? `DynamoDB at ${given}` : 'DynamoDB Local (in memory)',
    close: async () => {
      if (given) {
        for (const table of Object.values(tables))
          await db.send(new DeleteTableCommand({ TableName: `${prefix}${table.name}` })).catch(() => {});
      }
      await stop();
    },
  };
}
