/**
 * OpenID Connect against DynamoDB Local, through the handlers as Lambda calls them: ID tokens at /token
 * (code and refresh), `max_age`, /userinfo with its RFC 6750 answers, CORS for browser clients, loopback
 * redirect URIs on any port, and the client authentication method named in `invalid_client`.
 */
import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizeHandler } from '#adapters/endpoints/oauth/authorize';
import { createRevokeHandler } from '#adapters/endpoints/oauth/revoke';
import { createTokenHandler } from '#adapters/endpoints/oauth/token';
import { createUserInfoHandler } from '#adapters/endpoints/oidc/userinfo';
import type { ApiResult } from '#adapters/http/responses';
import {
  accounts as accountsOf,
  authorization,
  clients,
  revocation,
  sessions as sessionsOf,
  tokenGrants,
  userInfo,
} from '#app/services';
import { tableName } from '#contract/tables';
import type { ClientRecord } from '#core/clients/records';
import { accessTokenHash } from '#core/oidc/id-token';
import { sha256 } from '#core/secrets';
import { apiEvent, basic, pkce } from '../../../fakes/events.ts';
import { silentLogger } from '../../../fakes/logger.ts';
import { storeItem, testRuntime, uniqueName } from '../../../fakes/runtime.ts';

const REDIRECT = 'https://app.example.com/callback';
const PASSWORD = 'correct horse battery';

type Env = Awaited<ReturnType<typeof setup>>;
type TestClient = ClientRecord & { secret: string };

