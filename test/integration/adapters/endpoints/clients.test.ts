/** POST/GET /client, DELETE /client/{client_id} and POST /client/{client_id}/secret against DynamoDB Local. */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoClientStore } from '#adapters/dynamo/clients';
import { createClientCreateHandler } from '#adapters/endpoints/clients/create';
import { createClientDeleteHandler } from '#adapters/endpoints/clients/delete';
import { createClientListHandler } from '#adapters/endpoints/clients/list';
import { createClientSecretHandler } from '#adapters/endpoints/clients/secret';
import type { ApiResult } from '#adapters/http/responses';
import {
  accounts as accountsOf,
  clientConfiguration,
  clientRegistry,
  sessions as sessionsOf,
} from '#app/services';
import { tableName } from '#contract/tables';
import type { ClientRecord } from '#core/clients/records';
import type { GrantRecord } from '#core/oauth/records';
import { matchesHash, sha256 } from '#core/secrets';
import { apiEvent } from '../../../fakes/events.ts';
import { recordingLogger } from '../../../fakes/logger.ts';
import { storedItem, storeItem, testRuntime, uniqueName, updateItem } from '../../../fakes/runtime.ts';

const PASSWORD = 'correct horse battery';
const WEB_APP = { client_name: 'Photo Printer', redirect_uris: ['https://printer.example/callback'] };
const body = (result: ApiResult) => JSON.parse(result.body) as Record<string, unknown>;
const bearer = (token: string | undefined): Record<string, string> =>
  token === undefined ? {} : { authorization: `Bearer ${token}` };

async function setup() {
  const runtime = await testRuntime();
  const accounts = accountsOf(runtime);
  const registry = clientRegistry(runtime);
  const sessions = sessionsOf(runtime);
  const { logger, lines } = recordingLogger();
  const handlers = {
    create: createClientCreateHandler({ registry, sessions, logger, issuer: runtime.config.issuer }),
    list: createClientListHandler(registry, sessions, logger),
    remove: createClientDeleteHandler({
      registry,
      sessions,
      logger,
      configuration: clientConfiguration(runtime),
    }),
    rotate: createClientSecretHandler(registry, sessions, logger),
  };
  const clients = tableName(runtime.config.tablePrefix, 'clients');
  const users = tableName(runtime.config.tablePrefix, 'users');
  const grants = tableName(runtime.config.tablePrefix, 'grants');

  /** A fresh user with a live session; every test works with users of its own. */
  async function user() {
    const username = uniqueName('owner');
    const { sub } = await accounts.register(username, PASSWORD);
    const { token } = await accounts.login(username, PASSWORD);
    return { sub, token, username };
  }

  return {
    runtime,
    lines,
    user,
    users,
    store: new DynamoClientStore(runtime.db, runtime.config.tablePrefix),
    create: (token: string | undefined, json: unknown = WEB_APP) =>
      handlers.create(apiEvent({ method: 'POST', path: '/client', headers: bearer(token), json })),
    list: (token: string | undefined) =>
      handlers.list(apiEvent({ method: 'GET', path: '/client', headers: bearer(token) })),
    remove: (token: string | undefined, clientId: string) =>
      handlers.remove(
        apiEvent({
          method: 'DELETE',
          path: `/client/${clientId}`,
          headers: bearer(token),
          pathParameters: { client_id: clientId },
        }),
      ),
    rotate: (token: string | undefined, clientId: string) =>
      handlers.rotate(
        apiEvent({
          method: 'POST',
          path: `/client/${clientId}/secret`,
          headers: bearer(token),
          pathParameters: { client_id: clientId },
        }),
      ),
    storedClient: async (clientId: string) =>
      (await storedItem(runtime.db, clients, { clientId })) as ClientRecord | undefined,
    putGrant: async (clientId: string, sub: string) => {
      const now = Math.floor(runtime.clock() / 1000);
      const grant: GrantRecord = {
        grantId: randomUUID(),
        clientId,
        sub,
        scope: 'read',
        grantType: 'authorization_code',
        createdAt: now,
        expiresAt: now + 3600,
      };
      await storeItem(runtime.db, grants, { ...grant });
      return grant.grantId;
    },
    storedGrant: (grantId: string) => storedItem(runtime.db, grants, { grantId }),
  };
}

type Env = Awaited<ReturnType<typeof setup>>;

