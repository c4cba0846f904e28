import { beforeEach, describe, expect, it } from 'vitest';
import type { ClientRecord } from '#core/clients/records';
import { ClientRegistry, MAX_CLIENTS_PER_OWNER, TooManyClients } from '#core/clients/registry';
import { OAuthError } from '#core/errors';
import { sha256 } from '#core/secrets';
import { MemoryClientStore, SCOPES, WEB_APP } from '../../../fakes/clients.ts';
import { manualClock } from '../../../fakes/keys.ts';

const ALICE = { sub: 'alice-sub', username: 'alice' };
const BOB = { sub: 'bob-sub', username: 'bob' };

function setupRegistry(maxClientsPerOwner?: number) {
  const clock = manualClock();
  const store = new MemoryClientStore();
  const registry = new ClientRegistry({
    store,
    clock,
    scopesSupported: SCOPES,
    ...(maxClientsPerOwner === undefined ? {} : { maxClientsPerOwner }),
  });
  return { clock, store, registry };
}

/** A client stored before owners' clients were counted. */
const legacyClient: ClientRecord = {
  clientId: 'legacy',
  owner: ALICE.sub,
  clientName: 'Old app',
  redirectUris: ['https://old.example.com/cb'],
  grantTypes: ['authorization_code'],
  tokenEndpointAuthMethod: 'client_secret_basic',
  scope: 'read',
  secretHash: sha256('old'),
  clientIdIssuedAt: 1,
};

/** The error `promise` rejects with, checked to be an OAuthError with this status and code. */
async function refusal(promise: Promise<unknown>, status: number, code: string): Promise<OAuthError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(OAuthError);
  expect({ status: (error as OAuthError).status, code: (error as OAuthError).code }).toEqual({
    status,
    code,
  });
  return error as OAuthError;
}

