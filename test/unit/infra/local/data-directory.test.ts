import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirectoryInUse, dynamoDbOnDataDirectory } from '#infra/local/data-directory';
import { OWNER_FILE } from '#infra/local/dynamodb-owner';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'tinyoauth-data-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

/** This test process plays the `npm start` that runs DynamoDB Local on the directory. */
const runningNpmStart = (endpoint?: string) =>
  writeFileSync(
    join(directory, OWNER_FILE),
    JSON.stringify({ pid: process.pid, command: 'npm start', ...(endpoint ? { endpoint } : {}) }),
  );
const env = () => ({ DYNAMODB_LOCAL_DATA_DIR: directory });

describe('DynamoDB Local on a data directory another process runs it on', () => {
  it('is shared with npm run invoke, which starts no java of its own', async () => {
    runningNpmStart('http://127.0.0.1:8125');
    const shared = await dynamoDbOnDataDirectory(env(), { command: 'npm run invoke', whenInUse: 'share' });
    expect(shared.endpoint).toBe('http://127.0.0.1:8125');
    expect(shared.dynamoDbLocal).toBeUndefined();
    expect(shared.description).toBe(
      `DynamoDB Local of npm start (pid ${process.pid}) at http://127.0.0.1:8125, data in ${directory}`,
    );
    await shared.stop();
  });

  it('is refused to a second npm start, with what to do instead', async () => {
    runningNpmStart('http://127.0.0.1:8125');
    const second = dynamoDbOnDataDirectory(env(), { command: 'npm start', whenInUse: 'refuse' });
    await expect(second).rejects.toThrow(DataDirectoryInUse);
    await expect(second).rejects.toThrow(
      `npm start (pid ${process.pid}) already runs DynamoDB Local on ${directory}: stop it first, or give this npm start data of its own with DYNAMODB_LOCAL_DATA_DIR`,
    );
  });
});
