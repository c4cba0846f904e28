import { describe, expect, it } from 'vitest';
import { DynamoDbUnavailable } from '#adapters/aws/dynamodb';
import { httpHandler } from '#adapters/http/handler';
import { type ApiEvent, HttpRequest, MAX_BODY_BYTES } from '#adapters/http/request';
import { json } from '#adapters/http/responses';
import { InvalidRequest } from '#core/errors';
import { recordingLogger } from '../fakes/logger.ts';

function event(overrides: Partial<ApiEvent> = {}): ApiEvent {
  return {
    httpMethod: 'POST',
    path: '/x',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
    isBase64Encoded: false,
    requestContext: { requestId: 'req-1' },
    ...overrides,
  } as ApiEvent;
}

const echo = httpHandler(async (request) => json(200, request.jsonObject()), {
  logger: recordingLogger().logger,
});

describe('JSON bodies', () => {
  it.each([
    ['malformed JSON', { body: '{"a":' }, 400, 'invalid_request'],
    ['an array', { body: '[1]' }, 400, 'invalid_request'],
    ['a JSON string', { body: '"x"' }, 400, 'invalid_request'],
    ['no body', { body: null }, 400, 'invalid_request'],
    [
      'a form content type',
      { headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'unsupported_media_type',
    ],
    ['no content type', { headers: {} }, 415, 'unsupported_media_type'],
    [
      'a body over the limit',
      { body: JSON.stringify({ a: 'x'.repeat(MAX_BODY_BYTES) }) },
      413,
      'payload_too_large',
    ],
    [
      'base64 of invalid UTF-8',
      { body: Buffer.from([0xff, 0xfe]).toString('base64'), isBase64Encoded: true },
      400,
      'invalid_request',
    ],
  ])('refuses %s with %i %s', async (_name, overrides, status, code) => {
    const result = await echo(event(overrides as Partial<ApiEvent>));
    expect(result.statusCode).toBe(status);
    expect(JSON.parse(result.body).error).toBe(code);
    expect(result.headers?.['Content-Type']).toMatch(/^application\/json/);
  });

  it('accepts a charset parameter and a base64-encoded body, as API Gateway may send', async () => {
    const result = await echo(
      event({
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: Buffer.from('{"a":"é"}').toString('base64'),
        isBase64Encoded: true,
      }),
    );
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ a: 'é' });
  });
});

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
    expect(lines.some((line) => line.includes('10.0.0.1') && line.includes('"requestId":"req-1"'))).toBe(
      true,
    );
  });

  it('answers 503 with Retry-After when DynamoDB is unavailable', async () => {
    const failing = httpHandler(
      async () => {
        throw new DynamoDbUnavailable('throttled');
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

describe('parameters', () => {
  it('refuses a repeated parameter and treats an empty one as absent', () => {
    const request = new HttpRequest(
      event({
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=a&grant_type=b&scope=',
      }),
    );
    const form = request.form();
    expect(() => form.get('grant_type')).toThrow(InvalidRequest);
    expect(form.repeated()).toEqual(['grant_type']);
    expect(form.get('scope')).toBeUndefined();
  });

  it('reads bearer tokens only from a well-formed Authorization header', () => {
    const bearer = (value: string) =>
      new HttpRequest(event({ headers: { authorization: value } })).bearerToken();
    expect(bearer('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearer('bearer abc')).toBe('abc');
    expect(bearer('Basic abc')).toBeUndefined();
    expect(bearer('Bearer a b')).toBeUndefined();
  });
});
