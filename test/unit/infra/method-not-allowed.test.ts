import { describe, expect, it } from 'vitest';
import { allowedMethodsByPath, methodNotAllowed } from '#infra/method-not-allowed';
import { routes } from '#infra/routes';

describe('405 for a method a known path does not have', () => {
  it("lists each path's methods in one order, and leaves out paths an ANY route serves", () => {
    const allowed = allowedMethodsByPath([
      { method: 'DELETE', path: '/a', function: 'jwks' },
      { method: 'GET', path: '/a', function: 'jwks' },
      { method: 'POST', path: '/a', function: 'jwks' },
      { method: 'POST', path: '/b', function: 'jwks' },
      { method: 'GET', path: '/c/{proxy+}', function: 'jwks' },
      { method: 'ANY', path: '/c/{proxy+}', function: 'jwks' },
    ]);
    expect([...allowed]).toEqual([
      ['/a', ['GET', 'POST', 'DELETE']],
      ['/b', ['POST']],
    ]);
  });

  it('covers every path of infra/routes.ts but those of ANY (the protected ones)', () => {
    const allowed = allowedMethodsByPath(routes);
    expect([...allowed.keys()].sort()).toEqual(
      [...new Set(routes.map((route) => route.path))]
        .filter((path) => !['/protected/{proxy+}', '/protected/mcp'].includes(path))
        .sort(),
    );
    expect(allowed.get('/token')).toEqual(['POST']);
    expect(allowed.get('/authorize')).toEqual(['GET', 'POST']);
  });

  it('answers in the error shape of every refusal, with Allow, never cached', () => {
    expect(methodNotAllowed(['GET', 'POST', 'DELETE'])).toEqual({
      statusCode: 405,
      headers: { 'Cache-Control': 'no-store', Allow: 'GET, POST, DELETE' },
      body: {
        error: 'method_not_allowed',
        error_description: 'This endpoint accepts GET, POST or DELETE only.',
      },
    });
    expect(methodNotAllowed(['POST']).body.error_description).toBe('This endpoint accepts POST only.');
  });
});
