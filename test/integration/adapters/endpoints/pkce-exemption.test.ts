/**
 * A confidential client registered with `require_pkce: false` (what an ALB's authenticate-oidc needs)
 * against DynamoDB Local, through the handlers as Lambda calls them: registered at /client, signed in at
 * /authorize without a challenge, its code redeemed at /token without a verifier (and refused with one:
 * RFC 9700 §2.1.1), its access token read at /userinfo. Every other client keeps PKCE.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createClientCreateHandler } from '#adapters/endpoints/clients/create';
import { createAuthorizeHandler } from '#adapters/endpoints/oauth/authorize';
import { createTokenHandler } from '#adapters/endpoints/oauth/token';
import { createUserInfoHandler } from '#adapters/endpoints/oidc/userinfo';
import type { ApiResult } from '#adapters/http/responses';
import {
  accounts as accountsOf,
  authorization,
  clientRegistry,
  clients,
  sessions as sessionsOf,
  tokenGrants,
  userInfo,
} from '#app/services';
import { tableName } from '#contract/tables';
import { apiEvent, basic, pkce } from '../../../fakes/events.ts';
import { silentLogger } from '../../../fakes/logger.ts';
import { storedItem, testRuntime, uniqueName } from '../../../fakes/runtime.ts';

const REDIRECT = 'https://alb.example.com/oauth2/idpresponse';
const PASSWORD = 'correct horse battery';

type Env = Awaited<ReturnType<typeof setup>>;
interface Registered {
  client_id: string;
  client_secret: string;
}

async function setup() {
  const runtime = await testRuntime();
  const sessions = sessionsOf(runtime);
  const handlers = {
    create: createClientCreateHandler({
      registry: clientRegistry(runtime),
      sessions,
      logger: silentLogger,
      issuer: runtime.config.issuer,
    }),
    authorize: createAuthorizeHandler({
      authorization: authorization(runtime),
      sessions,
      logger: silentLogger,
    }),
    token: createTokenHandler(clients(runtime), tokenGrants(runtime), silentLogger),
    userinfo: createUserInfoHandler(userInfo(runtime), clients(runtime), silentLogger),
  };
  const username = uniqueName();
  const accounts = accountsOf(runtime);
  await accounts.register(username, PASSWORD, { email: 'ada@example.com' });
  const { token: session } = await accounts.login(username, PASSWORD);

  /** POST /client as the user: the answer, whatever it is. */
  const register = (metadata: Record<string, unknown>) =>
    handlers.create(
      apiEvent({
        path: '/client',
        headers: { authorization: `Bearer ${session}` },
        json: {
          client_name: 'Load balancer',
          redirect_uris: [REDIRECT],
          scope: 'openid profile email',
          ...metadata,
        },
      }),
    );

  /** GET /authorize as the load balancer sends it (no PKCE unless `query` adds it), the user signed in. */
  const authorize = (c: Registered, query: Record<string, string> = {}) =>
    handlers.authorize(
      apiEvent({
        path: '/authorize',
        headers: { authorization: `Bearer ${session}` },
        query: {
          response_type: 'code',
          client_id: c.client_id,
          redirect_uri: REDIRECT,
          scope: 'openid profile email',
          state: 'alb-state',
          ...query,
        },
      }),
    );

  /** POST /token redeeming `code` with the client's secret (HTTP Basic), plus `extra`. */
  const redeem = (c: Registered, code: string, extra: Record<string, string> = {}) =>
    handlers.token(
      apiEvent({
        path: '/token',
        headers: { authorization: basic(c.client_id, c.client_secret) },
        form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...extra },
      }),
    );

  return { runtime, handlers, register, authorize, redeem, username };
}

const json = (result: ApiResult) => JSON.parse(result.body);
const redirectParams = (result: ApiResult) => new URL(String(result.headers?.Location)).searchParams;

