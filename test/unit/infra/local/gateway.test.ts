import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { IDENTITY_HEADERS } from '#contract/protection';
import { gatewayResponse, gatewayResponses } from '#infra/gateway-responses';
import { buildProxyEvent, type IncomingRequest, methodArn } from '#infra/local/events';
import { createGateway, type Gateway, type GatewayOptions } from '#infra/local/gateway';
import { isFunctionName, type LambdaHandler } from '#infra/local/handlers';
import { evaluatePolicy, MalformedAuthorizerResult, parseAuthorizerResult } from '#infra/local/policy';
import { compileRoutes, matchRoute } from '#infra/local/routing';
import { SAMPLE_USER, SIGNS_IN_AS_SAMPLE_USER } from '#infra/local/sample-user';
import { PROJECT_ROOT } from '#infra/paths';
import { AUTHORIZER, functions, type RouteDefinition, routes } from '#infra/routes';

const ARN_PREFIX = 'arn:aws:execute-api:local:000000000000:local/local';

// biome-ignore lint/suspicious/noExplicitAny: sample events are untyped JSON.
const readEvent = (name: string): any =>
  JSON.parse(readFileSync(`${PROJECT_ROOT}/events/${name}.json`, 'utf8'));

const allow = (resource: string | string[], context: Record<string, unknown> = {}) => ({
  principalId: 'user-1',
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource }],
  },
  context,
});

describe('route matching', () => {
  const compiled = compileRoutes([
    { method: 'GET', path: '/client/{client_id}', function: 'jwks' },
    { method: 'GET', path: '/client/new', function: 'register' },
    { method: 'DELETE', path: '/client/new', function: 'logout' },
    { method: 'ANY', path: '/client/new', function: 'login' },
    { method: 'ANY', path: '/{proxy+}', function: 'protectedResource' },
    { method: 'POST', path: '/register', function: 'register' },
  ]);
  const match = (method: string, path: string) => {
    const found = matchRoute(compiled, method, path);
    return found && { path: found.route.path, function: found.route.function, params: found.pathParameters };
  };

  it('prefers a literal segment, then a parameter, then a greedy parameter', () => {
    expect(match('GET', '/client/new')).toEqual({ path: '/client/new', function: 'register', params: null });
    expect(match('GET', '/client/abc')).toEqual({
      path: '/client/{client_id}',
      function: 'jwks',
      params: { client_id: 'abc' },
    });
    expect(match('GET', '/x/y/z')).toEqual({
      path: '/{proxy+}',
      function: 'protectedResource',
      params: { proxy: 'x/y/z' },
    });
  });

  it('decodes parameter values', () => {
    expect(match('GET', '/client/a%20b%2Fc')?.params).toEqual({ client_id: 'a b/c' });
  });

  it('prefers an exact method over ANY on the same resource', () => {
    expect(match('DELETE', '/client/new')?.function).toBe('logout');
    expect(match('PATCH', '/client/new')?.function).toBe('login');
  });

  it('does not fall back to a less specific resource when the method is missing', () => {
    // `/client/{client_id}` has only GET; `/{proxy+}` with ANY would fit, but API Gateway does not use it.
    expect(match('POST', '/client/abc')).toBeUndefined();
    expect(match('GET', '/register')).toBeUndefined();
  });

  it('needs at least one character for a greedy parameter and no empty segments', () => {
    const only = compileRoutes([
      { method: 'ANY', path: '/protected/{proxy+}', function: 'protectedResource' },
    ]);
    expect(matchRoute(only, 'GET', '/protected/')).toBeUndefined();
    expect(matchRoute(only, 'GET', '/protected')).toBeUndefined();
    expect(matchRoute(only, 'GET', '/protected/a/')?.pathParameters).toEqual({ proxy: 'a/' });
    expect(match('GET', '/client//')).toEqual(expect.objectContaining({ path: '/{proxy+}' }));
    const exact = compileRoutes([{ method: 'POST', path: '/register', function: 'register' }]);
    expect(matchRoute(exact, 'POST', '/register/')).toBeUndefined();
    expect(matchRoute(exact, 'POST', '//register')).toBeUndefined();
  });
});

