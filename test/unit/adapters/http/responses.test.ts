import { describe, expect, it } from 'vitest';
import { errorPage } from '#adapters/http/errors';
import { seeOther, toApiResult } from '#adapters/http/responses';
import { OAuthError } from '#core/errors';

describe('responses', () => {
  it('sends each cookie as its own Set-Cookie line', () => {
    const result = toApiResult(
      seeOther('https://auth.example.com/authorize?a=1', ['a=1; Path=/', 'b=2; Path=/']),
    );
    expect(result.statusCode).toBe(303);
    expect(result.headers?.Location).toBe('https://auth.example.com/authorize?a=1');
    expect(result.headers?.['Set-Cookie']).toBeUndefined();
    expect(result.multiValueHeaders).toEqual({ 'Set-Cookie': ['a=1; Path=/', 'b=2; Path=/'] });
  });

  it('sets no multiValueHeaders without cookies', () => {
    expect(toApiResult(seeOther('https://a.example/')).multiValueHeaders).toBeUndefined();
  });

  it('keeps Retry-After on an error page and nothing else from the error', () => {
    class SlowDown extends OAuthError {
      readonly status = 429;
      readonly code = 'slow_down';
    }
    const response = errorPage(
      new SlowDown('Slow down <now>', { headers: { 'Retry-After': '60', 'X-Other': 'no' } }),
    );
    expect(response.status).toBe(429);
    expect(response.headers?.['Retry-After']).toBe('60');
    expect(response.headers?.['X-Other']).toBeUndefined();
    expect(response.body).toContain('Slow down &lt;now&gt;');
  });
});
