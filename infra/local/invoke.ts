/**
 * `npm run invoke -- <function> <event file>`: runs one function's handler on one event and prints its
 * result as JSON, like `sam local invoke`. The tables and keys it needs are prepared first, on
 * DYNAMODB_ENDPOINT if set, else on the DynamoDB Local of a running `npm start`, else on one started (on
 * `.data/dynamodb`) for this run only; then invocation.ts runs it.
 *
 * Progress goes to stderr, so stdout holds the function's own log lines and then its result.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '#contract/config-error';
import { DynamoDbUnreachable, type LocalBackend, prepareBackend } from './backend.ts';
import { DataDirectoryInUse } from './data-directory.ts';
import { JavaUnavailable } from './dynamodb-local.ts';
import { functionNames, isFunctionName } from './handlers.ts';
import { errorReport, invokeFunction, prepareSampleUser } from './invocation.ts';

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
    backend = await prepareBackend(process.env, { command: 'npm run invoke', whenInUse: 'share' });
    for (const line of backend.summary) console.error(line);
    const log = (line: string) => console.error(line);
    await prepareSampleUser(name, { endpoint: backend.endpoint, env: process.env, log });
    const outcome = await invokeFunction(name, event, { log, eventSource: eventPath });
    if (outcome.kind === 'error') {
      console.log(JSON.stringify(errorReport(outcome.error), null, 2));
      return 1;
    }
    console.log(JSON.stringify(outcome.result ?? null, null, 2));
    return 0;
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
      error instanceof DynamoDbUnreachable ||
      error instanceof DataDirectoryInUse;
    console.error(known ? (error as Error).message : error);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
