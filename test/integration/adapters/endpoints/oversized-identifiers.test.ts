/**
 * Every value that becomes a DynamoDB key, sent far larger than any key tinyoauth stores (DynamoDB
 * refuses partition keys over 2048 bytes), at every endpoint that reads one: each answers with its
 * own 4xx and OAuth error, reads nothing, and logs no error.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiHandler } from '#adapters/http/handler';
import type { ApiResult } from '#adapters/http/responses';
import {
  authorizeEndpoint,
  clientDeleteEndpoint,
  endSessionEndpoint,
  introspectEndpoint,
  loginEndpoint,
  registerEndpoint,
  revokeEndpoint,
  signUpEndpoint,
  tokenEndpoint,
} from '#app/endpoints';
import { signInEndpoint } from '#app/passkey-endpoints';
import { accounts } from '#app/services';
import { apiEvent, basic, pkce } from '../../../fakes/events.ts';
import { recordingLogger } from '../../../fakes/logger.ts';
import { testRuntime, uniqueName } from '../../../fakes/runtime.ts';

const HUGE = 'x'.repeat(3 * 1024);
const HTML_ACCEPT = 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8';
const json = (result: ApiResult) => JSON.parse(result.body) as Record<string, unknown>;

let runtime: Awaited<ReturnType<typeof testRuntime>>;
let lines: string[];
let handlers: Record<string, ApiHandler>;
let session: string;

beforeAll(async () => {
  const recorded = recordingLogger();
  lines = recorded.lines;
  runtime = { ...(await testRuntime()), logger: recorded.logger };
  handlers = {
    authorize: authorizeEndpoint(runtime),
    token: tokenEndpoint(runtime),
    revoke: revokeEndpoint(runtime),
    introspect: introspectEndpoint(runtime),
    signIn: signInEndpoint(runtime),
    signUp: signUpEndpoint(runtime),
    login: loginEndpoint(runtime),
    register: registerEndpoint(runtime),
    clientDelete: clientDeleteEndpoint(runtime),
    endSession: endSessionEndpoint(runtime),
  };
  const username = uniqueName();
  await accounts(runtime).register(username, 'correct horse battery');
  session = (await accounts(runtime).login(username, 'correct horse battery')).token;
});

/** Runs one request and checks that it read nothing from DynamoDB and logged no error. */
async function send(handler: string, event: Parameters<ApiHandler>[0]): Promise<ApiResult> {
  const before = runtime.requests.length;
  const logged = lines.length;
  const result = await handlers[handler]!(event);
  expect(runtime.requests.slice(before).map((request) => request.operation)).toEqual([]);
  expect(lines.slice(logged).filter((line) => line.includes('"level":"error"'))).toEqual([]);
  return result;
}

const authorizeQuery = (clientId: string) => ({
  response_type: 'code',
  client_id: clientId,
  redirect_uri: 'https://app.example.com/callback',
  state: 'xyz',
  code_challenge: pkce().challenge,
  code_challenge_method: 'S256',
});

