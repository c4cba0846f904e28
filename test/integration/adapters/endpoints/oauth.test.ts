/**
 * The OAuth core against DynamoDB Local, through the handlers exactly as Lambda calls them, with the
 * clock injected so that expiry is tested without waiting.
 */
import { randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMetadataHandler } from '#adapters/endpoints/discovery/metadata';
import { createAuthorizeHandler } from '#adapters/endpoints/oauth/authorize';
import { createIntrospectHandler } from '#adapters/endpoints/oauth/introspect';
import { createRevokeHandler } from '#adapters/endpoints/oauth/revoke';
import { createTokenHandler } from '#adapters/endpoints/oauth/token';
import type { ApiResult } from '#adapters/http/responses';
import {
  accounts as accountsOf,
  authorization,
  clients,
  introspection,
  revocation,
  sessions as sessionsOf,
  tokenGrants,
} from '#app/services';
import { tableName } from '#contract/tables';
import type { ClientRecord } from '#core/clients/records';
import { sha256 } from '#core/secrets';
import { apiEvent, basic, pkce } from '../../../fakes/events.ts';
import { silentLogger } from '../../../fakes/logger.ts';
import { storedItem, storeItem, testRuntime, uniqueName } from '../../../fakes/runtime.ts';

const REDIRECT = 'https://app.example.com/callback?from=tinyoauth';

type Env = Awaited<ReturnType<typeof setup>>;

