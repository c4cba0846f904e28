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
import { PROJECT_ROOT } from '#infra/paths';

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

/** The environment that gives the stack its own port, tables and key set on the given DynamoDB. */
function stackEnvironment(options: {
  port: number;
  baseUrl: string;
  tablePrefix: string;
  keysDirectory: string;
  dynamoDbEndpoint: string;
  overrides: Record<string, string> | undefined;
}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: String(options.port),
    DYNAMODB_ENDPOINT: options.dynamoDbEndpoint,
    TABLE_PREFIX: options.tablePrefix,
    ISSUER: options.baseUrl,
    AUTHORIZER_CACHE_TTL_SECONDS: '0',
    SIGNING_KEYS_FILE: join(options.keysDirectory, 'signing-keys.json'),
    // The sample app would take port 3001 and write the repository's .data/; tests that want it say so.
    SAMPLE_APP_PORT: 'off',
    SAMPLE_APP_STATE_FILE: join(options.keysDirectory, 'sample-app.json'),
    ...options.overrides,
  };
}

/** Undefined once the stack serves its JWKS; else why it never will (it exited, or the deadline passed). */
async function waitUntilAnswering(options: {
  child: ChildProcess;
  baseUrl: string;
  timeoutMs: number;
}): Promise<string | undefined> {
  const { child, baseUrl } = options;
  const deadline = Date.now() + options.timeoutMs;
  while (true) {
    if (child.exitCode !== null || child.signalCode !== null) {
      return `The local stack exited (${child.exitCode ?? child.signalCode}) before it answered`;
    }
    try {
      const response = await fetch(`${baseUrl}/.well-known/jwks.json`);
      await response.arrayBuffer();
      if (response.ok) return undefined;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) return `The local stack did not answer on ${baseUrl} in time`;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

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
    env: stackEnvironment({
      port,
      baseUrl,
      tablePrefix,
      keysDirectory,
      dynamoDbEndpoint,
      overrides: options.env,
    }),
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
  const failure = await waitUntilAnswering({ child, baseUrl, timeoutMs: options.timeoutMs ?? 60_000 });
  if (failure) {
    await stop();
    throw new Error(`${failure}:\n${output}`);
  }
  return { baseUrl, pid: child.pid!, tablePrefix, output: () => output, stop };
}
