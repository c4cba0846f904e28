import { describe, expect, it } from 'vitest';
import { httpHandler } from '#adapters/http/handler';
import { type ApiEvent, HttpRequest, MAX_BODY_BYTES } from '#adapters/http/request';
import { json } from '#adapters/http/responses';
import { postEvent as event } from '../../../fakes/events.ts';
import { recordingLogger } from '../../../fakes/logger.ts';

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

const browserEvent = (headers: Record<string, string>): ApiEvent =>
  ({ httpMethod: 'GET', path: '/x', headers, body: null, requestContext: { requestId: 'r' } }) as ApiEvent;

describe('prefersHtml', () => {
  it.each([
    [{ accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, true],
    [{ Accept: 'TEXT/HTML' }, true],
    [{ accept: 'application/json' }, false],
    [{ accept: '*/*' }, false],
    [{}, false],
    [{ accept: 'text/htmlx' }, false],
    [{ accept: 'text/html', authorization: 'Bearer x' }, false],
  ])('%j → %s', (headers, expected) => {
    expect(new HttpRequest(browserEvent(headers)).prefersHtml()).toBe(expected);
  });
});
