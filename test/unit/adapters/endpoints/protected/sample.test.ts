import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createSampleBackendHandler } from '#adapters/endpoints/protected/sample';
import { silentLogger } from '../../../../fakes/logger.ts';

const handler = createSampleBackendHandler(silentLogger);

function event(overrides: {
  method?: string;
  path?: string;
  authorizer?: Record<string, unknown> | null;
  headers?: Record<string, string>;
}): APIGatewayProxyEvent {
  const path = overrides.path ?? '/protected/resource';
  return {
    httpMethod: overrides.method ?? 'POST',
    path,
    resource: '/protected/{proxy+}',
    pathParameters: { proxy: path.replace(/^\/protected\//, '') },
    headers: overrides.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      requestId: 'req-1',
      ...(overrides.authorizer === null ? {} : { authorizer: overrides.authorizer }),
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

const identity = {
  principalId: 'user-1',
  sub: 'user-1',
  client_id: 'client-1',
  scope: 'openid read',
  jti: 'at-1',
};

describe('protected sample service', () => {
  it('answers POST /protected/resource with the caller identity the authorizer passed', async () => {
    const result = await handler(event({ authorizer: identity }));
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['Cache-Control']).toBe('no-store');
    expect(JSON.parse(result.body)).toEqual({
      message: 'Hello from the tinyoauth sample protected service.',
      method: 'POST',
      path: '/protected/resource',
      caller: { sub: 'user-1', client_id: 'client-1', scope: 'openid read', token_id: 'at-1' },
    });
  });

  it('answers any other method and path under /protected the same way', async () => {
    const result = await handler(
      event({ method: 'DELETE', path: '/protected/a/b', authorizer: { ...identity, scope: '' } }),
    );
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({
      method: 'DELETE',
      path: '/protected/a/b',
      caller: { scope: '' },
    });
  });

  it('refuses with 401 invalid_token when there is no authorizer context, whatever the headers claim', async () => {
    const headers = {
      Authorization: 'Bearer x.y.z',
      'X-Tinyoauth-Sub': 'admin',
      'X-Tinyoauth-Client-Id': 'c',
    };
    for (const authorizer of [null, {}, { ...identity, sub: '' }, { ...identity, jti: 7 }]) {
      const result = await handler(event({ authorizer, headers }));
      expect(result.statusCode).toBe(401);
      expect(result.headers?.['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
      expect(JSON.parse(result.body)).toMatchObject({ error: 'invalid_token' });
    }
  });
});
