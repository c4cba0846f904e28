import { describe, expect, it } from 'vitest';
import { httpHandler } from '#adapters/http/handler';
import type { ApiEvent } from '#adapters/http/request';
import { InvalidRequest, TooManyAttempts } from '#core/errors';
import { recordingLogger } from '../../../fakes/logger.ts';

const event = (headers: Record<string, string>): ApiEvent =>
  ({ httpMethod: 'GET', path: '/x', headers, body: null, requestContext: { requestId: 'r' } }) as ApiEvent;

describe('httpHandler for pages', () => {
  const { logger, lines } = recordingLogger();
  const failing = (error: unknown) => httpHandler(async () => Promise.reject(error), { logger, pages: true });

  it('answers a browser with an error page and an API caller with JSON', async () => {
    const refused = failing(new InvalidRequest('Bad <thing>.'));
    const asPage = await refused(event({ accept: 'text/html' }));
    expect(asPage.statusCode).toBe(400);
    expect(asPage.headers?.['Content-Type']).toBe('text/html; charset=utf-8');
    expect(asPage.body).toContain('Bad &lt;thing&gt;.');
    const asJson = await refused(event({ accept: 'application/json' }));
    expect(asJson.statusCode).toBe(400);
    expect(JSON.parse(asJson.body)).toEqual({ error: 'invalid_request', error_description: 'Bad <thing>.' });
  });

  it('never shows an unexpected error, and logs it', async () => {
    const result = await failing(new Error('secret internals'))(event({ accept: 'text/html' }));
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('secret internals');
    expect(result.body).toContain('An unexpected error occurred.');
    expect(lines.join('\n')).toContain('secret internals');
  });

  it('keeps Retry-After for a lockout page', async () => {
    const result = await failing(new TooManyAttempts('Locked.', 90))(event({ accept: 'text/html' }));
    expect(result.statusCode).toBe(429);
    expect(result.headers?.['Retry-After']).toBe('90');
  });
});