describe('a 3 KB client_id', () => {
  it('at /authorize is an unknown client: 400 JSON for an API caller, a page for a browser', async () => {
    const query = authorizeQuery(HUGE);
    const api = await send(
      'authorize',
      apiEvent({ path: '/authorize', query, headers: { authorization: `Bearer ${session}` } }),
    );
    expect(api.statusCode).toBe(400);
    expect(api.headers?.Location).toBeUndefined();
    expect(json(api).error).toBe('invalid_client');
    const page = await send(
      'authorize',
      apiEvent({ path: '/authorize', query, headers: { accept: HTML_ACCEPT } }),
    );
    expect(page.statusCode).toBe(400);
    expect(page.headers?.['Content-Type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('The client is not registered.');
  });

  it.each([
    [
      '/token, in the body',
      'token',
      { grant_type: 'client_credentials', client_id: HUGE, client_secret: 's' },
      undefined,
    ],
    ['/token, in HTTP Basic', 'token', { grant_type: 'client_credentials' }, basic(HUGE, 'secret')],
    ['/revoke', 'revoke', { token: 'x' }, basic(HUGE, 'secret')],
    ['/introspect', 'introspect', { token: 'x', client_id: HUGE }, undefined],
  ])('at %s is invalid_client (401)', async (_name, handler, form, authorization) => {
    const headers: Record<string, string> = authorization ? { authorization } : {};
    const result = await send(handler, apiEvent({ path: `/${handler}`, form, headers }));
    expect(result.statusCode).toBe(401);
    expect(json(result).error).toBe('invalid_client');
  });

  it.each([
    ['GET /signin', 'signIn', '/signin'],
    ['GET /signup', 'signUp', '/signup'],
  ])('in the request carried to %s is the unknown-client page (400)', async (_name, handler, path) => {
    const query = authorizeQuery(HUGE);
    const result = await send(handler, apiEvent({ path, query, headers: { accept: HTML_ACCEPT } }));
    expect(result.statusCode).toBe(400);
    expect(result.body).toContain('The client is not registered.');
  });

  it('at /end_session is an unregistered client: the 400 page, and nobody is signed out', async () => {
    const query = { client_id: HUGE, post_logout_redirect_uri: 'https://app.example.com/bye' };
    const result = await send(
      'endSession',
      apiEvent({ path: '/end_session', query, headers: { accept: HTML_ACCEPT } }),
    );
    expect(result.statusCode).toBe(400);
    expect(result.headers?.Location).toBeUndefined();
    expect(result.body).toContain('The client is not registered.');
  });

  it('at DELETE /client/{client_id} is not_found (404)', async () => {
    const before = runtime.requests.length;
    const result = await handlers.clientDelete!(
      apiEvent({
        method: 'DELETE',
        path: `/client/${HUGE}`,
        headers: { authorization: `Bearer ${session}` },
        pathParameters: { client_id: HUGE },
      }),
    );
    expect(result.statusCode).toBe(404);
    expect(json(result).error).toBe('not_found');
    // The session is read to authenticate the owner; the client never is.
    expect(runtime.requests.slice(before).map((request) => request.operation)).toEqual(['GetItem']);
  });
});

describe('a session token whose (unverified) jti is 3 KB', () => {
  // Forged: its signature is never checked before the read ahead would have used the jti as a key.
  const forged = [
    Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT' })).toString('base64url'),
    Buffer.from(JSON.stringify({ sub: 'someone', jti: HUGE })).toString('base64url'),
    'c2lnbmF0dXJl',
  ].join('.');

  it.each([
    ['as a bearer token', { authorization: `Bearer ${forged}` }],
    ['as the session cookie', { accept: HTML_ACCEPT, cookie: `tinyoauth_session=${forged}` }],
  ])(
    '%s at /authorize reads the client alone, and the request ends as without a session',
    async (_name, headers) => {
      const before = runtime.requests.length;
      const logged = lines.length;
      const result = await handlers.authorize!(
        apiEvent({ path: '/authorize', query: authorizeQuery('unregistered-client'), headers }),
      );
      expect(runtime.requests.slice(before).map((request) => request.operation)).toEqual(['GetItem']);
      expect(lines.slice(logged).filter((line) => line.includes('"level":"error"'))).toEqual([]);
      expect(result.statusCode).toBe(400);
    },
  );
});

describe('a 3 KB username', () => {
  it('at /login is wrong credentials (401), and at /register invalid_request (400)', async () => {
    const login = await send(
      'login',
      apiEvent({ path: '/login', json: { username: HUGE, password: 'whatever pw' } }),
    );
    expect(login.statusCode).toBe(401);
    expect(json(login).error).toBe('invalid_credentials');
    const register = await send(
      'register',
      apiEvent({ path: '/register', json: { username: HUGE, password: 'long enough' } }),
    );
    expect(register.statusCode).toBe(400);
    expect(json(register).error).toBe('invalid_request');
  });
});
