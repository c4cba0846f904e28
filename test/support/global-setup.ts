/**
 * Once per test run and project: a temporary directory for the signing key set, and, for every project
 * but `unit`, ONE DynamoDB Local (in memory, on a free port) with the tables created under TEST_PREFIX.
 * The values reach tests through `inject()` and, as environment variables, through test/support/env.ts.
 * Teardown stops java and removes the directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { DynamoDb } from '#commons/dynamo';
import { assertJava, type DynamoDbLocal, startDynamoDbLocal } from '#infra/local/dynamodb-local';
import { ensureTables } from '#infra/local/tables';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared DynamoDB Local; empty in the `unit` project, which runs without one. */
    dynamoDbEndpoint: string;
    /** The prefix the shared tables were created with. */
    tablePrefix: string;
    region: string;
    /** A key set file in a directory of its own, created on first use. */
    signingKeysFile: string;
  }
}

export const TEST_PREFIX = 'test_';
export const TEST_REGION = 'us-east-1';
/** The project whose tests must not need DynamoDB (and so do not wait for java). */
export const UNIT_PROJECT = 'unit';

export default async function setup(project: TestProject) {
  const directory = await mkdtemp(join(tmpdir(), 'tinyoauth-test-'));
  let dynamoDbLocal: DynamoDbLocal | undefined;

  const teardown = async () => {
    await dynamoDbLocal?.stop();
    await rm(directory, { recursive: true, force: true });
  };

  try {
    let endpoint = '';
    if (project.name !== UNIT_PROJECT) {
      assertJava();
      dynamoDbLocal = await startDynamoDbLocal();
      endpoint = dynamoDbLocal.endpoint;
      await ensureTables(new DynamoDb({ region: TEST_REGION, endpoint }), TEST_PREFIX);
    }
    project.provide('dynamoDbEndpoint', endpoint);
    project.provide('tablePrefix', TEST_PREFIX);
    project.provide('region', TEST_REGION);
    project.provide('signingKeysFile', join(directory, 'signing-keys.json'));
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
