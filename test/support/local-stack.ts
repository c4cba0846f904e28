/**
 * The real local stack (`infra/local/start.ts`) as a subprocess, for end-to-end tests: its own port,
 * table prefix and key set, on the shared test DynamoDB, in a process group of its own that stop()
 * takes down whole.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '#infra/local/dynamodb-local';
import { PROJECT_ROOT } from '#infra/local/handlers';

export interface LocalStackOptions {
  /**
   * Added to (and overriding) the stack's environment. `DYNAMODB_ENDPOINT: ''` makes it start its own
   * java; `SAMPLE_APP_PORT: '0'` starts the sample app (off by default).
   */
  env?: Record<string, string>;
  /** Default: DYNAMODB_ENDPOINT of this process (test/support/env.ts sets it to the shared one). */
  dynamoDbEndpoint?: string;
  /** How long to wait for `GET /.well-known/jwks.json` to answer. */
  timeoutMs?: number;
}

export interface LocalStack {
  baseUrl: string;
  /** The process group id (the spawned process's pid). */
  pid: number;
  /** The prefix its tables were created with. */
  tablePrefix: string;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** SIGTERM to the whole group, SIGKILL after 10 s; resolves once no process of the group is left. */
  stop(): Promise<void>;
}

const groupAlive = (pid: number): boolean => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
};

async function waitForGroupExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

async function killGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || !groupAlive(pid)) return;
  process.kill(-pid, 'SIGTERM');
  if (!(await waitForGroupExit(pid, 10_000))) {
    process.kill(-pid, 'SIGKILL');
    await waitForGroupExit(pid, 5_000);
  }
}

/**
 * With `BASE_URL` set (`npm run test:deployed`), the end-to-end suites talk to that deployed stage
 * instead of starting anything.
 */
export const deployedBaseUrl = process.env.BASE_URL?.replace(/\/+$/, '') || undefined;

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  if (deployedBaseUrl) {
    return { baseUrl: deployedBaseUrl, pid: 0, tablePrefix: '', output: () => '', stop: async () => {} };
  }
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const tablePrefix = `e2e_${randomBytes(4).toString('hex')}_`;
  const keysDirectory = await mkdtemp(join(tmpdir(), 'tinyoauth-stack-'));
  const dynamoDbEndpoint = options.dynamoDbEndpoint ?? process.env.DYNAMODB_ENDPOINT ?? '';

  const child = spawn('npx', ['tsx', 'infra/local/start.ts'], {
    cwd: PROJECT_ROOT,
    // Its own process group: stop() signals npx, tsx, node and java at once.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_ENDPOINT: dynamoDbEndpoint,
      TABLE_PREFIX: tablePrefix,
      ISSUER: baseUrl,
      AUTHORIZER_CACHE_TTL_SECONDS: '0',
      SIGNING_KEYS_FILE: join(keysDirectory, 'signing-keys.json'),
      // The sample app would take port 3001 and write the repository's .data/; tests that want it say so.
      SAMPLE_APP_PORT: 'off',
      SAMPLE_APP_STATE_FILE: join(keysDirectory, 'sample-app.json'),
      ...options.env,
    },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });

  const stop = async () => {
    await killGroup(child);
    await rm(keysDirectory, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (true) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(
        `The local stack exited (${child.exitCode ?? child.signalCode}) before it answered:\n${output}`,
      );
    }
    try {
      const response = await fetch(`${baseUrl}/.well-known/jwks.json`);
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`The local stack did not answer on ${baseUrl} in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return { baseUrl, pid: child.pid!, tablePrefix, output: () => output, stop };
}
