import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Claim, claimDataDirectory, endpointOf, OWNER_FILE, ownerOf } from '#infra/local/dynamodb-owner';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'tinyoauth-owner-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const ownerFile = () => join(directory, OWNER_FILE);
/** The pid of a process that has exited. */
const deadPid = (): number => {
  const { pid } = spawnSync(process.execPath, ['-e', '']);
  return pid as number;
};
const claimed = (result: ReturnType<typeof claimDataDirectory>): Claim => {
  if (!('claimed' in result)) throw new Error(`expected a claim, got the owner ${JSON.stringify(result)}`);
  return result.claimed;
};

describe('claiming a data directory for DynamoDB Local', () => {
  it('lets the first process claim it, names that process to the next, and frees it on release', () => {
    const claim = claimed(claimDataDirectory(directory, 'npm start'));
    expect(claimDataDirectory(directory, 'npm run invoke')).toEqual({
      owner: { pid: process.pid, command: 'npm start' },
    });
    claim.release();
    expect(existsSync(ownerFile())).toBe(false);
    expect(ownerOf(directory)).toBeUndefined();
  });

  it('publishes the endpoint once DynamoDB Local answers', async () => {
    const claim = claimed(claimDataDirectory(directory, 'npm start'));
    expect(ownerOf(directory)?.endpoint).toBeUndefined();
    claim.ready('http://127.0.0.1:8123');
    expect(ownerOf(directory)).toEqual({
      pid: process.pid,
      command: 'npm start',
      endpoint: 'http://127.0.0.1:8123',
    });
    expect((await endpointOf(directory, { timeoutMs: 1000 }))?.endpoint).toBe('http://127.0.0.1:8123');
  });

  it('takes over a claim whose process is gone', () => {
    writeFileSync(
      ownerFile(),
      JSON.stringify({ pid: deadPid(), command: 'npm start', endpoint: 'http://x' }),
    );
    expect(ownerOf(directory)).toBeUndefined();
    claimed(claimDataDirectory(directory, 'npm run invoke'));
    expect(JSON.parse(readFileSync(ownerFile(), 'utf8'))).toEqual({
      pid: process.pid,
      command: 'npm run invoke',
    });
  });

  it('treats an owner file it cannot read as no claim', () => {
    writeFileSync(ownerFile(), 'not json');
    claimed(claimDataDirectory(directory, 'npm start'));
  });

  it('does not release a claim that another process holds by now', () => {
    const claim = claimed(claimDataDirectory(directory, 'npm start'));
    const other = { pid: process.ppid, command: 'npm start' };
    writeFileSync(ownerFile(), JSON.stringify(other));
    claim.release();
    expect(JSON.parse(readFileSync(ownerFile(), 'utf8'))).toEqual(other);
  });

  it('waits for the endpoint of an owner that is still starting, and gives up when it is gone', async () => {
    const claim = claimed(claimDataDirectory(directory, 'npm start'));
    setTimeout(() => claim.ready('http://127.0.0.1:8124'), 50);
    expect((await endpointOf(directory, { timeoutMs: 5000, pollMs: 10 }))?.endpoint).toBe(
      'http://127.0.0.1:8124',
    );
    writeFileSync(ownerFile(), JSON.stringify({ pid: deadPid(), command: 'npm start' }));
    expect(await endpointOf(directory, { timeoutMs: 5000, pollMs: 10 })).toBeUndefined();
  });

  it('gives up waiting on an owner that never answers', async () => {
    claimed(claimDataDirectory(directory, 'npm start'));
    expect(await endpointOf(directory, { timeoutMs: 50, pollMs: 10 })).toBeUndefined();
  });
});