async function setup() {
  const runtime = await testRuntime();
  const accounts = accountsOf(runtime);
  const sessions = sessionsOf(runtime);
  const handlers = {
    authorize: createAuthorizeHandler({
      authorization: authorization(runtime),
      sessions,
      logger: silentLogger,
    }),
    token: createTokenHandler(clients(runtime), tokenGrants(runtime), silentLogger),
    revoke: createRevokeHandler(clients(runtime), revocation(runtime), silentLogger),
    introspect: createIntrospectHandler(clients(runtime), introspection(runtime), silentLogger),
  };

  const username = uniqueName();
  await accounts.register(username, 'correct horse battery');
  const login = async () => (await accounts.login(username, 'correct horse battery')).token;

  async function client(overrides: Partial<ClientRecord> = {}) {
    const secret = randomBytes(32).toString('base64url');
    const record: ClientRecord = {
      clientId: uniqueName('client'),
      owner: 'owner',
      clientName: 'Test app',
      redirectUris: [REDIRECT],
      grantTypes: ['authorization_code', 'refresh_token'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      scope: 'read write',
      secretHash: sha256(secret),
      clientIdIssuedAt: 0,
      ...overrides,
    };
    await storeItem(runtime.db, tableName(runtime.config.tablePrefix, 'clients'), { ...record });
    return { ...record, secret };
  }

  return { runtime, handlers, login, client, sessions };
}

const body = (result: ApiResult) => JSON.parse(result.body);
const location = (result: ApiResult) => new URL(String(result.headers?.Location));

async function authorize(
  env: Env,
  c: { clientId: string },
  options: { token?: string; query?: Record<string, string | string[]>; method?: 'GET' | 'POST' } = {},
) {
  const { verifier, challenge } = pkce();
  const params = {
    response_type: 'code',
    client_id: c.clientId,
    redirect_uri: REDIRECT,
    state: 'xyz',
    scope: 'read',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...options.query,
  };
  const token = options.token ?? (await env.login());
  const headers = { authorization: `Bearer ${token}` };
  const result =
    options.method === 'POST'
      ? await env.handlers.authorize(apiEvent({ method: 'POST', path: '/authorize', headers, form: params }))
      : await env.handlers.authorize(apiEvent({ method: 'GET', path: '/authorize', headers, query: params }));
  return {
    result,
    verifier,
    code: result.statusCode < 400 ? location(result).searchParams.get('code') : null,
  };
}

/** The token request that redeems `code`, as the authorization request it came from implies. */
const codeForm = (code: string | null, verifier: string) => ({
  grant_type: 'authorization_code',
  code: code as string,
  redirect_uri: REDIRECT,
  code_verifier: verifier,
});

function tokenRequest(env: Env, form: Record<string, string>, authorization?: string) {
  return env.handlers.token(
    apiEvent({ path: '/token', form, ...(authorization ? { headers: { authorization } } : {}) }),
  );
}

async function codeTokens(env: Env, c: Awaited<ReturnType<Env['client']>>, token?: string) {
  const { code, verifier } = await authorize(env, c, token ? { token } : {});
  const result = await tokenRequest(env, codeForm(code, verifier), basic(c.clientId, c.secret));
  expect(result.statusCode).toBe(200);
  return body(result) as { access_token: string; refresh_token: string; scope: string; expires_in: number };
}

async function introspect(env: Env, c: Awaited<ReturnType<Env['client']>>, token: string) {
  const result = await env.handlers.introspect(
    apiEvent({
      path: '/introspect',
      form: { token },
      headers: { authorization: basic(c.clientId, c.secret) },
    }),
  );
  expect(result.statusCode).toBe(200);
  return body(result);
}

describe('GET and POST /authorize', () => {
  let env: Env;
  let c: Awaited<ReturnType<Env['client']>>;
  beforeAll(async () => {
    env = await setup();
    c = await env.client();
  });

  it('redirects with a code, the state and the issuer, keeping the redirect URI query', async () => {
    const { result } = await authorize(env, c);
    expect(result.statusCode).toBe(302);
    const url = location(result);
    expect(`${url.origin}${url.pathname}`).toBe('https://app.example.com/callback');
    expect(url.searchParams.get('from')).toBe('tinyoauth');
    expect(url.searchParams.get('state')).toBe('xyz');
    expect(url.searchParams.get('iss')).toBe(env.runtime.config.issuer);
    expect(url.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('answers a POST with 303 and stores only the hash of the code', async () => {
    const { result, code } = await authorize(env, c, { method: 'POST' });
    expect(result.statusCode).toBe(303);
    const table = tableName(env.runtime.config.tablePrefix, 'codes');
    expect(await storedItem(env.runtime.db, table, { codeHash: code as string })).toBeUndefined();
    const stored = await storedItem(env.runtime.db, table, { codeHash: sha256(code as string) });
    expect(stored).toMatchObject({ clientId: c.clientId, redirectUri: REDIRECT, scope: 'read' });
    expect((stored?.expiresAt as number) - (stored?.createdAt as number)).toBe(60);
  });

  it('lets a client with exactly one redirect URI omit it', async () => {
    const { result } = await authorize(env, c, { query: { redirect_uri: '' } });
    expect(result.statusCode).toBe(302);
    expect(location(result).searchParams.get('code')).toBeTruthy();
  });

  it.each([
    ['an unknown client', { client_id: 'nobody' }, 'invalid_client'],
    ['no client_id', { client_id: '' }, 'invalid_client'],
    [
      'an unregistered redirect URI',
      { redirect_uri: 'https://evil.example.com/callback' },
      'invalid_request',
    ],
    ['a redirect URI differing only in case', { redirect_uri: REDIRECT.toUpperCase() }, 'invalid_request'],
    ['a repeated client_id', { client_id: ['a', 'b'] }, 'invalid_request'],
  ])('answers %s with 400 JSON, never a redirect', async (_name, query, error) => {
    const { result } = await authorize(env, c, { query: query as Record<string, string> });
    expect(result.statusCode).toBe(400);
    expect(result.headers?.Location).toBeUndefined();
    expect(body(result).error).toBe(error);
  });

  it('answers 401 login_required without a valid session', async () => {
    const { result } = await authorize(env, c, { token: 'not-a-token' });
    expect(result.statusCode).toBe(401);
    expect(body(result).error).toBe('login_required');
  });

  it.each([
    ['no code_challenge', { code_challenge: '' }, 'invalid_request'],
    ['the plain method', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['no challenge method', { code_challenge_method: '' }, 'invalid_request'],
    ['a malformed challenge', { code_challenge: 'short' }, 'invalid_request'],
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['no response_type', { response_type: '' }, 'invalid_request'],
    ['an unavailable scope', { scope: 'read admin' }, 'invalid_scope'],
    ['a repeated scope parameter', { scope: ['read', 'write'] }, 'invalid_request'],
    ['a client secret', { client_secret: 'x' }, 'invalid_request'],
  ])('redirects %s as error=%s with state and iss', async (_name, query, error) => {
    const { result } = await authorize(env, c, { query: query as Record<string, string> });
    expect(result.statusCode).toBe(302);
    const url = location(result);
    expect(url.searchParams.get('error')).toBe(error);
    expect(url.searchParams.get('state')).toBe('xyz');
    expect(url.searchParams.get('iss')).toBe(env.runtime.config.issuer);
    expect(url.searchParams.get('code')).toBeNull();
  });

  it('refuses a client not registered for the code grant with unauthorized_client', async () => {
    const machine = await env.client({ grantTypes: ['client_credentials'] });
    const { result } = await authorize(env, machine);
    expect(location(result).searchParams.get('error')).toBe('unauthorized_client');
  });
});

describe('POST /token with authorization_code', () => {
  let env: Env;
  let c: Awaited<ReturnType<Env['client']>>;
  beforeAll(async () => {
    env = await setup();
    c = await env.client();
  });

  it('issues an RFC 9068 access token and a refresh token, never cached', async () => {
    const { code, verifier } = await authorize(env, c);
    const result = await tokenRequest(env, codeForm(code, verifier), basic(c.clientId, c.secret));
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['Cache-Control']).toBe('no-store');
    expect(result.headers?.Pragma).toBe('no-cache');
    const tokens = body(result);
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'read' });
    expect(tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({
      iss: env.runtime.config.issuer,
      aud: env.runtime.config.resourceIdentifier,
      client_id: c.clientId,
      scope: 'read',
    });
    expect(claims.exp).toBe((claims.iat as number) + 900);
    for (const claim of ['sub', 'jti', 'gid', 'sid']) expect(typeof claims[claim]).toBe('string');
  });

  it('accepts client_secret_post and public clients (none) as registered', async () => {
    const post = await env.client({ tokenEndpointAuthMethod: 'client_secret_post' });
    const { code, verifier } = await authorize(env, post);
    const viaPost = await tokenRequest(env, {
      grant_type: 'authorization_code',
      code: code as string,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: post.clientId,
      client_secret: post.secret,
    });
    expect(viaPost.statusCode).toBe(200);

    const spa = await env.client({ tokenEndpointAuthMethod: 'none', secretHash: undefined });
    const second = await authorize(env, spa);
    const viaNone = await tokenRequest(env, {
      grant_type: 'authorization_code',
      code: second.code as string,
      redirect_uri: REDIRECT,
      code_verifier: second.verifier,
      client_id: spa.clientId,
    });
    expect(viaNone.statusCode).toBe(200);
  });

  it.each([
    ['a wrong secret', (x: Awaited<ReturnType<Env['client']>>) => basic(x.clientId, 'wrong'), true],
    ['an unknown client', () => basic('nobody', 'secret'), true],
    ['malformed Basic credentials', () => 'Basic !!!', true],
  ])('refuses %s with 401 invalid_client and a Basic challenge', async (_name, authorization, challenged) => {
    const result = await tokenRequest(
      env,
      { grant_type: 'authorization_code', code: 'x', code_verifier: 'y' },
      authorization(c),
    );
    expect(result.statusCode).toBe(401);
    expect(body(result).error).toBe('invalid_client');
    expect(String(result.headers?.['WWW-Authenticate'] ?? '').startsWith('Basic')).toBe(challenged);
  });

  it('refuses two authentication methods at once, and a method other than the registered one', async () => {
    const both = await tokenRequest(
      env,
      { grant_type: 'authorization_code', code: 'x', client_secret: c.secret },
      basic(c.clientId, c.secret),
    );
    expect(both.statusCode).toBe(401);
    expect(body(both).error).toBe('invalid_client');
    const wrongMethod = await tokenRequest(env, {
      grant_type: 'authorization_code',
      code: 'x',
      client_id: c.clientId,
      client_secret: c.secret,
    });
    expect(wrongMethod.statusCode).toBe(401);
    expect(body(wrongMethod).error).toBe('invalid_client');
    expect(wrongMethod.headers?.['WWW-Authenticate']).toBeUndefined();
    const none = await tokenRequest(env, {
      grant_type: 'authorization_code',
      code: 'x',
      client_id: c.clientId,
    });
    expect(body(none).error).toBe('invalid_client');
  });

  it.each([
    ['a missing grant_type', { grant_type: '' }, 400, 'invalid_request'],
    ['an unknown grant_type', { grant_type: 'password' }, 400, 'unsupported_grant_type'],
    [
      'a grant the client is not registered for',
      { grant_type: 'client_credentials' },
      400,
      'unauthorized_client',
    ],
    ['a missing code', { code: '' }, 400, 'invalid_request'],
    ['an unknown code', { code: 'unknown' }, 400, 'invalid_grant'],
    ['a missing code_verifier', { code_verifier: '' }, 400, 'invalid_request'],
    ['a malformed code_verifier', { code_verifier: 'short' }, 400, 'invalid_request'],
    ['a wrong code_verifier', { code_verifier: 'x'.repeat(43) }, 400, 'invalid_grant'],
    ['a different redirect_uri', { redirect_uri: 'https://app.example.com/other' }, 400, 'invalid_grant'],
    ['no redirect_uri though the request had one', { redirect_uri: '' }, 400, 'invalid_grant'],
    ['a repeated parameter', { code_verifier: ['a', 'b'] }, 400, 'invalid_request'],
  ])('answers %s with %i %s', async (_name, overrides, status, error) => {
    const { code, verifier } = await authorize(env, c);
    const form = {
      grant_type: 'authorization_code',
      code: code as string,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      ...overrides,
    };
    const result = await tokenRequest(env, form as Record<string, string>, basic(c.clientId, c.secret));
    expect(result.statusCode).toBe(status);
    expect(body(result).error).toBe(error);
    expect(result.headers?.['Cache-Control']).toBe('no-store');
  });

  it('refuses a form body sent as JSON with invalid_request', async () => {
    const result = await env.handlers.token(
      apiEvent({
        path: '/token',
        json: { grant_type: 'client_credentials' },
        headers: { authorization: basic(c.clientId, c.secret) },
      }),
    );
    expect(result.statusCode).toBe(400);
    expect(body(result).error).toBe('invalid_request');
  });

  it('refuses an expired code', async () => {
    const { code, verifier } = await authorize(env, c);
    env.runtime.clock.advance(61);
    const result = await tokenRequest(env, codeForm(code, verifier), basic(c.clientId, c.secret));
    expect(body(result).error).toBe('invalid_grant');
  });

  it("refuses another client's code without burning it", async () => {
    const other = await env.client();
    const { code, verifier } = await authorize(env, c);
    const form = codeForm(code, verifier);
    const stolen = await tokenRequest(env, form, basic(other.clientId, other.secret));
    expect(body(stolen).error).toBe('invalid_grant');
    expect((await tokenRequest(env, form, basic(c.clientId, c.secret))).statusCode).toBe(200);
  });

  it('refuses a code whose login session has ended', async () => {
    const session = await env.login();
    const { code, verifier } = await authorize(env, c, { token: session });
    await env.sessions.logout(session);
    const result = await tokenRequest(env, codeForm(code, verifier), basic(c.clientId, c.secret));
    expect(body(result).error).toBe('invalid_grant');
  });

  it('refuses a replayed code and revokes every token issued from it', async () => {
    const { code, verifier } = await authorize(env, c);
    const form = codeForm(code, verifier);
    const first = body(await tokenRequest(env, form, basic(c.clientId, c.secret)));
    expect((await introspect(env, c, first.access_token)).active).toBe(true);

    const replay = await tokenRequest(env, form, basic(c.clientId, c.secret));
    expect(replay.statusCode).toBe(400);
    expect(body(replay).error).toBe('invalid_grant');
    expect((await introspect(env, c, first.access_token)).active).toBe(false);
    const refresh = await tokenRequest(
      env,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      basic(c.clientId, c.secret),
    );
    expect(body(refresh).error).toBe('invalid_grant');
  });

  it('lets exactly one of twenty concurrent redemptions of a code succeed, with no 5xx', async () => {
    const { code, verifier } = await authorize(env, c);
    const form = codeForm(code, verifier);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => tokenRequest(env, form, basic(c.clientId, c.secret))),
    );
    const statuses = results.map((result) => result.statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(19);
    for (const result of results.filter((r) => r.statusCode === 400))
      expect(body(result).error).toBe('invalid_grant');
  });
});

describe('POST /token with refresh_token', () => {
  let env: Env;
  let c: Awaited<ReturnType<Env['client']>>;
  beforeAll(async () => {
    env = await setup();
    c = await env.client();
  });

  const refresh = (refreshToken: string, extra: Record<string, string> = {}) =>
    tokenRequest(
      env,
      { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra },
      basic(c.clientId, c.secret),
    );

  it('rotates the refresh token on every use and keeps the grant', async () => {
    const first = await codeTokens(env, c);
    const second = body(await refresh(first.refresh_token));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(second.access_token).gid).toBe(decodeJwt(first.access_token).gid);
    const third = await refresh(second.refresh_token);
    expect(third.statusCode).toBe(200);
  });

  it('narrows the scope on request but never widens it', async () => {
    const { code, verifier } = await authorize(env, c, { query: { scope: 'read write' } });
    const tokens = body(await tokenRequest(env, codeForm(code, verifier), basic(c.clientId, c.secret)));
    const narrowed = body(await refresh(tokens.refresh_token, { scope: 'read' }));
    expect(narrowed.scope).toBe('read');
    // The grant keeps its full scope: the next refresh may ask for all of it again.
    expect(body(await refresh(narrowed.refresh_token)).scope).toBe('read write');
    const other = await codeTokens(env, c);
    const widened = await refresh(other.refresh_token, { scope: 'read write' });
    expect(widened.statusCode).toBe(400);
    expect(body(widened).error).toBe('invalid_scope');
  });

  it('treats reuse of a rotated refresh token after its successor was used as theft, and revokes the grant', async () => {
    const first = await codeTokens(env, c);
    const second = body(await refresh(first.refresh_token));
    const third = body(await refresh(second.refresh_token));
    const reuse = await refresh(first.refresh_token);
    expect(reuse.statusCode).toBe(400);
    expect(body(reuse).error).toBe('invalid_grant');
    expect(body(await refresh(third.refresh_token)).error).toBe('invalid_grant');
    expect((await introspect(env, c, third.access_token)).active).toBe(false);
  });

  it('treats reuse after the 60 s window as theft, even when the successor was never used', async () => {
    const first = await codeTokens(env, c);
    const second = body(await refresh(first.refresh_token));
    env.runtime.clock.advance(60);
    expect(body(await refresh(first.refresh_token)).error).toBe('invalid_grant');
    expect(body(await refresh(second.refresh_token)).error).toBe('invalid_grant');
    expect((await introspect(env, c, second.access_token)).active).toBe(false);
  });

  it("refuses another client's refresh token, an expired one, and one of an ended session", async () => {
    const other = await env.client();
    const tokens = await codeTokens(env, c);
    const stolen = await tokenRequest(
      env,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      basic(other.clientId, other.secret),
    );
    expect(body(stolen).error).toBe('invalid_grant');

    const session = await env.login();
    const ofSession = await codeTokens(env, c, session);
    await env.sessions.logout(session);
    expect(body(await refresh(ofSession.refresh_token)).error).toBe('invalid_grant');

    env.runtime.clock.advance(env.runtime.config.refreshTokenTtlSeconds + 1);
    expect(body(await refresh(tokens.refresh_token)).error).toBe('invalid_grant');
  });

  it('answers twenty concurrent refreshes with one token without revoking anything: one line survives', async () => {
    const env2 = await setup();
    const c2 = await env2.client();
    const tokens = await codeTokens(env2, c2);
    const refreshWith = (refreshToken: string) =>
      tokenRequest(
        env2,
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        basic(c2.clientId, c2.secret),
      );
    const results = await Promise.all(Array.from({ length: 20 }, () => refreshWith(tokens.refresh_token)));

    const ok = results.filter((result) => result.statusCode === 200).map(body);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(results.map((result) => result.statusCode).filter((status) => status !== 200)).toEqual([]);
    // Every access token issued is live: the grant was not revoked.
    for (const issued of ok) expect((await introspect(env2, c2, issued.access_token)).active).toBe(true);
    // One line: every answer holds the same successor, and it is the only live refresh token.
    const successors = new Set(ok.map((issued) => issued.refresh_token as string));
    expect(successors.size).toBe(1);
    const [successor] = successors as Set<string>;
    expect((await introspect(env2, c2, tokens.refresh_token)).active).toBe(false);
    expect((await introspect(env2, c2, successor as string)).active).toBe(true);

    // A genuine replay, once the successor has been used, still revokes the grant (RFC 9700 §4.14.2).
    const next = await refreshWith(successor as string);
    expect(next.statusCode).toBe(200);
    expect(body(await refreshWith(tokens.refresh_token)).error).toBe('invalid_grant');
    expect((await introspect(env2, c2, body(next).access_token)).active).toBe(false);
  });
});

describe('POST /token with client_credentials', () => {
  it('issues an access token for the client itself, without a refresh token', async () => {
    const env = await setup();
    const machine = await env.client({ grantTypes: ['client_credentials'], redirectUris: [] });
    const result = await tokenRequest(
      env,
      { grant_type: 'client_credentials', scope: 'write' },
      basic(machine.clientId, machine.secret),
    );
    expect(result.statusCode).toBe(200);
    const tokens = body(result);
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.scope).toBe('write');
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      sub: machine.clientId,
      client_id: machine.clientId,
    });
    expect(decodeJwt(tokens.access_token).sid).toBeUndefined();
    const tooMuch = await tokenRequest(
      env,
      { grant_type: 'client_credentials', scope: 'admin' },
      basic(machine.clientId, machine.secret),
    );
    expect(body(tooMuch).error).toBe('invalid_scope');
  });
});

