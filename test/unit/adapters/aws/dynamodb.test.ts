/**
 * The DynamoDB client as the functions build it: endpoint resolution by the SDK (partitions, FIPS, the
 * standard AWS_ENDPOINT_URL* variables), DYNAMODB_ENDPOINT winning over all of them, and the retry and
 * timeout settings that bound how long one call can take. No request leaves the process: a middleware
 * captures the request once its endpoint is resolved and stops it there.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AWS_CLIENT_SETTINGS, retryBudgetMs } from '#adapters/aws/client-settings';
import { createDynamoDb, type DynamoDbOptions } from '#adapters/aws/dynamodb';
import { AwsUnavailable } from '#adapters/aws/unavailable';
import { DependencyUnavailable } from '#core/errors';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

class Captured extends Error {
  constructor(readonly url: URL) {
    super('captured');
  }
}

/** The URL the client would send a GetItem to. */
async function resolvedUrl(options: Omit<DynamoDbOptions, 'credentials'>): Promise<URL> {
  const db = createDynamoDb({ ...options, credentials });
  db.middlewareStack.add(
    () => async (args) => {
      const { protocol, hostname, port, path } = args.request as {
        protocol: string;
        hostname: string;
        port?: number;
        path: string;
      };
      throw new Captured(new URL(`${protocol}//${hostname}${port ? `:${port}` : ''}${path}`));
    },
    { step: 'build', name: 'captureRequest' },
  );
  const error = await db.send(new GetCommand({ TableName: 't', Key: { id: 'x' } })).catch((e) => e);
  if (!(error instanceof Captured)) throw error;
  return error.url;
}

describe('endpoint resolution', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('uses the partition of the region: amazonaws.com.cn in China', async () => {
    expect((await resolvedUrl({ region: 'cn-north-1' })).host).toBe('dynamodb.cn-north-1.amazonaws.com.cn');
    expect((await resolvedUrl({ region: 'eu-west-1' })).host).toBe('dynamodb.eu-west-1.amazonaws.com');
  });

  it('honours AWS_ENDPOINT_URL_DYNAMODB and AWS_USE_FIPS_ENDPOINT', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', 'http://dynamodb.internal.example:8000');
    expect((await resolvedUrl({ region: 'us-east-1' })).origin).toBe('http://dynamodb.internal.example:8000');
    vi.unstubAllEnvs();
    vi.stubEnv('AWS_USE_FIPS_ENDPOINT', 'true');
    expect((await resolvedUrl({ region: 'us-east-1' })).host).toBe('dynamodb-fips.us-east-1.amazonaws.com');
  });

  it('lets DYNAMODB_ENDPOINT (the endpoint option) win over the standard variables', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', 'http://dynamodb.internal.example:8000');
    const url = await resolvedUrl({ region: 'us-east-1', endpoint: 'http://127.0.0.1:8123' });
    expect(url.origin).toBe('http://127.0.0.1:8123');
  });
});

describe('retries and timeouts', () => {
  it('uses the standard retry mode with explicit attempts and timeouts, and ends as AwsUnavailable', async () => {
    // A closed port on this machine: every attempt is refused at once.
    const db = createDynamoDb({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials });
    expect(await db.config.maxAttempts()).toBe(AWS_CLIENT_SETTINGS.maxAttempts);
    expect((await db.config.retryStrategy()) as { mode?: string }).toMatchObject({ mode: 'standard' });
    const error = await db.send(new GetCommand({ TableName: 't', Key: { id: 'x' } })).catch((e) => e);
    expect(error).toBeInstanceOf(AwsUnavailable);
    expect(error).toBeInstanceOf(DependencyUnavailable);
    expect(error.message).toMatch(/^DynamoDB GetItem failed: /);
    expect(error.cause.$metadata.attempts).toBe(AWS_CLIENT_SETTINGS.maxAttempts);
    // The handler resolves its options on its first request.
    const handler = db.config.requestHandler as { httpHandlerConfigs(): Record<string, unknown> };
    expect(handler.httpHandlerConfigs()).toMatchObject({
      connectionTimeout: AWS_CLIENT_SETTINGS.connectionTimeoutMs,
      requestTimeout: AWS_CLIENT_SETTINGS.requestTimeoutMs,
      throwOnRequestTimeout: true,
    });
  });

  it('bounds one call: every attempt timing out and every backoff at its longest', () => {
    // 3 attempts × 1 s, plus throttling backoffs of at most 1 s and 2 s.
    expect(retryBudgetMs()).toBe(6000);
    expect(
      retryBudgetMs({
        ...AWS_CLIENT_SETTINGS,
        maxAttempts: 4,
        requestTimeoutMs: 2000,
        throttlingBackoffBaseMs: 500,
      }),
    ).toBe(4 * 2000 + 500 + 1000 + 2000);
  });
});
