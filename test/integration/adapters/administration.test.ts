/**
 * The operator's actions (the admin tool's services, through the composition root) against DynamoDB
 * Local: a disabled user's and a suspended client's tokens are refused at once where tokens are used
 * (the `/protected/*` authorizer, /userinfo, /introspect) and where they are renewed (/token), and each
 * action leaves one audit event naming the operator.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizeHandler } from '#adapters/endpoints/oauth/authorize';
import { createIntrospectHandler } from '#adapters/endpoints/oauth/introspect';
import { createTokenHandler } from '#adapters/endpoints/oauth/token';
import { createUserInfoHandler } from '#adapters/endpoints/oidc/userinfo';
import type { ApiResult } from '#adapters/http/responses';
import { accountDeletion } from '#app/account-services';
import { administrationCounts, clientAdministration, userAdministration } from '#app/admin-services';
import {
  accounts as accountsOf,
  authorization,
  clientRegistry,
  clients,
  introspection,
  livenessStore,
  sessions as sessionsOf,
  tokenGrants,
  userInfo,
} from '#app/services';
import { createAuthorizer } from '#core/authorizer/decision';
import { NotFound } from '#core/errors';
import { AccountDisabled } from '#core/users/accounts';
import { apiEvent, basic, pkce } from '../../fakes/events.ts';
import { silentLogger } from '../../fakes/logger.ts';
import { recordingEvents } from '../../fakes/observability.ts';
import { testRuntime, uniqueName } from '../../fakes/runtime.ts';

const REDIRECT = 'https://app.example.com/callback';
const PASSWORD = 'correct horse battery';
const OPERATOR = 'arn:aws:sts::123456789012:assumed-role/Ops/jane';
const METHOD_ARN = 'arn:aws:execute-api:local:000000000000:local/local/GET/protected/resource';

type Env = Awaited<ReturnType<typeof setup>>;

async function setup() {
  const { events, recorded } = recordingEvents();
  const runtime = { ...(await testRuntime()), events };
  const sessions = sessionsOf(runtime);
  const accounts = accountsOf(runtime);
  const handlers = {
    authorize: createAuthorizeHandler({
      authorization: authorization(runtime),
      sessions,
      logger: silentLogger,
    }),
    token: createTokenHandler(clients(runtime), tokenGrants(runtime), silentLogger),
    userinfo: createUserInfoHandler(userInfo(runtime), clients(runtime), silentLogger),
    introspect: createIntrospectHandler(clients(runtime), introspection(runtime), silentLogger),
  };
  const protectedResource = createAuthorizer({
    keys: await runtime.keyRing.verificationKeys(),
    revocation: livenessStore(runtime),
    clock: runtime.clock,
    resourceServers: runtime.config.resourceServers,
    issuer: runtime.config.issuer,
    scopeRules: [],
    logger: silentLogger,
  });

  const username = uniqueName();
  const user = await accounts.register(username, PASSWORD, {});
  const owner = { sub: user.sub, username };
  const { client: registered, secret } = await clientRegistry(runtime).register(owner, {
    client_name: 'Admin test app',
    redirect_uris: [REDIRECT],
    scope: 'openid read',
    grant_types: ['authorization_code', 'refresh_token'],
  });
  const client = { id: registered.clientId, secret: secret as string };

  /** A fresh sign-in and authorization code flow: an access and a refresh token of the user. */
  async function tokens() {
    const { token: session } = await accounts.login(username, PASSWORD);
    const { verifier, challenge } = pkce();
    const authorized = await handlers.authorize(
      apiEvent({
        path: '/authorize',
        headers: { authorization: `Bearer ${session}` },
        query: {
          response_type: 'code',
          client_id: client.id,
          redirect_uri: REDIRECT,
          scope: 'openid read',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        },
      }),
    );
    const code = new URL(String(authorized.headers?.Location)).searchParams.get('code');
    expect(code, authorized.body).toEqual(expect.any(String));
    const redeemed = await token({
      grant_type: 'authorization_code',
      code: code as string,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(redeemed.statusCode, redeemed.body).toBe(200);
    return json(redeemed) as { access_token: string; refresh_token: string };
  }

  const token = (form: Record<string, string>) =>
    handlers.token(
      apiEvent({ path: '/token', headers: { authorization: basic(client.id, client.secret) }, form }),
    );

  /** Where an access token is used: whether each accepts it. */
  async function accepted(accessToken: string) {
    const atProtected = await protectedResource({
      type: 'TOKEN',
      authorizationToken: `Bearer ${accessToken}`,
      methodArn: METHOD_ARN,
    }).then(
      () => 'allowed',
      (error: Error) => error.message,
    );
    const info = await handlers.userinfo(
      apiEvent({ path: '/userinfo', headers: { authorization: `Bearer ${accessToken}` } }),
    );
    const introspected = await handlers.introspect(
      apiEvent({
        path: '/introspect',
        headers: { authorization: basic(client.id, client.secret) },
        form: { token: accessToken },
      }),
    );
    return {
      protected: atProtected,
      userinfo: info.statusCode === 200 ? 'ok' : json(info).error,
      introspect: introspected.statusCode === 200 ? json(introspected).active : json(introspected).error,
    };
  }

  return { runtime, recorded, accounts, username, user, client, tokens, token, accepted };
}

const json = (result: ApiResult) => JSON.parse(result.body);
const LIVE = { protected: 'allowed', userinfo: 'ok', introspect: true };
const DEAD = { protected: 'Unauthorized', userinfo: 'invalid_token', introspect: false };

describe('disabling a user', () => {
  let env: Env;
  beforeAll(async () => {
    env = await setup();
  });

  it('ends every token of theirs at once, everywhere, and refuses their sign-in until enabled', async () => {
    const first = await env.tokens();
    const second = await env.tokens();
    expect(await env.accepted(first.access_token)).toEqual(LIVE);

    const users = userAdministration(env.runtime);
    expect(await users.disable(OPERATOR, { sub: env.user.sub })).toEqual({ sessionsEnded: 2 });

    for (const issued of [first, second]) {
      expect(await env.accepted(issued.access_token)).toEqual(DEAD);
      const refreshed = await env.token({ grant_type: 'refresh_token', refresh_token: issued.refresh_token });
      expect(json(refreshed).error).toBe('invalid_grant');
    }
    await expect(env.accounts.login(env.username, PASSWORD)).rejects.toBeInstanceOf(AccountDisabled);
    expect(await users.find({ username: env.username })).toMatchObject({ disabledAt: expect.any(Number) });

    await users.enable(OPERATOR, { username: env.username });
    expect(await env.accepted(first.access_token)).toEqual(DEAD);
    expect(await env.accepted((await env.tokens()).access_token)).toEqual(LIVE);
    expect(env.recorded.filter((event) => event.kind === 'admin')).toEqual([
      expect.objectContaining({
        action: 'user.disable',
        operator: OPERATOR,
        outcome: 'succeeded',
        target: { user: env.user.sub, username: env.username },
      }),
      expect.objectContaining({ action: 'user.enable', operator: OPERATOR, outcome: 'succeeded' }),
    ]);
  });

  it('ends sessions without disabling, finds users by sub and username without the hash, and audits failures', async () => {
    const issued = await env.tokens();
    const users = userAdministration(env.runtime);
    expect(
      (await users.endSessions(OPERATOR, { username: env.username })).sessionsEnded,
    ).toBeGreaterThanOrEqual(1);
    expect(await env.accepted(issued.access_token)).toEqual(DEAD);
    expect(await env.accepted((await env.tokens()).access_token)).toEqual(LIVE);

    const bySub = await users.find({ sub: env.user.sub });
    expect(bySub).toEqual(await users.find({ username: env.username }));
    expect(bySub).toMatchObject({ sub: env.user.sub, username: env.username });
    expect(bySub).not.toHaveProperty('passwordHash');

    await expect(
      users.disable(OPERATOR, { sub: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toBeInstanceOf(NotFound);
    expect(env.recorded.at(-1)).toMatchObject({ kind: 'admin', action: 'user.disable', outcome: 'failed' });
  });
});

describe('suspending a client', () => {
  let env: Env;
  beforeAll(async () => {
    env = await setup();
  });

  it('answers invalid_client from then on, ends every token issued to it, and resumes without them', async () => {
    const issued = await env.tokens();
    const admin = clientAdministration(env.runtime);
    expect(await admin.suspend(OPERATOR, env.client.id)).toEqual({ grantsDeleted: 1 });

    expect(
      json(await env.token({ grant_type: 'refresh_token', refresh_token: issued.refresh_token })).error,
    ).toBe('invalid_client');
    // /introspect authenticates the suspended client too: refused before it could learn anything.
    expect(await env.accepted(issued.access_token)).toEqual({ ...DEAD, introspect: 'invalid_client' });
    expect((await admin.find(env.client.id)).suspendedAt).toEqual(expect.any(Number));
    expect((await admin.list()).map((client) => client.clientId)).toContain(env.client.id);
    expect(await admin.list()).not.toContainEqual(expect.objectContaining({ secretHash: expect.anything() }));

    await admin.resume(OPERATOR, env.client.id);
    expect(await env.accepted(issued.access_token)).toEqual({ ...DEAD, introspect: false });
    expect(await env.accepted((await env.tokens()).access_token)).toEqual(LIVE);
  });

  it('deletes a client with every grant issued to it, and counts what there is', async () => {
    // The grant made after resuming, and this one.
    const issued = await env.tokens();
    const counts = await administrationCounts(env.runtime)();
    // Other test files share the tables: only lower bounds are certain.
    expect(counts.users).toBeGreaterThanOrEqual(1);
    expect(counts.clients).toBeGreaterThanOrEqual(1);
    expect(counts.liveSessions).toBeGreaterThanOrEqual(2);
    expect(counts.liveGrants).toBeGreaterThanOrEqual(2);
    expect(Object.keys(counts).sort()).toEqual([
      'clients',
      'liveGrants',
      'liveSessions',
      'suspendedClients',
      'users',
    ]);

    const admin = clientAdministration(env.runtime);
    expect(await admin.delete(OPERATOR, env.client.id)).toEqual({ grantsDeleted: 2 });
    expect(await env.accepted(issued.access_token)).toMatchObject({
      protected: 'Unauthorized',
      userinfo: 'invalid_token',
      introspect: 'invalid_client',
    });
    await expect(admin.delete(OPERATOR, env.client.id)).rejects.toBeInstanceOf(NotFound);
    expect(env.recorded.at(-1)).toMatchObject({ kind: 'admin', action: 'client.delete', outcome: 'failed' });
  });
});

describe('deleting a user', () => {
  it('ends their tokens, deletes their clients and the user, and frees nothing else', async () => {
    const env = await setup();
    const issued = await env.tokens();
    const deleted = await accountDeletion(env.runtime).delete(OPERATOR, { username: env.username });
    expect(deleted).toEqual({
      sessionsEnded: 1,
      clientsDeleted: 1,
      grantsDeleted: 0,
      consentsDeleted: 0,
      passkeysDeleted: 0,
    });
    expect((await env.accepted(issued.access_token)).protected).toBe('Unauthorized');
    await expect(userAdministration(env.runtime).find({ sub: env.user.sub })).rejects.toBeInstanceOf(
      NotFound,
    );
    await expect(clientAdministration(env.runtime).find(env.client.id)).rejects.toBeInstanceOf(NotFound);
    expect(
      env.recorded
        .filter((event) => event.kind === 'admin')
        .map((event) => event.kind === 'admin' && event.action),
    ).toEqual(['user.disable', 'user.delete']);
  });
});