describe('POST /revoke and POST /introspect', () => {
  let env: Env;
  let c: Awaited<ReturnType<Env['client']>>;
  beforeAll(async () => {
    env = await setup();
    c = await env.client();
  });

  const revoke = (token: string, who = c) =>
    env.handlers.revoke(
      apiEvent({
        path: '/revoke',
        form: { token },
        headers: { authorization: basic(who.clientId, who.secret) },
      }),
    );

  it('introspects a live access token with its claims, and a refresh token for its own client', async () => {
    const tokens = await codeTokens(env, c);
    const access = await introspect(env, c, tokens.access_token);
    expect(access).toMatchObject({
      active: true,
      client_id: c.clientId,
      scope: 'read',
      token_type: 'Bearer',
    });
    expect(access.iss).toBe(env.runtime.config.issuer);
    expect(await introspect(env, c, tokens.refresh_token)).toMatchObject({
      active: true,
      client_id: c.clientId,
    });
    const other = await env.client();
    expect(await introspect(env, other, tokens.refresh_token)).toEqual({ active: false });
    expect(await introspect(env, c, 'garbage')).toEqual({ active: false });
  });

  it('revokes an access token alone', async () => {
    const tokens = await codeTokens(env, c);
    expect((await revoke(tokens.access_token)).statusCode).toBe(200);
    expect(await introspect(env, c, tokens.access_token)).toEqual({ active: false });
    expect((await introspect(env, c, tokens.refresh_token)).active).toBe(true);
  });

  it('revokes the whole grant with its refresh token', async () => {
    const tokens = await codeTokens(env, c);
    expect((await revoke(tokens.refresh_token)).statusCode).toBe(200);
    expect(await introspect(env, c, tokens.access_token)).toEqual({ active: false });
    const refresh = await tokenRequest(
      env,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      basic(c.clientId, c.secret),
    );
    expect(body(refresh).error).toBe('invalid_grant');
  });

  it("answers 200 for unknown tokens and leaves another client's tokens alone", async () => {
    expect((await revoke('unknown-token')).statusCode).toBe(200);
    const other = await env.client();
    const tokens = await codeTokens(env, c);
    expect((await revoke(tokens.access_token, other)).statusCode).toBe(200);
    expect((await introspect(env, c, tokens.access_token)).active).toBe(true);
  });

  it('reports tokens of an ended login session as inactive', async () => {
    const session = await env.login();
    const tokens = await codeTokens(env, c, session);
    await env.sessions.logout(session);
    expect(await introspect(env, c, tokens.access_token)).toEqual({ active: false });
  });

  it('requires client authentication, and a confidential client for introspection', async () => {
    const anonymous = await env.handlers.revoke(apiEvent({ path: '/revoke', form: { token: 'x' } }));
    expect(anonymous.statusCode).toBe(401);
    expect(body(anonymous).error).toBe('invalid_client');
    const spa = await env.client({ tokenEndpointAuthMethod: 'none', secretHash: undefined });
    const result = await env.handlers.introspect(
      apiEvent({ path: '/introspect', form: { token: 'x', client_id: spa.clientId } }),
    );
    expect(result.statusCode).toBe(401);
    expect(body(result).error).toBe('invalid_client');
    const missing = await env.handlers.revoke(
      apiEvent({
        path: '/revoke',
        form: { token: '' },
        headers: { authorization: basic(c.clientId, c.secret) },
      }),
    );
    expect(body(missing).error).toBe('invalid_request');
  });
});

