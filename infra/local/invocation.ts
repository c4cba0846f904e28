/**
 * One function run on one event as Lambda runs it, for `npm run invoke` (invoke.ts): its handler loaded
 * from its entry, a Lambda context, and what Lambda reports, a result or the error the function threw.
 * Before a function whose sample event signs in, the sample user is registered (sample-user.ts).
 */
import { randomUUID } from 'node:crypto';
import { runtimeFrom } from '#app/services';
import { type FunctionName, functions } from '#infra/routes';
import { lambdaContext } from './events.ts';
import { importHandler } from './handlers.ts';
import { ensureSampleUser, isLocalEndpoint, SAMPLE_USER, SIGNS_IN_AS_SAMPLE_USER } from './sample-user.ts';

export type Outcome = { kind: 'result'; result: unknown } | { kind: 'error'; error: Error };

/** What Lambda prints for a function that threw. */
export const errorReport = (error: Error) => ({
  errorType: error.name,
  errorMessage: error.message,
  trace: error.stack?.split('\n') ?? [],
});

/** Registers the sample user before `name` when its sample event signs in as it, on a local DynamoDB only. */
export async function prepareSampleUser(
  name: FunctionName,
  options: { endpoint: string; env: NodeJS.ProcessEnv; log: (line: string) => void },
): Promise<void> {
  if (!SIGNS_IN_AS_SAMPLE_USER.includes(name)) return;
  const user = `Sample user ${SAMPLE_USER.username} (whom the sample events sign in as)`;
  if (!isLocalEndpoint(options.endpoint)) {
    options.log(`${user} not registered: ${options.endpoint} is not a local DynamoDB`);
  } else if (await ensureSampleUser(runtimeFrom(options.env))) {
    options.log(`${user} registered`);
  }
}

/** Runs the function's handler on `event`, as the Lambda runtime would. */
export async function invokeFunction(
  name: FunctionName,
  event: unknown,
  options: { requestId?: string; log: (line: string) => void; eventSource?: string },
): Promise<Outcome> {
  const handler = await importHandler(name);
  const memoryMB = (functions[name] as { memoryMB?: number }).memoryMB;
  const requestId = options.requestId ?? randomUUID();
  const source = options.eventSource ? ` with ${options.eventSource}` : '';
  options.log(`Invoking ${name} (${functions[name].entry})${source}, request id ${requestId}`);
  const started = performance.now();
  try {
    const result = await handler(
      event,
      lambdaContext(name, { requestId, now: Date.now, ...(memoryMB ? { memoryMB } : {}) }),
    );
    options.log(`Done in ${Math.round(performance.now() - started)} ms`);
    return { kind: 'result', result };
  } catch (error) {
    return { kind: 'error', error: error instanceof Error ? error : new Error(String(error)) };
  }
}
