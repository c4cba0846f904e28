import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '#contract/tables';
import { PROJECT_ROOT } from '#infra/paths';
import { routes } from '#infra/routes';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

const TABLE_COUNT = Object.keys(tables).length;

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Processes whose command line mentions `marker`, other than the pgrep itself. */
const processesMentioning = (marker: string): string[] => {
  try {
    return execFileSync('pgrep', ['-af', marker], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
};

describe('npm start, on the shared test DynamoDB', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('prints the URL and every route', () => {
    const output = stack.output();
    expect(output).toContain(`tinyoauth is running at ${stack.baseUrl}`);
    for (const route of routes) {
      expect(output).toMatch(
        new RegExp(`${route.method} +${stack.baseUrl}${route.path.replace(/[.{}+]/g, '\\$&')} `),
      );
    }
    expect(output).toContain(`with prefix "${stack.tablePrefix}" (${TABLE_COUNT} created`);
  });

  it('publishes one EC P-256 and one RSA signing key, public parts only', async () => {
    const response = await fetch(`${stack.baseUrl}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    const { keys } = (await response.json()) as { keys: Record<string, string>[] };
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(keys[1]).toMatchObject({ kty: 'RSA', e: 'AQAB', alg: 'RS256', use: 'sig' });
    for (const key of keys) {
      expect(key.kid).toEqual(expect.any(String));
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member);
    }
  });

  it('answers an unknown path with the 404 gateway response', async () => {
    const response = await fetch(`${stack.baseUrl}/no/such/thing`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      error: 'not_found',
      error_description: 'There is no such endpoint.',
    });
  });

  it('answers a known path with a method it does not have 405, naming its methods in Allow', async () => {
    const response = await fetch(`${stack.baseUrl}/token`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      error: 'method_not_allowed',
      error_description: 'This endpoint accepts POST only.',
    });
  });

  it('refuses a protected route without a token before any function runs', async () => {
    const response = await fetch(`${stack.baseUrl}/protected/anything`);
    expect(response.status).toBe(401);
    // No token, so no error code (RFC 6750 §3.1); the metadata of the server of the path (RFC 9728 §5.1).
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${stack.baseUrl}/.well-known/oauth-protected-resource/protected"`,
    );
  });

  it("prints each invocation's metrics as CloudWatch EMF among its log lines, as Lambda would", async () => {
    const response = await fetch(`${stack.baseUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nobody-here', password: 'not the password' }),
    });
    expect(response.status).toBe(401);
    const documents = stack
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{"_aws"'))
      .map((line) => JSON.parse(line));
    // The first request of the process also loaded the keys, whose age is in the same document.
    const counted = documents.find((document) => 'SignInFailed' in document);
    expect(counted).toMatchObject({ service: 'tinyoauth', SignInFailed: 1 });
    expect(counted._aws).toEqual({
      Timestamp: expect.any(Number),
      CloudWatchMetrics: [
        {
          Namespace: 'tinyoauth',
          Dimensions: [['service']],
          Metrics: expect.arrayContaining([{ Name: 'SignInFailed', Unit: 'Count' }]),
        },
      ],
    });
  });

  it('leaves no process behind when stopped', async () => {
    await stack.stop();
    expect(groupAlive(stack.pid)).toBe(false);
    await expect(fetch(`${stack.baseUrl}/.well-known/jwks.json`)).rejects.toThrow();
  });
});

describe('npm start with its own DynamoDB Local', () => {
  let dataDirectory: string;

  beforeAll(async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), 'tinyoauth-e2e-data-'));
  });
  afterAll(async () => {
    await rm(dataDirectory, { recursive: true, force: true });
  });

  it('persists to its data directory across a restart and leaves no java behind', async () => {
    const env = { DYNAMODB_ENDPOINT: '', DYNAMODB_LOCAL_DATA_DIR: dataDirectory };

    const first = await startLocalStack({ env });
    try {
      expect(first.output()).toContain(`data in ${dataDirectory}`);
      expect(first.output()).toContain(`(${TABLE_COUNT} created, 0 updated)`);
      expect(processesMentioning(dataDirectory).some((line) => line.includes('DynamoDBLocal'))).toBe(true);
    } finally {
      await first.stop();
    }
    expect(processesMentioning(dataDirectory)).toEqual([]);
    expect(await readdir(dataDirectory)).toContain('shared-local-instance.db');

    // Same tables, found rather than created: the data survived.
    const second = await startLocalStack({ env: { ...env, TABLE_PREFIX: first.tablePrefix } });
    try {
      expect(second.output()).toContain(`with prefix "${first.tablePrefix}" (0 created, 0 updated)`);
    } finally {
      await second.stop();
    }
    expect(processesMentioning(dataDirectory)).toEqual([]);
  });

  it('lends it to npm run invoke, which starts no second java on the same data directory', async () => {
    const env = { DYNAMODB_ENDPOINT: '', DYNAMODB_LOCAL_DATA_DIR: dataDirectory };
    const stack = await startLocalStack({ env });
    const javas = () =>
      processesMentioning(dataDirectory).filter((line) => line.includes('DynamoDBLocal')).length;
    try {
      expect(javas()).toBe(1);
      const invoked = spawnSync('npx', ['tsx', 'infra/local/invoke.ts', 'login', 'events/login.json'], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, ...env, TABLE_PREFIX: stack.tablePrefix },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(invoked.stderr).toMatch(/DynamoDB Local of npm start \(pid \d+\) at http:\/\/127\.0\.0\.1:\d+/);
      expect(invoked.status, invoked.stderr).toBe(0);
      expect(JSON.parse(invoked.stdout.slice(invoked.stdout.lastIndexOf('\n{') + 1)).statusCode).toBe(200);
      expect(javas()).toBe(1);
      // npm start's DynamoDB is still there for it: invoke left it running.
      expect((await fetch(`${stack.baseUrl}/.well-known/jwks.json`)).status).toBe(200);
    } finally {
      await stack.stop();
    }
    expect(processesMentioning(dataDirectory)).toEqual([]);
  });
});