describe('GET /.well-known/oauth-authorization-server', () => {
  it('describes every endpoint and the only supported PKCE method', async () => {
    const handler = createMetadataHandler(
      { issuer: 'https://auth.example.com', scopesSupported: ['read', 'write'] },
      silentLogger,
    );
    const result = await handler(apiEvent({ path: '/.well-known/oauth-authorization-server' }));
    expect(result.statusCode).toBe(200);
    expect(body(result)).toMatchObject({
      issuer: 'https://auth.example.com',
      authorization_endpoint: 'https://auth.example.com/authorize',
      token_endpoint: 'https://auth.example.com/token',
      revocation_endpoint: 'https://auth.example.com/revoke',
      introspection_endpoint: 'https://auth.example.com/introspect',
      jwks_uri: 'https://auth.example.com/.well-known/jwks.json',
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      scopes_supported: ['read', 'write', 'openid', 'profile', 'email'],
      userinfo_endpoint: 'https://auth.example.com/userinfo',
      end_session_endpoint: 'https://auth.example.com/end_session',
    });
    // One document under both names, readable by any origin's scripts.
    const oidc = await handler(apiEvent({ path: '/.well-known/openid-configuration' }));
    expect(oidc.body).toBe(result.body);
    expect(oidc.headers?.['Access-Control-Allow-Origin']).toBe('*');
  });
});