async function setup() {
  const runtime = await testRuntime();
  const accounts = accountsOf(runtime);
  const handlers = {
    authorize: createAuthorizeHandler({
      authorization: authorization(runtime),
      sessions: sessionsOf(runtime),
      logger: silentLogger,
    }),
    token: createTokenHandler(clients(runtime), tokenGrants(runtime), silentLogger),
    revoke: createRevokeHandler(clients(runtime), revocation(runtime), silentLogger),
    userinfo: createUserInfoHandler(userInfo(runtime), clients(runtime), silentLogger),
  };
  const username = uniqueName();
  const { sub } = await accounts.register(username, PASSWORD, { email: 'Ada@Example.COM', name: ' Ada L. ' });
  const login = async () => (await accounts.login(username, PASSWORD)).token;

  async function client(overrides: Partial<ClientRecord> = {}): Promise<TestClient> {
    const secret = randomBytes(32).toString('base64url');
    const record: ClientRecord = {
      clientId: uniqueName('client'),
      owner: 'owner',
      clientName: 'OIDC app',
      redirectUris: [REDIRECT],
      grantTypes: ['authorization_code', 'refresh_token'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      scope: 'read openid profile email',
      secretHash: sha256(secret),
      clientIdIssuedAt: 0,
      ...overrides,
    };
    await storeItem(runtime.db, tableName(runtime.config.tablePrefix, 'clients'), { ...record });
    return { ...record, secret };
  }
  return { runtime, handlers, username, sub, login, client };
}

const body = (result: ApiResult) => JSON.parse(result.body);
const location = (result: ApiResult) => new URL(String(result.headers?.Location));

/** An API caller's authorization request (the bearer session approves); its answer and the code. */
async function authorize(env: Env, c: TestClient, query: Record<string, string> = {}, token?: string) {
  const { verifier, challenge } = pkce();
  const params = {
    response_type: 'code',
    client_id: c.clientId,
    redirect_uri: REDIRECT,
    scope: 'openid profile email',
    state: 'xyz',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...query,
  };
  const headers = { authorization: `Bearer ${token ?? (await env.login())}` };
  const result = await env.handlers.authorize(apiEvent({ path: '/authorize', headers, query: params }));
  const code = result.statusCode === 302 ? location(result).searchParams.get('code') : null;
  return { result, code, verifier, redirectUri: params.redirect_uri };
}

async function tokens(env: Env, c: TestClient, query: Record<string, string> = {}) {
  const { code, verifier, redirectUri } = await authorize(env, c, query);
  const form = {
    grant_type: 'authorization_code',
    code: code ?? '',
    redirect_uri: redirectUri,
    code_verifier: verifier,
  };
  const result = await env.handlers.token(
    apiEvent({ path: '/token', form, headers: { authorization: basic(c.clientId, c.secret) } }),
  );
  expect(result.statusCode, result.body).toBe(200);
  return body(result) as { access_token: string; refresh_token: string; id_token?: string; scope: string };
}

async function verifyIdToken(env: Env, idToken: string) {
  const keys = createLocalJWKSet({ keys: await env.runtime.keyRing.publicKeys() });
  const { payload } = await jwtVerify(idToken, keys, {
    issuer: env.runtime.config.issuer,
    currentDate: new Date(env.runtime.clock()),
  });
  return payload;
}

describe('ID tokens at the token endpoint', () => {
  let env: Env;
  beforeAll(async () => {
    env = await setup();
  });

  it('issues an RS256 ID token with every claim of OIDC Core §2 and the profile the scopes release', async () => {
    const c = await env.client();
    const nonce = 'n-0S6_WzA2Mj';
    const issued = await tokens(env, c, { nonce });
    const idToken = issued.id_token as string;
    expect(decodeProtectedHeader(idToken)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const claims = await verifyIdToken(env, idToken);
    const now = Math.floor(env.runtime.clock() / 1000);
    expect(claims).toEqual({
      iss: env.runtime.config.issuer,
      sub: env.sub,
      aud: c.clientId,
      iat: now,
      exp: now + env.runtime.config.accessTokenTtlSeconds,
      auth_time: now,
      nonce,
      amr: ['pwd'],
      sid: expect.any(String),
      at_hash: accessTokenHash(issued.access_token),
      preferred_username: env.username,
      name: 'Ada L.',
      updated_at: now,
      email: 'Ada@example.com',
      email_verified: false,
    });
  });

  it('signs with ES256 for a client that registered it, and leaves out claims no scope asked for', async () => {
    const c = await env.client({ idTokenSignedResponseAlg: 'ES256' });
    const issued = await tokens(env, c, { scope: 'openid' });
    expect(decodeProtectedHeader(issued.id_token as string).alg).toBe('ES256');
    const claims = await verifyIdToken(env, issued.id_token as string);
    expect(claims).not.toHaveProperty('nonce');
    expect(claims).not.toHaveProperty('preferred_username');
    expect(claims).not.toHaveProperty('email');
  });

  it('issues no ID token without openid, and the default scope of a request is never openid', async () => {
    const c = await env.client();
    expect(await tokens(env, c, { scope: 'read' })).not.toHaveProperty('id_token');
    // An empty parameter is an absent one (RFC 6749 §3.1).
    const defaulted = await tokens(env, c, { scope: '' });
    expect(defaulted).not.toHaveProperty('id_token');
    expect(defaulted.scope).toBe('read');
  });

  it('issues an ID token on refresh while the grant has openid, without the nonce, even when the access token is narrowed', async () => {
    const c = await env.client();
    const first = await tokens(env, c, { nonce: 'abc', scope: 'openid read' });
    const before = await verifyIdToken(env, first.id_token as string);
    env.runtime.clock.advance(120);
    const result = await env.handlers.token(
      apiEvent({
        path: '/token',
        form: { grant_type: 'refresh_token', refresh_token: first.refresh_token, scope: 'read' },
        headers: { authorization: basic(c.clientId, c.secret) },
      }),
    );
    expect(result.statusCode).toBe(200);
    const refreshed = body(result);
    expect(refreshed.scope).toBe('read');
    const after = await verifyIdToken(env, refreshed.id_token);
    expect(after).not.toHaveProperty('nonce');
    expect(after).toMatchObject({
      sub: before.sub,
      sid: before.sid,
      auth_time: before.auth_time,
      amr: ['pwd'],
    });
    expect(after.at_hash).toBe(accessTokenHash(refreshed.access_token));
  });

  it('answers a refresh token presented again within the reuse window with the same successor and an ID token', async () => {
    const c = await env.client();
    const first = await tokens(env, c, { nonce: 'abc', scope: 'openid read' });
    const before = await verifyIdToken(env, first.id_token as string);
    const refresh = () =>
      env.handlers.token(
        apiEvent({
          path: '/token',
          form: { grant_type: 'refresh_token', refresh_token: first.refresh_token },
          headers: { authorization: basic(c.clientId, c.secret) },
        }),
      );
    const rotated = body(await refresh());
    env.runtime.clock.advance(30);
    const again = await refresh();
    expect(again.statusCode).toBe(200);
    const reissued = body(again);
    expect(reissued.refresh_token).toBe(rotated.refresh_token);
    const claims = await verifyIdToken(env, reissued.id_token);
    expect(claims).not.toHaveProperty('nonce');
    expect(claims).toMatchObject({
      sub: before.sub,
      sid: before.sid,
      auth_time: before.auth_time,
      amr: ['pwd'],
    });
    expect(claims.at_hash).toBe(accessTokenHash(reissued.access_token));
  });
});

describe('max_age for an API caller', () => {
  it('answers login_required when the session signed in longer ago than max_age, and a code otherwise', async () => {
    const env = await setup();
    const c = await env.client();
    const session = await env.login();
    env.runtime.clock.advance(600);
    const stale = await authorize(env, c, { max_age: '300' }, session);
    expect(stale.result.statusCode).toBe(401);
    expect(body(stale.result).error).toBe('login_required');
    expect(stale.result.headers?.Location).toBeUndefined();
    // prompt=none asks for the answer at the client: the user is signed in, so it is redirected there.
    const silent = await authorize(env, c, { max_age: '300', prompt: 'none' }, session);
    expect(location(silent.result).searchParams.get('error')).toBe('login_required');
    expect(silent.code).toBeFalsy();
    expect((await authorize(env, c, { max_age: '3600' }, session)).code).toBeTruthy();
    const malformed = await authorize(env, c, { max_age: 'soon' }, session);
    expect(location(malformed.result).searchParams.get('error')).toBe('invalid_request');
  });
});

describe('GET and POST /userinfo', () => {
  let env: Env;
  beforeAll(async () => {
    env = await setup();
  });

  const get = (token?: string, headers: Record<string, string> = {}) =>
    env.handlers.userinfo(
      apiEvent({
        method: 'GET',
        path: '/userinfo',
        headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      }),
    );

  it.each([
    ['openid', ['sub']],
    ['openid profile', ['sub', 'preferred_username', 'name', 'updated_at']],
    ['openid email', ['sub', 'email', 'email_verified']],
  ])('answers %s with exactly its claims', async (scope, claims) => {
    const c = await env.client();
    const { access_token } = await tokens(env, c, { scope });
    const result = await get(access_token);
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['Cache-Control']).toBe('no-store');
    expect(Object.keys(body(result)).sort()).toEqual([...claims].sort());
    expect(body(result).sub).toBe(env.sub);
  });

  it('takes the token from a form body on POST, never twice and never from the query', async () => {
    const c = await env.client();
    const { access_token } = await tokens(env, c, { scope: 'openid' });
    const posted = await env.handlers.userinfo(apiEvent({ path: '/userinfo', form: { access_token } }));
    expect(body(posted)).toEqual({ sub: env.sub });
    const twice = await env.handlers.userinfo(
      apiEvent({
        path: '/userinfo',
        form: { access_token },
        headers: { authorization: `Bearer ${access_token}` },
      }),
    );
    expect(twice.statusCode).toBe(400);
    expect(body(twice).error).toBe('invalid_request');
    const inQuery = await env.handlers.userinfo(apiEvent({ path: '/userinfo', query: { access_token } }));
    expect(inQuery.statusCode).toBe(401);
    expect(inQuery.headers?.['WWW-Authenticate']).toBe('Bearer realm="tinyoauth"');
  });

  it('refuses a token without openid with 403 insufficient_scope naming the scope (RFC 6750 §3.1)', async () => {
    const c = await env.client();
    const { access_token } = await tokens(env, c, { scope: 'read' });
    const result = await get(access_token);
    expect(result.statusCode).toBe(403);
    expect(body(result).error).toBe('insufficient_scope');
    expect(result.headers?.['WWW-Authenticate']).toBe('Bearer error="insufficient_scope", scope="openid"');
  });

  it('refuses a revoked, an expired and a foreign token with 401 invalid_token and its challenge', async () => {
    const c = await env.client();
    const revoked = await tokens(env, c, { scope: 'openid' });
    await env.handlers.revoke(
      apiEvent({
        path: '/revoke',
        form: { token: revoked.access_token },
        headers: { authorization: basic(c.clientId, c.secret) },
      }),
    );
    const expiring = await tokens(env, c, { scope: 'openid' });
    const idToken = expiring.id_token as string;
    const refused = [await get(revoked.access_token), await get(idToken)];
    env.runtime.clock.advance(env.runtime.config.accessTokenTtlSeconds + 60);
    refused.push(await get(expiring.access_token));
    for (const result of refused) {
      expect(result.statusCode).toBe(401);
      expect(body(result).error).toBe('invalid_token');
      expect(result.headers?.['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
    }
  });
});

describe('CORS for browser clients', () => {
  let env: Env;
  let c: TestClient;
  beforeAll(async () => {
    env = await setup();
    c = await env.client({
      tokenEndpointAuthMethod: 'none',
      redirectUris: [REDIRECT, 'http://127.0.0.1/cb'],
    });
  });

  const tokenFrom = (origin: string) =>
    env.handlers.token(
      apiEvent({
        path: '/token',
        form: { grant_type: 'refresh_token', refresh_token: 'x', client_id: c.clientId },
        headers: { origin },
      }),
    );

  it('lets only the origins of the client’s redirect URIs read its answers, never with credentials', async () => {
    const own = await tokenFrom('https://app.example.com');
    expect(own.statusCode).toBe(400);
    expect(own.headers).toMatchObject({
      'Access-Control-Allow-Origin': 'https://app.example.com',
      Vary: 'Origin',
    });
    expect(own.headers).not.toHaveProperty('Access-Control-Allow-Credentials');
    // A loopback IP redirect URI admits its host on any port, like the redirect URI itself.
    const loopback = await tokenFrom('http://127.0.0.1:5173');
    expect(loopback.headers?.['Access-Control-Allow-Origin']).toBe('http://127.0.0.1:5173');
    const stranger = await tokenFrom('https://evil.example');
    expect(stranger.headers).not.toHaveProperty('Access-Control-Allow-Origin');
    expect(stranger.headers?.Vary).toBe('Origin');
  });

  it('answers a preflight for any origin, naming the methods and headers', async () => {
    const result = await env.handlers.userinfo(
      apiEvent({ method: 'OPTIONS', path: '/userinfo', headers: { origin: 'https://any.example' } }),
    );
    expect(result.statusCode).toBe(204);
    expect(result.headers).toMatchObject({
      'Access-Control-Allow-Origin': 'https://any.example',
      'Access-Control-Allow-Methods': 'GET, POST',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    });
  });

  it('lets userinfo answers be read by the token’s client only', async () => {
    const confidential = await env.client();
    const { access_token } = await tokens(env, confidential, { scope: 'openid' });
    const read = (origin: string) =>
      env.handlers.userinfo(
        apiEvent({
          method: 'GET',
          path: '/userinfo',
          headers: { origin, authorization: `Bearer ${access_token}` },
        }),
      );
    expect((await read('https://app.example.com')).headers?.['Access-Control-Allow-Origin']).toBe(
      'https://app.example.com',
    );
    expect((await read('https://evil.example')).headers).not.toHaveProperty('Access-Control-Allow-Origin');
  });
});

describe('native apps: loopback redirect URIs (RFC 8252 §7.3)', () => {
  it.each([
    ['http://127.0.0.1/callback', 'http://127.0.0.1:53123/callback'],
    ['http://[::1]/callback', 'http://[::1]:61000/callback'],
    ['http://127.0.0.1:8080/callback', 'http://127.0.0.1:9999/callback'],
  ])('%s matches %s at /authorize and /token', async (registered, requested) => {
    const env = await setup();
    const c = await env.client({ redirectUris: [registered] });
    const issued = await tokens(env, c, { redirect_uri: requested, scope: 'read' });
    expect(issued.access_token).toBeTruthy();
  });

  it('keeps exact matching for localhost and for the rest of a loopback URI', async () => {
    const env = await setup();
    const c = await env.client({ redirectUris: ['http://localhost/callback', 'http://127.0.0.1/callback'] });
    for (const requested of ['http://localhost:4000/callback', 'http://127.0.0.1:4000/other']) {
      const { result } = await authorize(env, c, { redirect_uri: requested });
      expect(result.statusCode).toBe(400);
      expect(body(result).error).toBe('invalid_request');
    }
  });

  it('refuses a token request naming another port than the authorization request did', async () => {
    const env = await setup();
    const c = await env.client({ redirectUris: ['http://127.0.0.1/callback'] });
    const { code, verifier } = await authorize(env, c, { redirect_uri: 'http://127.0.0.1:5000/callback' });
    const form = {
      grant_type: 'authorization_code',
      code: code ?? '',
      redirect_uri: 'http://127.0.0.1:5001/callback',
      code_verifier: verifier,
    };
    const result = await env.handlers.token(
      apiEvent({ path: '/token', form, headers: { authorization: basic(c.clientId, c.secret) } }),
    );
    expect(body(result).error).toBe('invalid_grant');
  });
});

describe('client authentication with another method than registered', () => {
  it('is invalid_client, and the description names the registered method', async () => {
    const env = await setup();
    const c = await env.client();
    const result = await env.handlers.token(
      apiEvent({
        path: '/token',
        form: {
          grant_type: 'refresh_token',
          refresh_token: 'x',
          client_id: c.clientId,
          client_secret: c.secret,
        },
      }),
    );
    expect(result.statusCode).toBe(401);
    expect(body(result)).toEqual({
      error: 'invalid_client',
      error_description:
        'This client is registered for client_secret_basic; it must authenticate that way, not with client_secret_post.',
    });
  });
});
