/**
 * `npm run invoke -- <function> <event file>`: runs one function's handler on one event and prints its
 * result as JSON, like `sam local invoke`. The tables and keys it needs are prepared first, on
 * DYNAMODB_ENDPOINT if set, else on a DynamoDB Local started (on `.data/dynamodb`) for this run only.
 *
 * Progress goes to stderr, so stdout holds the function's own log lines and then its result.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError } from '#contract/config-error';
import { functions } from '#infra/routes';
import { DynamoDbUnreachable, type LocalBackend, prepareBackend } from './backend.ts';
import { JavaUnavailable } from './dynamodb-local.ts';
import { lambdaContext } from './events.ts';
import { functionNames, importHandler, isFunctionName } from './handlers.ts';

class UsageError extends Error {}

const USAGE = `Usage: npm run invoke -- <function> <event file>, e.g. npm run invoke -- jwks events/jwks.json
Functions: ${functionNames().join(', ')}`;

async function readEvent(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`Cannot read the event file ${path}: ${code === 'ENOENT' ? 'no such file' : code}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`The event file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

async function main(): Promise<number> {
  const [name, eventPath, ...extra] = process.argv.slice(2);
  if (!name || !eventPath || extra.length > 0) throw new UsageError(USAGE);
  if (!isFunctionName(name))
    throw new UsageError(`There is no function "${name}" in infra/routes.ts.\n${USAGE}`);
  const event = await readEvent(eventPath);

  let backend: LocalBackend | undefined;
  const stop = () => backend?.stop();
  process.once('SIGINT', () => void stop()?.finally(() => process.exit(130)));
  process.once('SIGTERM', () => void stop()?.finally(() => process.exit(143)));
  try {
    backend = await prepareBackend(process.env);
    for (const line of backend.summary) console.error(line);

    const handler = await importHandler(name);
    const memoryMB = (functions[name] as { memoryMB?: number }).memoryMB;
    const requestId = randomUUID();
    console.error(`Invoking ${name} (${functions[name].entry}) with ${eventPath}, request id ${requestId}`);
    const started = performance.now();
    try {
      const result = await handler(
        event,
        lambdaContext(name, { requestId, now: Date.now, ...(memoryMB ? { memoryMB } : {}) }),
      );
      console.error(`Done in ${Math.round(performance.now() - started)} ms`);
      console.log(JSON.stringify(result ?? null, null, 2));
      return 0;
    } catch (error) {
      // What Lambda reports for a function that threw.
      const failure = error instanceof Error ? error : new Error(String(error));
      console.log(
        JSON.stringify(
          { errorType: failure.name, errorMessage: failure.message, trace: failure.stack?.split('\n') ?? [] },
          null,
          2,
        ),
      );
      return 1;
    }
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known =
      error instanceof UsageError ||
      error instanceof ConfigError ||
      error instanceof JavaUnavailable ||
      error instanceof DynamoDbUnreachable;
    console.error(known ? (error as Error).message : error);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