describe('reading the client with what the step reads next', () => {
  it('answers authorize, token (code), refresh and revoke in two DynamoDB requests each, reads consistent', async () => {
    const env = await setup();
    const c = await env.client();
    const token = await env.login();
    const requestsOf = async <T>(run: () => Promise<T>) => {
      const start = env.runtime.requests.length;
      const result = await run();
      return { result, requests: env.runtime.requests.slice(start) };
    };
    const consistentReads = (request: { input: Readonly<Record<string, unknown>> }) =>
      Object.values(request.input.RequestItems as Record<string, { ConsistentRead?: boolean }>).map(
        (table) => table.ConsistentRead,
      );

    const authorized = await requestsOf(() => authorize(env, c, { token }));
    expect(authorized.requests.map((request) => request.operation)).toEqual(['BatchGetItem', 'PutItem']);
    expect(consistentReads(authorized.requests[0] as never)).toEqual([true, true]);

    const { code, verifier } = authorized.result;
    const exchanged = await requestsOf(() =>
      tokenRequest(env, codeForm(code, verifier), basic(c.clientId, c.secret)),
    );
    expect(exchanged.result.statusCode).toBe(200);
    expect(exchanged.requests.map((request) => request.operation)).toEqual([
      'BatchGetItem',
      'TransactWriteItems',
    ]);
    expect(consistentReads(exchanged.requests[0] as never)).toEqual([true, true]);

    const refreshToken = body(exchanged.result).refresh_token as string;
    const refreshed = await requestsOf(() =>
      tokenRequest(
        env,
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        basic(c.clientId, c.secret),
      ),
    );
    expect(refreshed.result.statusCode).toBe(200);
    expect(refreshed.requests.map((request) => request.operation)).toEqual([
      'BatchGetItem',
      'TransactWriteItems',
    ]);

    const revoked = await requestsOf(() =>
      env.handlers.revoke(
        apiEvent({
          path: '/revoke',
          form: { token: body(refreshed.result).refresh_token },
          headers: { authorization: basic(c.clientId, c.secret) },
        }),
      ),
    );
    expect(revoked.result.statusCode).toBe(200);
    expect(revoked.requests.map((request) => request.operation)).toEqual(['BatchGetItem', 'UpdateItem']);
  });
});