describe('client registry', () => {
  let env: ReturnType<typeof setupRegistry>;
  beforeEach(() => {
    env = setupRegistry();
  });

  it('registers a confidential client with a 128-bit base64url id and stores only the secret hash', async () => {
    const { client, secret, registrationAccessToken } = await env.registry.register(ALICE, { ...WEB_APP });
    expect(client.clientId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(registrationAccessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = env.store.clients.get(client.clientId);
    expect(stored).toEqual({
      clientId: client.clientId,
      owner: 'alice-sub',
      clientName: '',
      redirectUris: ['https://app.example.com/callback'],
      grantTypes: ['authorization_code'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      scope: 'read write admin',
      secretHash: sha256(secret!),
      registrationTokenHash: sha256(registrationAccessToken),
      clientIdIssuedAt: Math.floor(env.clock() / 1000),
    });
    expect(stored?.secretHash).not.toBe(secret);
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(JSON.stringify(stored)).not.toContain(registrationAccessToken);
  });

  it('gives a public client no secret and no hash', async () => {
    const { client, secret } = await env.registry.register(ALICE, {
      ...WEB_APP,
      token_endpoint_auth_method: 'none',
    });
    expect(secret).toBeUndefined();
    expect(env.store.clients.get(client.clientId)).not.toHaveProperty('secretHash');
  });

  it('assigns its own client_id and ignores a client_id or client_secret in the request', async () => {
    const { client, secret } = await env.registry.register(ALICE, {
      ...WEB_APP,
      client_id: 'chosen-id',
      client_secret: 'chosen-secret-chosen-secret-chosen-secret',
    });
    expect(client.clientId).not.toBe('chosen-id');
    expect(env.store.clients.has('chosen-id')).toBe(false);
    expect(secret).not.toBe('chosen-secret-chosen-secret-chosen-secret');
    expect(client.secretHash).toBe(sha256(secret!));
  });

  it('never issues the same id or secret twice', async () => {
    const ids = new Set<string>();
    const secrets = new Set<string>();
    for (let index = 0; index < 20; index++) {
      const { client, secret } = await env.registry.register(ALICE, { ...WEB_APP });
      ids.add(client.clientId);
      secrets.add(secret!);
    }
    expect(ids.size).toBe(20);
    expect(secrets.size).toBe(20);
  });

  it('stores nothing when the metadata is refused', async () => {
    await refusal(
      env.registry.register(ALICE, { redirect_uris: ['http://evil.example/cb'] }),
      400,
      'invalid_redirect_uri',
    );
    expect(env.store.clients.size).toBe(0);
  });

  it(`allows ${MAX_CLIENTS_PER_OWNER} clients per owner and refuses the next with 409 too_many_clients`, async () => {
    for (let index = 0; index < MAX_CLIENTS_PER_OWNER; index++) {
      await env.registry.register(ALICE, { ...WEB_APP });
    }
    const error = await refusal(env.registry.register(ALICE, { ...WEB_APP }), 409, 'too_many_clients');
    expect(error).toBeInstanceOf(TooManyClients);
    // The cap is per owner.
    await expect(env.registry.register(BOB, { ...WEB_APP })).resolves.toBeDefined();
  });

  it('stores exactly the limit when a hundred registrations for one owner arrive at once', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () => env.registry.register(ALICE, { ...WEB_APP })),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(MAX_CLIENTS_PER_OWNER);
    const refused = results.filter((result) => result.status === 'rejected');
    expect(refused.every((result) => result.reason instanceof TooManyClients)).toBe(true);
    expect(await env.registry.list(ALICE.sub)).toHaveLength(MAX_CLIENTS_PER_OWNER);
  });

  it('counts the clients of an owner registered before clients were counted, once, from their list', async () => {
    const small = setupRegistry(3);
    for (const clientId of ['legacy-1', 'legacy-2']) {
      small.store.clients.set(clientId, { ...legacyClient, clientId });
    }
    small.store.users.set(ALICE.username, { sub: ALICE.sub });
    await small.registry.register(ALICE, { ...WEB_APP });
    await refusal(small.registry.register(ALICE, { ...WEB_APP }), 409, 'too_many_clients');
    expect(small.store.users.get(ALICE.username)?.clientCount).toBe(3);
  });

  it('lets an owner register again after deleting at the cap', async () => {
    const small = setupRegistry(2);
    const first = await small.registry.register(ALICE, { ...WEB_APP });
    await small.registry.register(ALICE, { ...WEB_APP });
    await refusal(small.registry.register(ALICE, { ...WEB_APP }), 409, 'too_many_clients');
    await small.registry.remove(ALICE, first.client.clientId);
    await expect(small.registry.register(ALICE, { ...WEB_APP })).resolves.toBeDefined();
  });

  it('lists only the owner’s clients', async () => {
    const mine = await env.registry.register(ALICE, { ...WEB_APP });
    await env.registry.register(BOB, { ...WEB_APP });
    expect((await env.registry.list('alice-sub')).map((client) => client.clientId)).toEqual([
      mine.client.clientId,
    ]);
  });

  it('removes the owner’s client and only its grants', async () => {
    const { client } = await env.registry.register(ALICE, { ...WEB_APP });
    const other = await env.registry.register(ALICE, { ...WEB_APP });
    env.store.grants.set('g1', client.clientId);
    env.store.grants.set('g2', client.clientId);
    env.store.grants.set('g3', other.client.clientId);
    await expect(env.registry.remove(ALICE, client.clientId)).resolves.toEqual({ grantsDeleted: 2 });
    expect(env.store.clients.has(client.clientId)).toBe(false);
    expect([...env.store.grants.keys()]).toEqual(['g3']);
  });

  it('answers 404 alike for someone else’s client and an unknown one, touching neither', async () => {
    const { client } = await env.registry.register(ALICE, { ...WEB_APP });
    env.store.grants.set('g1', client.clientId);
    await refusal(env.registry.remove(BOB, client.clientId), 404, 'not_found');
    expect(env.store.clients.has(client.clientId)).toBe(true);
    expect(env.store.grants.has('g1')).toBe(true);
    await refusal(env.registry.remove(BOB, 'AAAAAAAAAAAAAAAAAAAAAA'), 404, 'not_found');
    await refusal(env.registry.remove(BOB, 'not a client id!'), 404, 'not_found');
  });

  it('sweeps grants left behind by an interrupted deletion when the DELETE is repeated', async () => {
    const { client } = await env.registry.register(ALICE, { ...WEB_APP });
    env.store.clients.delete(client.clientId);
    env.store.grants.set('leftover', client.clientId);
    await refusal(env.registry.remove(ALICE, client.clientId), 404, 'not_found');
    expect(env.store.grants.size).toBe(0);
  });

  it('rotates a secret: the new hash replaces the old one', async () => {
    const { client, secret } = await env.registry.register(ALICE, { ...WEB_APP });
    const fresh = await env.registry.rotateSecret('alice-sub', client.clientId);
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fresh).not.toBe(secret);
    expect(env.store.clients.get(client.clientId)?.secretHash).toBe(sha256(fresh));
  });

  it('refuses to rotate someone else’s (404), an unknown (404) or a public client’s secret (400 invalid_request)', async () => {
    const { client } = await env.registry.register(ALICE, { ...WEB_APP });
    const before = env.store.clients.get(client.clientId)?.secretHash;
    await refusal(env.registry.rotateSecret('bob-sub', client.clientId), 404, 'not_found');
    await refusal(env.registry.rotateSecret('alice-sub', 'AAAAAAAAAAAAAAAAAAAAAA'), 404, 'not_found');
    expect(env.store.clients.get(client.clientId)?.secretHash).toBe(before);

    const publicClient = await env.registry.register(ALICE, {
      ...WEB_APP,
      token_endpoint_auth_method: 'none',
    });
    await refusal(
      env.registry.rotateSecret('alice-sub', publicClient.client.clientId),
      400,
      'invalid_request',
    );
    expect(env.store.clients.get(publicClient.client.clientId)).not.toHaveProperty('secretHash');
  });
});