describe('authentication', () => {
  let env: Env;
  beforeAll(async () => {
    env = await setup();
  });

  it.each([
    ['no Authorization header', () => undefined],
    ['a token that is no JWT', () => 'not-a-session-token'],
    [
      'a logged-out session',
      async (env: Env) => {
        const { token } = await env.user();
        await sessionsOf(env.runtime).logout(token);
        return token;
      },
    ],
  ])('refuses %s with 401 invalid_token and a Bearer challenge on every endpoint', async (_, tokenFor) => {
    const token = await tokenFor(env);
    const someClient = 'AAAAAAAAAAAAAAAAAAAAAA';
    const results = [
      await env.create(token),
      await env.list(token),
      await env.remove(token, someClient),
      await env.rotate(token, someClient),
    ];
    for (const result of results) {
      expect(result.statusCode).toBe(401);
      expect(body(result).error).toBe('invalid_token');
      expect(result.headers?.['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
    }
  });

  it('stores nothing for an unauthenticated registration', async () => {
    const { sub } = await env.user();
    await env.create('not-a-session-token');
    expect(await env.store.listClients(sub)).toEqual([]);
  });
});

describe('POST /client and GET /client', () => {
  let env: Env;
  beforeAll(async () => {
    env = await setup();
  });

  it('registers a confidential client (201), stores it with its owner and only the secret hash', async () => {
    const { sub, token } = await env.user();
    const result = await env.create(token);
    expect(result.statusCode).toBe(201);
    const created = body(result);
    expect(created).toEqual({
      client_id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      client_id_issued_at: Math.floor(env.runtime.clock() / 1000),
      client_secret_expires_at: 0,
      client_name: 'Photo Printer',
      redirect_uris: ['https://printer.example/callback'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: [...env.runtime.config.scopesSupported, 'openid', 'profile', 'email'].join(' '),
      id_token_signed_response_alg: 'RS256',
      require_pkce: true,
      registration_access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      registration_client_uri: `${env.runtime.config.issuer}/client/${created.client_id}`,
    });
    const stored = await env.storedClient(created.client_id as string);
    expect(stored).toMatchObject({
      owner: sub,
      secretHash: sha256(created.client_secret as string),
      registrationTokenHash: sha256(created.registration_access_token as string),
    });
    expect(JSON.stringify(stored)).not.toContain(created.client_secret as string);
    // What the token endpoint will read finds it at once and accepts the secret.
    const found = await env.store.findClient(created.client_id as string);
    expect(matchesHash(created.client_secret as string, found?.secretHash)).toBe(true);
    expect(env.lines.join('\n')).not.toContain(created.client_secret as string);
    expect(env.lines.join('\n')).not.toContain(stored?.secretHash as string);
  });

  it('registers a public client without a secret or hash', async () => {
    const { token } = await env.user();
    const result = await env.create(token, { ...WEB_APP, token_endpoint_auth_method: 'none' });
    expect(result.statusCode).toBe(201);
    const created = body(result);
    expect(created).not.toHaveProperty('client_secret');
    expect(await env.storedClient(created.client_id as string)).not.toHaveProperty('secretHash');
  });

  it('ignores a client_id chosen by the caller', async () => {
    const { token } = await env.user();
    const chosen = uniqueName('chosen');
    const created = body(await env.create(token, { ...WEB_APP, client_id: chosen }));
    expect(created.client_id).not.toBe(chosen);
    expect(await env.storedClient(chosen)).toBeUndefined();
  });

  it.each([
    [{ redirect_uris: ['http://printer.example/callback'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['https://*.printer.example/callback'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['https://printer.example/callback#top'] }, 'invalid_redirect_uri'],
    [{}, 'invalid_redirect_uri'],
    [{ ...WEB_APP, grant_types: ['password'] }, 'invalid_client_metadata'],
    [{ ...WEB_APP, scope: 'read everything' }, 'invalid_client_metadata'],
  ])('answers %j with 400 %s and stores nothing', async (json, error) => {
    const { sub, token } = await env.user();
    const result = await env.create(token, json);
    expect(result.statusCode).toBe(400);
    expect(body(result).error).toBe(error);
    expect(await env.store.listClients(sub)).toEqual([]);
  });

  it('lists the caller’s own clients, oldest first, without secrets', async () => {
    const alice = await env.user();
    const bob = await env.user();
    const first = body(await env.create(alice.token));
    env.runtime.clock.advance(1);
    const second = body(await env.create(alice.token, { ...WEB_APP, token_endpoint_auth_method: 'none' }));
    await env.create(bob.token);

    const result = await env.list(alice.token);
    expect(result.statusCode).toBe(200);
    const withoutSecret = ({
      client_secret: _,
      client_secret_expires_at: __,
      registration_access_token: ___,
      registration_client_uri: ____,
      ...rest
    }: Record<string, unknown>) => rest;
    expect(body(result)).toEqual({ clients: [withoutSecret(first), withoutSecret(second)] });
    expect(result.body).not.toContain(first.client_secret as string);
    expect(result.body).not.toContain(sha256(first.client_secret as string));

    expect(body(await env.list(bob.token)).clients).toHaveLength(1);
    const carol = await env.user();
    expect(body(await env.list(carol.token))).toEqual({ clients: [] });
  });
});

describe('the cap of clients per owner', () => {
  let env: Env;
  beforeAll(async () => {
    env = await setup();
  });

  it('stores exactly 50 when a hundred registrations by one owner arrive at once', async () => {
    const { sub, token } = await env.user();
    const burst = await Promise.all(Array.from({ length: 100 }, () => env.create(token)));
    // A burst on one owner's counter can outlast the transaction-conflict retries: those requests are
    // refused as retryable (503), never stored. Retried one at a time, as a client would, they settle.
    const retried: ApiResult[] = [];
    for (const result of burst.filter((answer) => answer.statusCode === 503)) {
      expect(body(result).error).toBe('temporarily_unavailable');
      retried.push(await env.create(token));
    }
    const results = [...burst.filter((answer) => answer.statusCode !== 503), ...retried];
    const statuses = results.map((result) => result.statusCode).sort();
    expect(statuses).toEqual([...Array(50).fill(201), ...Array(50).fill(409)]);
    for (const refused of results.filter((result) => result.statusCode === 409)) {
      expect(body(refused).error).toBe('too_many_clients');
    }
    expect(await env.store.listClients(sub)).toHaveLength(50);
  }, 120_000);

  it('counts a deletion, so that the owner can register again, and only then', async () => {
    const { token } = await env.user();
    const created = await Promise.all(Array.from({ length: 50 }, () => env.create(token)));
    expect((await env.create(token)).statusCode).toBe(409);
    const first = body(created[0] as ApiResult).client_id as string;
    expect((await env.remove(token, first)).statusCode).toBe(204);
    expect((await env.remove(token, first)).statusCode).toBe(404);
    expect((await env.create(token)).statusCode).toBe(201);
    expect((await env.create(token)).statusCode).toBe(409);
  }, 120_000);

  it('starts counting an owner registered before clients were counted from the clients they have', async () => {
    const { sub, token, username } = await env.user();
    const created = await Promise.all(Array.from({ length: 3 }, () => env.create(token)));
    // As a user item written before the count existed: no clientCount at all.
    await updateItem(env.runtime.db, env.users, { username }, 'REMOVE clientCount');
    expect((await env.remove(token, body(created[0] as ApiResult).client_id as string)).statusCode).toBe(204);
    expect((await env.create(token)).statusCode).toBe(201);
    expect(await storedItem(env.runtime.db, env.users, { username })).toMatchObject({
      clientCount: 3,
    });
    expect(await env.store.listClients(sub)).toHaveLength(3);
  });
});

describe('DELETE /client/{client_id}', () => {
  let env: Env;
  beforeAll(async () => {
    env = await setup();
  });

  it('removes the client and every grant issued to it (204), leaving other clients’ grants', async () => {
    const owner = await env.user();
    const doomed = body(await env.create(owner.token)).client_id as string;
    const kept = body(await env.create(owner.token)).client_id as string;
    const doomedGrants = await Promise.all([1, 2, 3].map(() => env.putGrant(doomed, owner.sub)));
    const keptGrant = await env.putGrant(kept, owner.sub);

    const result = await env.remove(owner.token, doomed);
    expect(result.statusCode).toBe(204);
    expect(result.body).toBe('');
    expect(await env.storedClient(doomed)).toBeUndefined();
    expect(await env.store.findClient(doomed)).toBeUndefined();
    for (const grantId of doomedGrants) expect(await env.storedGrant(grantId)).toBeUndefined();
    expect(await env.storedGrant(keptGrant)).toBeDefined();
    expect(await env.storedClient(kept)).toBeDefined();
    expect(body(await env.list(owner.token)).clients).toEqual([expect.objectContaining({ client_id: kept })]);
  });

  it('answers 404 not_found to another user, identically for an unknown client, and changes nothing', async () => {
    const owner = await env.user();
    const intruder = await env.user();
    const clientId = body(await env.create(owner.token)).client_id as string;
    const grantId = await env.putGrant(clientId, owner.sub);

    const foreign = await env.remove(intruder.token, clientId);
    const unknown = await env.remove(intruder.token, 'AAAAAAAAAAAAAAAAAAAAAA');
    expect(foreign.statusCode).toBe(404);
    expect(body(foreign).error).toBe('not_found');
    expect(unknown.statusCode).toBe(404);
    expect(body(unknown)).toEqual(body(foreign));
    expect(await env.storedClient(clientId)).toBeDefined();
    expect(await env.storedGrant(grantId)).toBeDefined();
    // Nor can the intruder see it.
    expect(body(await env.list(intruder.token))).toEqual({ clients: [] });
  });

  it('is safe to repeat: a second DELETE is 404 and sweeps grants left behind', async () => {
    const owner = await env.user();
    const clientId = body(await env.create(owner.token)).client_id as string;
    expect((await env.remove(owner.token, clientId)).statusCode).toBe(204);
    // As if a token request that authenticated the client just before its deletion wrote a grant late.
    const late = await env.putGrant(clientId, owner.sub);
    const again = await env.remove(owner.token, clientId);
    expect(again.statusCode).toBe(404);
    expect(body(again).error).toBe('not_found');
    expect(await env.storedGrant(late)).toBeUndefined();
  });

  it('deletes exactly once when the owner sends the same DELETE five times at once', async () => {
    const owner = await env.user();
    const clientId = body(await env.create(owner.token)).client_id as string;
    await env.putGrant(clientId, owner.sub);
    const results = await Promise.all(Array.from({ length: 5 }, () => env.remove(owner.token, clientId)));
    expect(results.map((result) => result.statusCode).sort()).toEqual([204, 404, 404, 404, 404]);
  });
});

describe('POST /client/{client_id}/secret', () => {
  let env: Env;
  beforeAll(async () => {
    env = await setup();
  });

  it('replaces the secret (200): the new hash is stored and the old secret stops matching', async () => {
    const owner = await env.user();
    const created = body(await env.create(owner.token));
    const clientId = created.client_id as string;
    const oldSecret = created.client_secret as string;

    const result = await env.rotate(owner.token, clientId);
    expect(result.statusCode).toBe(200);
    const rotated = body(result);
    expect(rotated).toEqual({
      client_id: clientId,
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      client_secret_expires_at: 0,
    });
    const newSecret = rotated.client_secret as string;
    expect(newSecret).not.toBe(oldSecret);

    const stored = await env.store.findClient(clientId);
    expect(stored?.secretHash).toBe(sha256(newSecret));
    expect(stored?.secretHash).not.toBe(sha256(oldSecret));
    expect(matchesHash(oldSecret, stored?.secretHash)).toBe(false);
    expect(matchesHash(newSecret, stored?.secretHash)).toBe(true);
    // The rest of the client is untouched.
    expect(stored).toMatchObject({ owner: owner.sub, redirectUris: WEB_APP.redirect_uris });
    expect(env.lines.join('\n')).not.toContain(newSecret);
  });

  it('answers 404 not_found to another user and for an unknown client, keeping the secret', async () => {
    const owner = await env.user();
    const intruder = await env.user();
    const created = body(await env.create(owner.token));
    const clientId = created.client_id as string;

    const foreign = await env.rotate(intruder.token, clientId);
    expect(foreign.statusCode).toBe(404);
    expect(body(foreign).error).toBe('not_found');
    const unknown = await env.rotate(intruder.token, 'AAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.statusCode).toBe(404);
    expect(body(unknown)).toEqual(body(foreign));
    expect((await env.storedClient(clientId))?.secretHash).toBe(sha256(created.client_secret as string));
  });

  it('answers 400 invalid_request for a public client and gives it no secret', async () => {
    const owner = await env.user();
    const clientId = body(await env.create(owner.token, { ...WEB_APP, token_endpoint_auth_method: 'none' }))
      .client_id as string;
    const result = await env.rotate(owner.token, clientId);
    expect(result.statusCode).toBe(400);
    expect(body(result).error).toBe('invalid_request');
    expect(await env.storedClient(clientId)).not.toHaveProperty('secretHash');
  });

  it('answers 404 once the client is deleted', async () => {
    const owner = await env.user();
    const clientId = body(await env.create(owner.token)).client_id as string;
    await env.remove(owner.token, clientId);
    const result = await env.rotate(owner.token, clientId);
    expect(result.statusCode).toBe(404);
    // The failed conditional update must not have recreated a partial item.
    expect(await env.storedClient(clientId)).toBeUndefined();
  });
});