async function exemptClient(env: Env): Promise<Registered> {
  const created = await env.register({ require_pkce: false });
  expect(created.statusCode, created.body).toBe(201);
  return json(created);
}

async function codeFor(env: Env, c: Registered, query: Record<string, string> = {}): Promise<string> {
  const answer = await env.authorize(c, query);
  expect(answer.statusCode, answer.body).toBe(302);
  expect(redirectParams(answer).get('state')).toBe('alb-state');
  return redirectParams(answer).get('code') as string;
}

describe('a confidential client registered with require_pkce: false', () => {
  let env: Env;
  beforeAll(async () => {
    env = await setup();
  });

  it('is stored so, signs a user in without PKCE, redeems the code with its secret and reads userinfo', async () => {
    const c = await exemptClient(env);
    expect(c).toMatchObject({ require_pkce: false, token_endpoint_auth_method: 'client_secret_basic' });
    const stored = await storedItem(env.runtime.db, tableName(env.runtime.config.tablePrefix, 'clients'), {
      clientId: c.client_id,
    });
    expect(stored?.requirePkce).toBe(false);

    const tokens = await env.redeem(c, await codeFor(env, c));
    expect(tokens.statusCode, tokens.body).toBe(200);
    const { access_token, id_token, scope } = json(tokens);
    expect(scope).toBe('openid profile email');
    expect(id_token).toEqual(expect.any(String));

    const info = await env.handlers.userinfo(
      apiEvent({ path: '/userinfo', headers: { authorization: `Bearer ${access_token}` } }),
    );
    expect(info.statusCode, info.body).toBe(200);
    expect(json(info)).toMatchObject({ preferred_username: env.username, email: 'ada@example.com' });
  });

  it('refuses a code_verifier for a code issued without a challenge (invalid_grant), and the code still works', async () => {
    const c = await exemptClient(env);
    const code = await codeFor(env, c);
    const downgraded = await env.redeem(c, code, { code_verifier: pkce().verifier });
    expect(downgraded.statusCode).toBe(400);
    expect(json(downgraded)).toMatchObject({
      error: 'invalid_grant',
      error_description: 'A "code_verifier" was sent for a code issued without a "code_challenge".',
    });
    expect((await env.redeem(c, code)).statusCode).toBe(200);
  });

  it('still holds a code it asked for with a challenge to the verifier', async () => {
    const c = await exemptClient(env);
    const { verifier, challenge } = pkce();
    const code = await codeFor(env, c, { code_challenge: challenge, code_challenge_method: 'S256' });
    const withoutVerifier = await env.redeem(c, code);
    expect(withoutVerifier.statusCode).toBe(400);
    expect(json(withoutVerifier).error).toBe('invalid_request');
    expect((await env.redeem(c, code, { code_verifier: verifier })).statusCode).toBe(200);

    const plain = await env.authorize(c, { code_challenge: challenge, code_challenge_method: 'plain' });
    expect(redirectParams(plain).get('error')).toBe('invalid_request');
  });
});

describe('every other client', () => {
  let env: Env;
  beforeAll(async () => {
    env = await setup();
  });

  it('is refused at /authorize without a code_challenge (invalid_request, redirected once signed in)', async () => {
    for (const metadata of [{}, { require_pkce: true }]) {
      const created = await env.register(metadata);
      expect(json(created).require_pkce).toBe(true);
      const refused = await env.authorize(json(created));
      expect(refused.statusCode).toBe(302);
      expect(redirectParams(refused).get('error')).toBe('invalid_request');
      expect(redirectParams(refused).get('error_description')).toBe(
        'PKCE is required: send "code_challenge".',
      );
      expect(redirectParams(refused).has('code')).toBe(false);
    }
  });

  it('cannot register as a public client without PKCE (invalid_client_metadata)', async () => {
    const refused = await env.register({ token_endpoint_auth_method: 'none', require_pkce: false });
    expect(refused.statusCode).toBe(400);
    expect(json(refused).error).toBe('invalid_client_metadata');
  });
});