describe('proxy events', () => {
  const request = (overrides: Partial<IncomingRequest> = {}): IncomingRequest => ({
    method: 'GET',
    path: '/client/abc',
    query: '',
    rawHeaders: [['Host', 'localhost:3000']],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    ...overrides,
  });
  const context = { requestId: 'req-1', now: Date.UTC(2026, 0, 2, 3, 4, 5), resource: '/client/{client_id}' };

  it('keeps every value of a repeated query parameter, the last one in the single-value map', () => {
    const event = buildProxyEvent(request({ query: 'scope=a&scope=b&q=x+y%21&empty' }), {
      ...context,
      pathParameters: { client_id: 'abc' },
    });
    expect(event.queryStringParameters).toEqual({ scope: 'b', q: 'x y!', empty: '' });
    expect(event.multiValueQueryStringParameters).toEqual({ scope: ['a', 'b'], q: ['x y!'], empty: [''] });
    expect(event.pathParameters).toEqual({ client_id: 'abc' });
  });

  it('has null parameter maps and a null body when there are none', () => {
    const event = buildProxyEvent(request(), { ...context, pathParameters: null });
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
    expect(event.pathParameters).toBeNull();
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);
  });

  it('merges repeated headers whatever their case, keeping the first spelling', () => {
    const event = buildProxyEvent(
      request({
        rawHeaders: [
          ['Accept', 'text/html'],
          ['X-Trace', 'one'],
          ['x-trace', 'two'],
        ],
      }),
      { ...context, pathParameters: null },
    );
    expect(event.headers).toEqual({ Accept: 'text/html', 'X-Trace': 'two' });
    expect(event.multiValueHeaders).toEqual({ Accept: ['text/html'], 'X-Trace': ['one', 'two'] });
  });

  it('passes textual bodies as text and everything else as base64', () => {
    const form = buildProxyEvent(
      request({
        method: 'POST',
        rawHeaders: [['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8']],
        body: Buffer.from('grant_type=client_credentials&scope=r%C3%A9'),
      }),
      { ...context, pathParameters: null },
    );
    expect(form.body).toBe('grant_type=client_credentials&scope=r%C3%A9');
    expect(form.isBase64Encoded).toBe(false);

    const json = buildProxyEvent(
      request({
        method: 'POST',
        rawHeaders: [['content-type', 'application/json']],
        body: Buffer.from('{"a":"é"}'),
      }),
      { ...context, pathParameters: null },
    );
    expect(json.body).toBe('{"a":"é"}');
    expect(json.isBase64Encoded).toBe(false);

    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    const binary = buildProxyEvent(
      request({ method: 'POST', rawHeaders: [['Content-Type', 'image/png']], body: bytes }),
      { ...context, pathParameters: null },
    );
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body!, 'base64')).toEqual(bytes);
  });

  it('fills the request context as a REST API stage named local would', () => {
    const event = buildProxyEvent(request({ sourceIp: '10.1.2.3', rawHeaders: [['User-Agent', 'curl/8']] }), {
      ...context,
      pathParameters: { client_id: 'abc' },
      authorizer: { principalId: 'user-1', sub: 'user-1', integrationLatency: 3 },
    });
    expect(event).toMatchObject({
      httpMethod: 'GET',
      path: '/client/abc',
      resource: '/client/{client_id}',
      requestContext: {
        requestId: 'req-1',
        stage: 'local',
        httpMethod: 'GET',
        path: '/client/abc',
        resourcePath: '/client/{client_id}',
        requestTimeEpoch: context.now,
        requestTime: '02/Jan/2026:03:04:05 +0000',
        identity: { sourceIp: '10.1.2.3', userAgent: 'curl/8' },
        authorizer: { principalId: 'user-1', sub: 'user-1', integrationLatency: 3 },
      },
    });
  });

  it('builds method ARNs without the leading slash of the path', () => {
    expect(methodArn('GET', '/protected/a/b')).toBe(`${ARN_PREFIX}/GET/protected/a/b`);
  });
});

