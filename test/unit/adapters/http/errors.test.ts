import { describe, expect, it } from 'vitest';
import { AwsUnavailable } from '#adapters/aws/unavailable';
import { httpHandler } from '#adapters/http/handler';
import { InvalidRequest } from '#core/errors';
import { postEvent as event } from '../../../fakes/events.ts';
import { recordingLogger } from '../../../fakes/logger.ts';

describe('error mapping', () => {
  it('hides unexpected errors behind a generic 500 and logs the detail with the request id', async () => {
    const { logger, lines } = recordingLogger();
    const failing = httpHandler(
      async () => {
        throw new Error('connection to 10.0.0.1 refused');
      },
      { logger },
    );
    const result = await failing(event());
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({
      error: 'server_error',
      error_description: 'An unexpected error occurred.',
    });
    expect(result.body).not.toContain('10.0.0.1');
    expect(lines.some((line) => line.includes('10.0.0.1') && line.includes('"correlation_id":"req-1"'))).toBe(
      true,
    );
  });

  it('answers 503 with Retry-After when DynamoDB is unavailable', async () => {
    const failing = httpHandler(
      async () => {
        throw new AwsUnavailable('throttled');
      },
      { logger: recordingLogger().logger },
    );
    const result = await failing(event());
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['Retry-After']).toBe('1');
    expect(JSON.parse(result.body).error).toBe('temporarily_unavailable');
  });

  it('adds the endpoint envelope and never caches', async () => {
    const failing = httpHandler(
      async () => {
        throw new InvalidRequest('nope');
      },
      { logger: recordingLogger().logger, errorEnvelope: { result: 'failed' } },
    );
    const result = await failing(event());
    expect(JSON.parse(result.body)).toEqual({
      result: 'failed',
      error: 'invalid_request',
      error_description: 'nope',
    });
    expect(result.headers?.['Cache-Control']).toBe('no-store');
  });

  it('never logs secrets, even when a caller passes them', () => {
    const { logger, lines } = recordingLogger();
    logger.info('oops', {
      password: 'hunter2',
      nested: { refresh_token: 'rt', client_secret: 'cs' },
      authorization: 'Bearer x',
    });
    expect(lines.join('')).not.toMatch(/hunter2|"rt"|"cs"|Bearer x/);
  });
});
