/**
 * A DynamoDB that stops answering (DynamoDB Local paused: connections are accepted, nothing comes back)
 * or keeps throttling must end as our own 503 with Retry-After, well inside the function's 10 s timeout,
 * so that the caller gets an answer and the log a line. Both stand-ins listen on this machine only.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { retryBudgetMs } from '#adapters/aws/client-settings';
import { createDynamoDb } from '#adapters/aws/dynamodb';
import { loginEndpoint } from '#app/endpoints';
import { DEFAULT_TIMEOUT } from '#infra/cdk/function';
import { apiEvent } from '../../../fakes/events.ts';
import { testRuntime } from '../../../fakes/runtime.ts';

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  // A server closes once its connections have: the silent one's must be ended here.
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

/** Accepts connections and never answers, like a paused process whose kernel still accepts. */
async function silentDynamoDb(): Promise<string> {
  return listen(createServer((socket) => sockets.push(socket)));
}

/** Answers every request as DynamoDB does when it throttles, and counts them by operation. */
async function throttlingDynamoDb(): Promise<{ endpoint: string; requests: Map<string, number> }> {
  const requests = new Map<string, number>();
  const server = createHttpServer((request, response) => {
    const operation = String(request.headers['x-amz-target']).replace('DynamoDB_20120810.', '');
    requests.set(operation, (requests.get(operation) ?? 0) + 1);
    request.resume();
    response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(
      JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
        message: 'Rate of requests exceeds the allowed throughput.',
      }),
    );
  });
  return { endpoint: await listen(server), requests };
}

async function login(endpoint: string) {
  const runtime = await testRuntime();
  const handler = loginEndpoint({ ...runtime, db: createDynamoDb({ region: 'us-east-1', endpoint }) });
  const started = performance.now();
  const result = await handler(
    apiEvent({
      method: 'POST',
      path: '/login',
      json: { username: 'alice', password: 'correct horse battery' },
    }),
  );
  return { result, seconds: (performance.now() - started) / 1000 };
}

describe('when DynamoDB does not answer', () => {
  it('answers 503 with Retry-After within the retry budget, well before the function timeout', async () => {
    const { result, seconds } = await login(await silentDynamoDb());
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Retry-After']).toBe('1');
    expect(JSON.parse(result.body)).toMatchObject({ error: 'temporarily_unavailable' });
    expect(seconds).toBeLessThan(retryBudgetMs() / 1000);
    expect(retryBudgetMs()).toBeLessThan(DEFAULT_TIMEOUT.toMilliseconds());
  });

  it('answers 503 after three throttled attempts', async () => {
    const throttling = await throttlingDynamoDb();
    const { result, seconds } = await login(throttling.endpoint);
    expect(result.statusCode).toBe(503);
    // Login's first round trip is two requests at once (the attempt's admission and the user's read):
    // the one whose third throttled attempt ends the request, and the other, still retrying, never more.
    const attempts = [...throttling.requests.values()];
    expect([...throttling.requests.keys()].sort()).toEqual(['GetItem', 'UpdateItem']);
    expect(Math.max(...attempts)).toBe(3);
    expect(seconds).toBeLessThan(retryBudgetMs() / 1000);
  });
});