describe('policy evaluation', () => {
  const statements = (...list: object[]) =>
    parseAuthorizerResult({ principalId: 'p', policyDocument: { Version: '2012-10-17', Statement: list } })
      .statements;
  const arn = `${ARN_PREFIX}/GET/protected/reports/2026`;

  it('allows what an Allow statement matches, with * spanning slashes', () => {
    expect(
      evaluatePolicy(statements(allow(`${ARN_PREFIX}/*/protected/*`).policyDocument.Statement[0]!), arn),
    ).toBe('allow');
    expect(
      evaluatePolicy(
        statements({ Action: 'execute-api:*', Effect: 'Allow', Resource: `${ARN_PREFIX}/GET/*` }),
        arn,
      ),
    ).toBe('allow');
  });

  it('matches ? to exactly one character', () => {
    const policy = statements({
      Action: 'execute-api:Invoke',
      Effect: 'Allow',
      Resource: `${ARN_PREFIX}/G?T/*`,
    });
    expect(evaluatePolicy(policy, arn)).toBe('allow');
    expect(evaluatePolicy(policy, `${ARN_PREFIX}/POST/protected/reports/2026`)).toBe('deny');
  });

  it('lets an explicit Deny win over an Allow', () => {
    const policy = statements(
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${ARN_PREFIX}/*/protected/*` },
      { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${ARN_PREFIX}/GET/protected/reports/*`] },
    );
    expect(evaluatePolicy(policy, arn)).toBe('deny');
    expect(evaluatePolicy(policy, `${ARN_PREFIX}/GET/protected/other`)).toBe('allow');
  });

  it('denies when nothing matches, or only statements for other actions', () => {
    expect(
      evaluatePolicy(
        statements({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${ARN_PREFIX}/POST/*` }),
        arn,
      ),
    ).toBe('deny');
    expect(evaluatePolicy(statements({ Action: 's3:GetObject', Effect: 'Allow', Resource: '*' }), arn)).toBe(
      'deny',
    );
  });

  it('refuses results API Gateway would refuse', () => {
    const policyDocument = allow('*').policyDocument;
    expect(() => parseAuthorizerResult({ policyDocument })).toThrow(MalformedAuthorizerResult);
    expect(() => parseAuthorizerResult({ principalId: 'p' })).toThrow(MalformedAuthorizerResult);
    expect(() =>
      parseAuthorizerResult({ principalId: 'p', policyDocument, context: { nested: { a: 1 } } }),
    ).toThrow(/context.nested/);
    expect(() =>
      parseAuthorizerResult({
        principalId: 'p',
        policyDocument: { Statement: [{ Effect: 'Maybe', Action: '*' }] },
      }),
    ).toThrow(/Effect/);
  });
});

describe('gateway responses', () => {
  it('are JSON OAuth errors that are never cached, one per type', () => {
    expect(new Set(gatewayResponses.map((response) => response.type)).size).toBe(gatewayResponses.length);
    for (const response of gatewayResponses) {
      expect(response.headers['Cache-Control']).toBe('no-store');
      expect(response.body.error).toMatch(/^[a-z_]+$/);
    }
  });
});

// --- The gateway over HTTP, with fake functions ------------------------------------------------------

type Calls = { name: string; event: unknown; context: Context }[];

const ROUTES: RouteDefinition[] = [
  { method: 'POST', path: '/register', function: 'register' },
  { method: 'GET', path: '/client/{client_id}', function: 'jwks' },
  { method: 'ANY', path: '/protected/{proxy+}', function: 'protectedResource', authorized: true },
];

const gateways: Gateway[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

const echo: LambdaHandler = async (event) => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ seen: event }),
});

async function startGateway(handlers: Record<string, LambdaHandler>, options: Partial<GatewayOptions> = {}) {
  const calls: Calls = [];
  const gateway = createGateway({
    routes: ROUTES,
    authorizer: 'authorizer',
    authorizerCacheTtlSeconds: 0,
    loadHandler: async (name) => {
      const handler = handlers[name];
      if (!handler) throw new Error(`Cannot load function "${name}"`);
      return async (event, context) => {
        calls.push({ name, event, context: context as Context });
        return handler(event, context);
      };
    },
    ...options,
  });
  gateways.push(gateway);
  const url = await gateway.listen(0);
  const callsOf = (name: string) => calls.filter((call) => call.name === name);
  return { url, calls, callsOf };
}

const seenEvent = async (response: Response) =>
  ((await response.json()) as { seen: APIGatewayProxyEvent }).seen;

describe('gateway: routing and function results', () => {
  it('answers a path no route names with the 404 gateway response', async () => {
    const { url, calls } = await startGateway({ register: echo });
    for (const path of ['/nowhere', '/client', '/register/x', '/protected']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({
        error: 'not_found',
        error_description: 'There is no such endpoint.',
      });
    }
    expect(calls).toHaveLength(0);
  });

  it('answers a known path with another method 405, naming its methods in Allow, without calling a function', async () => {
    const { url, calls } = await startGateway({ register: echo, jwks: echo });
    for (const [method, path, allow] of [
      ['GET', '/register', 'POST'],
      ['PUT', '/register', 'POST'],
      ['DELETE', '/client/abc', 'GET'],
    ] as const) {
      const response = await fetch(`${url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({
        error: 'method_not_allowed',
        error_description: `This endpoint accepts ${allow} only.`,
      });
    }
    const head = await fetch(`${url}/client/abc`, { method: 'HEAD' });
    expect(head.status).toBe(405);
    expect(calls).toHaveLength(0);
  });

  it('answers 405 for every path of infra/routes.ts with its own methods, and never on an ANY route', async () => {
    const gateway = createGateway({ loadHandler: async () => echo });
    gateways.push(gateway);
    const url = await gateway.listen(0);
    const response = await fetch(`${url}/token`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    const client = await fetch(`${url}/client`, { method: 'PUT' });
    expect(client.headers.get('allow')).toBe('GET, POST');
    expect((await client.json()).error_description).toBe('This endpoint accepts GET or POST only.');
  });

  it('calls the function with a proxy event and a Lambda context', async () => {
    const { url, callsOf } = await startGateway({ jwks: echo });
    const response = await fetch(`${url}/client/c%201?x=1&x=2`, { headers: { 'X-Custom': 'yes' } });
    expect(response.status).toBe(200);
    const event = await seenEvent(response);
    expect(event).toMatchObject({
      httpMethod: 'GET',
      path: '/client/c%201',
      resource: '/client/{client_id}',
      pathParameters: { client_id: 'c 1' },
      queryStringParameters: { x: '2' },
      multiValueQueryStringParameters: { x: ['1', '2'] },
      body: null,
      isBase64Encoded: false,
      requestContext: {
        stage: 'local',
        resourcePath: '/client/{client_id}',
        identity: { sourceIp: '127.0.0.1' },
      },
    });
    expect(event.headers['X-Custom'] ?? event.headers['x-custom']).toBe('yes');
    expect(event.requestContext.authorizer).toBeUndefined();
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const [call] = callsOf('jwks');
    expect(call!.context.functionName).toBe('jwks');
    expect(call!.context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(call!.context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });

  it('passes a binary request body base64-encoded', async () => {
    const { url } = await startGateway({ register: echo });
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252]);
    const event = await seenEvent(
      await fetch(`${url}/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: bytes,
      }),
    );
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64')).toEqual(bytes);
  });

  it('sends every Set-Cookie of multiValueHeaders and merges headers', async () => {
    const { url } = await startGateway({
      register: async () => ({
        statusCode: 201,
        headers: { 'Content-Type': 'text/plain', 'X-One': 'a' },
        multiValueHeaders: { 'Set-Cookie': ['a=1; HttpOnly', 'b=2; Secure'], 'X-One': ['a'] },
        body: 'created',
      }),
    });
    const response = await fetch(`${url}/register`, { method: 'POST' });
    expect(response.status).toBe(201);
    expect(response.headers.getSetCookie()).toEqual(['a=1; HttpOnly', 'b=2; Secure']);
    expect(response.headers.get('x-one')).toBe('a');
    expect(await response.text()).toBe('created');
  });

  it('decodes a base64 result body', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff]);
    const { url } = await startGateway({
      register: async () => ({
        statusCode: 200,
        headers: { 'Content-Type': 'image/png' },
        body: bytes.toString('base64'),
        isBase64Encoded: true,
      }),
    });
    const response = await fetch(`${url}/register`, { method: 'POST' });
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
    expect(response.headers.get('content-length')).toBe(String(bytes.length));
  });

  it.each([
    ['throws', async () => Promise.reject(new Error('boom'))],
    ['returns no object', async () => 'hello'],
    ['returns no status code', async () => ({ body: 'x' })],
    ['returns a non-string body', async () => ({ statusCode: 200, body: { a: 1 } })],
    ['returns a nested header value', async () => ({ statusCode: 200, headers: { a: { b: 1 } } })],
  ])('answers 502 when the function %s', async (_, handler) => {
    const { url } = await startGateway({ register: handler as LambdaHandler });
    const response = await fetch(`${url}/register`, { method: 'POST' });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual(gatewayResponse('DEFAULT_5XX').body);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 502 when the function cannot be loaded', async () => {
    const { url } = await startGateway({});
    const response = await fetch(`${url}/register`, { method: 'POST' });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: string }).error).toBe('server_error');
  });

  it('refuses a body over the limit with 413 before calling the function', async () => {
    const { url, calls } = await startGateway({ register: echo }, { maxRequestBytes: 1000 });
    const response = await fetch(`${url}/register`, { method: 'POST', body: 'x'.repeat(1001) });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
    expect(calls).toHaveLength(0);
    expect((await fetch(`${url}/register`, { method: 'POST', body: 'x'.repeat(1000) })).status).toBe(200);
  });
});

describe('gateway: the TOKEN authorizer', () => {
  const authorizerEvents = (calls: Calls) =>
    calls
      .filter((call) => call.name === 'authorizer')
      .map((call) => call.event as APIGatewayTokenAuthorizerEvent);

  it('answers 401 without calling the authorizer when there is no Authorization header', async () => {
    const { url, calls } = await startGateway({
      authorizer: async () => allow('*'),
      protectedResource: echo,
    });
    const response = await fetch(`${url}/protected/a`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(((await response.json()) as { error: string }).error).toBe('invalid_token');
    expect(calls).toHaveLength(0);
  });

  it('answers 401 when the authorizer throws Unauthorized', async () => {
    const { url, callsOf } = await startGateway({
      authorizer: async () => {
        throw new Error('Unauthorized');
      },
      protectedResource: echo,
    });
    const response = await fetch(`${url}/protected/a`, { headers: { Authorization: 'Bearer bad' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(callsOf('authorizer')).toHaveLength(1);
    expect(callsOf('protectedResource')).toHaveLength(0);
  });

  it('answers 403 insufficient_scope when the policy denies the method ARN', async () => {
    const { url, callsOf } = await startGateway({
      authorizer: async () => ({
        ...allow(`${ARN_PREFIX}/*/protected/*`),
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${ARN_PREFIX}/*/protected/*` },
            { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: `${ARN_PREFIX}/DELETE/protected/*` },
          ],
        },
      }),
      protectedResource: echo,
    });
    const response = await fetch(`${url}/protected/a`, {
      method: 'DELETE',
      headers: { Authorization: 'Bearer t' },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    expect(((await response.json()) as { error: string }).error).toBe('insufficient_scope');
    expect(callsOf('protectedResource')).toHaveLength(0);
  });

  it('answers 500 when the authorizer fails otherwise or answers something malformed', async () => {
    for (const authorizer of [
      async () => Promise.reject(new Error('kaput')),
      async () => ({ principalId: 'p', policyDocument: allow('*').policyDocument, context: { list: [1] } }),
      async () => ({ policyDocument: allow('*').policyDocument }),
    ]) {
      const { url, callsOf } = await startGateway({ authorizer, protectedResource: echo });
      const response = await fetch(`${url}/protected/a`, { headers: { Authorization: 'Bearer t' } });
      expect(response.status).toBe(500);
      expect(((await response.json()) as { error: string }).error).toBe('server_error');
      expect(callsOf('protectedResource')).toHaveLength(0);
    }
  });

  it('sends the TOKEN event and passes principalId and context to the function', async () => {
    const { url, calls } = await startGateway({
      authorizer: async () =>
        allow(`${ARN_PREFIX}/*/protected/*`, { sub: 'user-1', scope: 'read', exp: 1767225600, fresh: true }),
      protectedResource: echo,
    });
    const response = await fetch(`${url}/protected/items/42`, {
      headers: { Authorization: 'Bearer token-1' },
    });
    expect(response.status).toBe(200);
    expect(authorizerEvents(calls)).toEqual([
      {
        type: 'TOKEN',
        authorizationToken: 'Bearer token-1',
        methodArn: `${ARN_PREFIX}/GET/protected/items/42`,
      },
    ]);
    const event = await seenEvent(response);
    expect(event.requestContext.authorizer).toMatchObject({
      principalId: 'user-1',
      sub: 'user-1',
      scope: 'read',
      exp: '1767225600',
      fresh: 'true',
    });
    expect(event.pathParameters).toEqual({ proxy: 'items/42' });
  });

  it('checks the method ARN of the path with dot segments resolved', async () => {
    const { url, calls } = await startGateway({
      authorizer: async () => allow(`${ARN_PREFIX}/*/protected/*`),
      protectedResource: echo,
    });
    const { port } = new URL(url);
    // fetch() would resolve `..` itself; a raw request sends it as written.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      httpRequest({
        host: '127.0.0.1',
        port,
        path: '/protected/public/%2e%2e/admin',
        headers: { Authorization: 'x' },
      })
        .on('response', (response: IncomingMessage) => {
          response.resume();
          resolve(response.statusCode);
        })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
    expect(authorizerEvents(calls)[0]?.methodArn).toBe(`${ARN_PREFIX}/GET/protected/admin`);
  });

  it('caches the answer per Authorization header and evaluates it against each request', async () => {
    let now = Date.UTC(2026, 0, 1);
    const { url, calls } = await startGateway(
      {
        authorizer: async (event) =>
          (event as APIGatewayTokenAuthorizerEvent).authorizationToken === 'Bearer narrow'
            ? allow(`${ARN_PREFIX}/GET/protected/a`)
            : allow(`${ARN_PREFIX}/*/protected/*`),
        protectedResource: echo,
      },
      { authorizerCacheTtlSeconds: 30, now: () => now },
    );
    const get = (path: string, token: string) =>
      fetch(`${url}${path}`, { headers: { Authorization: token } });

    expect((await get('/protected/a', 'Bearer wide')).status).toBe(200);
    expect((await get('/protected/b', 'Bearer wide')).status).toBe(200);
    expect(authorizerEvents(calls)).toHaveLength(1);

    // The cached policy of another token is evaluated again for each path, without another call.
    expect((await get('/protected/a', 'Bearer narrow')).status).toBe(200);
    expect((await get('/protected/b', 'Bearer narrow')).status).toBe(403);
    expect(authorizerEvents(calls)).toHaveLength(2);

    now += 31_000;
    expect((await get('/protected/b', 'Bearer wide')).status).toBe(200);
    expect(authorizerEvents(calls)).toHaveLength(3);
  });

  it('calls the authorizer for every request when the cache TTL is 0', async () => {
    const { url, calls } = await startGateway({
      authorizer: async () => allow('*'),
      protectedResource: echo,
    });
    await fetch(`${url}/protected/a`, { headers: { Authorization: 'Bearer t' } });
    await fetch(`${url}/protected/a`, { headers: { Authorization: 'Bearer t' } });
    expect(authorizerEvents(calls)).toHaveLength(2);
  });
});

describe('gateway: HTTP backends', () => {
  async function startBackend() {
    const received: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          method: request.method!,
          url: request.url!,
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
        });
        response.writeHead(207, { 'Content-Type': 'text/plain', 'X-Backend': 'yes' });
        response.end('from backend');
      });
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, received };
  }

  const identityContext = { sub: 'user-1', client_id: 'client-1', scope: 'read write', jti: 'token-1' };

  it('forwards authorized requests with identity headers, after removing spoofed ones', async () => {
    const backend = await startBackend();
    const { url, callsOf } = await startGateway(
      { authorizer: async () => allow(`${ARN_PREFIX}/*/protected/*`, identityContext) },
      { protectedBackendUrl: backend.url },
    );
    const response = await fetch(`${url}/protected/items/42?q=1&q=2`, {
      method: 'POST',
      headers: {
        Authorization: 'Bearer t',
        'Content-Type': 'application/json',
        'X-Tinyoauth-Sub': 'admin',
        'x-tinyoauth-scope': 'everything',
        'X-TINYOAUTH-CLIENT-ID': 'evil',
      },
      body: '{"n":1}',
    });
    expect(response.status).toBe(207);
    expect(response.headers.get('x-backend')).toBe('yes');
    expect(await response.text()).toBe('from backend');
    expect(callsOf('protectedResource')).toHaveLength(0);

    const [seen] = backend.received;
    expect(seen).toMatchObject({ method: 'POST', url: '/api/items/42?q=1&q=2', body: '{"n":1}' });
    expect(seen!.headers['content-type']).toBe('application/json');
    for (const [key, header] of Object.entries(IDENTITY_HEADERS)) {
      expect(seen!.headers[header.toLowerCase()]).toBe(identityContext[key as keyof typeof identityContext]);
    }
  });

  it('never forwards a client identity header, even when the authorizer context lacks that key', async () => {
    const backend = await startBackend();
    const { url } = await startGateway(
      { authorizer: async () => allow('*', { sub: 'user-1' }) },
      { protectedBackendUrl: backend.url },
    );
    await fetch(`${url}/protected/x`, {
      headers: { Authorization: 'Bearer t', 'X-Tinyoauth-Scope': 'admin' },
    });
    expect(backend.received[0]!.headers[IDENTITY_HEADERS.scope.toLowerCase()]).toBeUndefined();
    expect(backend.received[0]!.headers[IDENTITY_HEADERS.sub.toLowerCase()]).toBe('user-1');
  });

  it('drops every spelling of the identity headers a client sends: any case, - or _ between words', async () => {
    const backend = await startBackend();
    const { url } = await startGateway(
      { authorizer: async () => allow('*', identityContext) },
      { protectedBackendUrl: backend.url },
    );
    // fetch() refuses nothing here: underscores are legal in header names (RFC 9110 token).
    await fetch(`${url}/protected/x`, {
      headers: {
        Authorization: 'Bearer t',
        X_Tinyoauth_Sub: 'attacker',
        'X-Tinyoauth_Client-Id': 'evil-client',
        x_tinyoauth_scope: 'write admin',
        'x-TINYOAUTH-token_id': 'forged',
        'X_TINYOAUTH-Anything-Else': 'forged',
        'X-Tinyoauthish': 'kept',
      },
    });
    const seen = backend.received[0]!.headers;
    const forged = Object.keys(seen).filter((name) => /^x[-_]tinyoauth[-_]/i.test(name));
    expect(forged.sort()).toEqual(
      Object.values(IDENTITY_HEADERS)
        .map((name) => name.toLowerCase())
        .sort(),
    );
    for (const [key, header] of Object.entries(IDENTITY_HEADERS)) {
      expect(seen[header.toLowerCase()]).toBe(identityContext[key as keyof typeof identityContext]);
    }
    expect(seen['x-tinyoauthish']).toBe('kept');
  });

  it('answers 502 JSON when the backend cannot be reached', async () => {
    const backend = await startBackend();
    const unreachable = backend.url;
    await Promise.all(
      servers.splice(0).map((server) => {
        server.closeAllConnections();
        return new Promise((resolve) => server.close(resolve));
      }),
    );
    const { url } = await startGateway(
      { authorizer: async () => allow('*') },
      { protectedBackendUrl: unreachable },
    );
    const response = await fetch(`${url}/protected/x`, { headers: { Authorization: 'Bearer t' } });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual(gatewayResponse('DEFAULT_5XX').body);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});

describe('sample events (events/*.json, for npm run invoke)', () => {
  const directory = `${PROJECT_ROOT}/events`;
  const files = readdirSync(directory).filter((file) => file.endsWith('.json'));
  // `npm run invoke -- <function> events/<function>.json`, as the README writes it.
  const functionOf = (file: string) => file.replace(/\.json$/, '');
  const compiled = compileRoutes(routes);

  it('are one per function of infra/routes.ts, named exactly like it', () => {
    expect(files.map(functionOf).sort()).toEqual(Object.keys(functions).sort());
  });

  it('sign in as the sample user npm run invoke registers, and register users of other names', () => {
    const form = (name: string) => new URLSearchParams(readEvent(name).body);
    expect(JSON.parse(readEvent('login').body)).toEqual(SAMPLE_USER);
    expect({ username: form('signIn').get('username'), password: form('signIn').get('password') }).toEqual(
      SAMPLE_USER,
    );
    expect(JSON.parse(readEvent('register').body).username).not.toBe(SAMPLE_USER.username);
    expect(form('signUp').get('username')).not.toBe(SAMPLE_USER.username);
    expect([...SIGNS_IN_AS_SAMPLE_USER].sort()).toEqual(['login', 'signIn']);
  });

  it.each(files)('%s is an event of its function, as the gateway would build it', (file) => {
    const name = functionOf(file);
    expect(isFunctionName(name), `${file} names no function of infra/routes.ts`).toBe(true);
    const event = readEvent(name);

    if (name === AUTHORIZER) {
      expect(event.type).toBe('TOKEN');
      expect(event.authorizationToken).toEqual(expect.any(String));
      const [, method, path] = /^arn:aws:execute-api:local:000000000000:local\/local\/([A-Z]+)(\/.*)$/.exec(
        event.methodArn,
      )!;
      expect(matchRoute(compiled, method!, path!)?.route.authorized).toBe(true);
      return;
    }
    const match = matchRoute(compiled, event.httpMethod, event.path);
    expect(match?.route.function).toBe(name);
    expect(event.resource).toBe(match?.route.path);
    expect(event.requestContext.resourcePath).toBe(match?.route.path);
    expect(event.pathParameters).toEqual(match?.pathParameters);
    expect(event.requestContext.authorizer !== undefined).toBe(match?.route.authorized === true);
    if (event.isBase64Encoded === false && event.body !== null)
      expect(event.body).toEqual(expect.any(String));
  });
});
