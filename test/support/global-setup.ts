/**
 * Once per test run and project: a temporary directory for the signing key set, and, for every project
 * but `unit`, the run's ONE DynamoDB Local (in memory, on a free port, shared by all those projects)
 * with the tables created under TEST_PREFIX.
 * The values reach tests through `inject()` and, as environment variables, through test/support/env.ts.
 * Teardown stops java and removes the directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createDynamoDb } from '#adapters/aws/dynamodb';
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
/** Projects whose tests need no DynamoDB (and so do not wait for java). */
export const OFFLINE_PROJECTS = new Set([UNIT_PROJECT, 'cdk']);

/**
 * Vitest runs a project's global setup once per project, all in its main process: the projects that
 * need DynamoDB share one instance through this process-wide slot, and the last one out stops it.
 */
const SHARED = Symbol.for('tinyoauth.test.dynamoDbLocal');
type Slot = { users: number; ready: Promise<DynamoDbLocal> };
const registry = globalThis as { [SHARED]?: Slot };

async function acquireDynamoDb(): Promise<DynamoDbLocal> {
  if (!registry[SHARED]) {
    const ready = (async () => {
      assertJava();
      const local = await startDynamoDbLocal();
      try {
        await ensureTables(createDynamoDb({ region: TEST_REGION, endpoint: local.endpoint }), TEST_PREFIX);
      } catch (error) {
        await local.stop();
        throw error;
      }
      return local;
    })();
    registry[SHARED] = { users: 0, ready };
    ready.catch(() => {
      delete registry[SHARED];
    });
  }
  const slot = registry[SHARED];
  slot.users += 1;
  try {
    return await slot.ready;
  } catch (error) {
    slot.users -= 1;
    throw error;
  }
}

async function releaseDynamoDb(): Promise<void> {
  const slot = registry[SHARED];
  if (!slot) return;
  slot.users -= 1;
  if (slot.users > 0) return;
  delete registry[SHARED];
  await (await slot.ready).stop();
}

export default async function setup(project: TestProject) {
  const directory = await mkdtemp(join(tmpdir(), 'tinyoauth-test-'));
  const needsDynamoDb = !OFFLINE_PROJECTS.has(project.name);
  let acquired = false;

  const teardown = async () => {
    if (acquired) await releaseDynamoDb();
    await rm(directory, { recursive: true, force: true });
  };

  try {
    let endpoint = '';
    if (needsDynamoDb) {
      endpoint = (await acquireDynamoDb()).endpoint;
      acquired = true;
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
