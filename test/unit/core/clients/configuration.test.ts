import { beforeEach, describe, expect, it } from 'vitest';
import { ClientConfiguration } from '#core/clients/configuration';
import { OpenRegistration, UNUSED_CLIENT_TTL_SECONDS } from '#core/clients/open-registration';
import { ClientRegistry } from '#core/clients/registry';
import type { OAuthError } from '#core/errors';
import { sha256 } from '#core/secrets';
import { MemoryClientConfigurationStore, SCOPES, WEB_APP } from '../../../fakes/clients.ts';
import { manualClock } from '../../../fakes/keys.ts';

const ALICE = { sub: 'alice-sub', username: 'alice' };
const LOOPBACK = 'http://127.0.0.1:33418/callback';

function setup() {
  const clock = manualClock(1_800_000_000_000);
  const store = new MemoryClientConfigurationStore();
  const open = new OpenRegistration({
    store: {
      createOpenClient: async (client) => {
        store.clients.set(client.clientId, structuredClone(client));
        return 'created';
      },
    },
    clock,
    scopesSupported: SCOPES,
    mode: 'public',
  });
  const registry = new ClientRegistry({ store, clock, scopesSupported: SCOPES });
  const configuration = new ClientConfiguration({ store, clock, scopesSupported: SCOPES });
  return { clock, store, open, registry, configuration };
}

/** The OAuth error a promise rejects with, as status and code. */
async function refusal(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  )) as OAuthError | undefined;
  return { status: error?.status, code: error?.code, headers: error?.headers };
}

const INVALID_TOKEN = {
  status: 401,
  code: 'invalid_token',
  headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
};

describe('RFC 7592 client configuration', () => {
  let env: ReturnType<typeof setup>;
  beforeEach(() => {
    env = setup();
  });

  it('reads an open client with its token, answering a new token that alone works from then on', async () => {
    const registered = await env.open.register('192.0.2.1', { redirect_uris: [LOOPBACK] });
    const id = registered.client.clientId;
    const read = await env.configuration.read(id, registered.registrationAccessToken);
    expect(read.client).toEqual(env.store.clients.get(id));
    expect(read.client.redirectUris).toEqual([LOOPBACK]);
    expect(read.registrationAccessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(read.registrationAccessToken).not.toBe(registered.registrationAccessToken);
    expect(env.store.clients.get(id)?.registrationTokenHash).toBe(sha256(read.registrationAccessToken));
    expect(await refusal(env.configuration.read(id, registered.registrationAccessToken))).toEqual(
      INVALID_TOKEN,
    );
  });

  it('replaces the metadata whole on update, under the open-registration rules', async () => {
    const registered = await env.open.register('192.0.2.1', {
      client_name: 'Desktop',
      redirect_uris: [LOOPBACK],
    });
    const id = registered.client.clientId;
    const updated = await env.configuration.update(id, registered.registrationAccessToken, () => ({
      client_id: id,
      redirect_uris: ['http://127.0.0.1:40000/cb'],
      registration_access_token: registered.registrationAccessToken,
      client_id_issued_at: 1,
    }));
    const stored = env.store.clients.get(id);
    expect(stored?.redirectUris).toEqual(['http://127.0.0.1:40000/cb']);
    expect(stored?.clientName).toBe('');
    expect(stored?.applicationType).toBe('native');
    expect(stored?.clientIdIssuedAt).toBe(registered.client.clientIdIssuedAt);
    expect(stored?.expiresAt).toBe(registered.client.clientIdIssuedAt + UNUSED_CLIENT_TTL_SECONDS);
    expect(updated.client).toEqual(stored);

    const token = updated.registrationAccessToken;
    const webToLoopback = { client_id: id, application_type: 'web', redirect_uris: [LOOPBACK] };
    expect(await refusal(env.configuration.update(id, token, () => webToLoopback))).toMatchObject({
      status: 400,
      code: 'invalid_redirect_uri',
    });
    const confidential = {
      client_id: id,
      redirect_uris: [LOOPBACK],
      token_endpoint_auth_method: 'client_secret_basic',
    };
    expect(await refusal(env.configuration.update(id, token, () => confidential))).toMatchObject({
      status: 400,
      code: 'invalid_client_metadata',
    });
    const otherId = { client_id: 'someone-else', redirect_uris: [LOOPBACK] };
    expect(await refusal(env.configuration.update(id, token, () => otherId))).toMatchObject({
      status: 400,
      code: 'invalid_client_metadata',
    });
    // Refused updates change nothing, the token included.
    expect(env.store.clients.get(id)).toEqual(stored);
    expect((await env.configuration.read(id, token)).client.redirectUris).toEqual([
      'http://127.0.0.1:40000/cb',
    ]);
  });

  it('accepts an owner’s client secret in an update only if it is the client’s', async () => {
    const { client, secret, registrationAccessToken } = await env.registry.register(ALICE, { ...WEB_APP });
    const body = { ...WEB_APP, client_id: client.clientId, client_name: 'Renamed' };
    const wrong = env.configuration.update(client.clientId, registrationAccessToken, () => ({
      ...body,
      client_secret: 'not-the-secret',
    }));
    expect(await refusal(wrong)).toMatchObject({ status: 400, code: 'invalid_client_metadata' });
    const updated = await env.configuration.update(client.clientId, registrationAccessToken, () => ({
      ...body,
      client_secret: secret,
    }));
    expect(updated.client.clientName).toBe('Renamed');
    expect(updated.client.owner).toBe(ALICE.sub);
    expect(updated.client.secretHash).toBe(sha256(secret!));
  });

  it('refuses alike a wrong token, another client’s, an unknown client, an expired and a suspended one', async () => {
    const first = await env.open.register('192.0.2.1', { redirect_uris: [LOOPBACK] });
    const second = await env.open.register('192.0.2.1', { redirect_uris: [LOOPBACK] });
    const id = first.client.clientId;
    const attempts = [
      env.configuration.read(id, 'A'.repeat(43)),
      env.configuration.read(id, second.registrationAccessToken),
      env.configuration.read('unknownClientId0000000', first.registrationAccessToken),
      env.configuration.read(id, 'not a token'),
      // The body is not even read without an accepted token.
      env.configuration.update(id, 'A'.repeat(43), () => {
        throw new Error('the body was read');
      }),
      env.configuration.remove(id, second.registrationAccessToken),
      env.configuration.update(id, second.registrationAccessToken, () => ({
        client_id: id,
        redirect_uris: [LOOPBACK],
      })),
    ];
    for (const attempt of attempts) expect(await refusal(attempt)).toEqual(INVALID_TOKEN);

    env.clock.advance(UNUSED_CLIENT_TTL_SECONDS);
    expect(await refusal(env.configuration.read(id, first.registrationAccessToken))).toEqual(INVALID_TOKEN);

    const suspended = await env.registry.register(ALICE, { ...WEB_APP });
    const record = env.store.clients.get(suspended.client.clientId)!;
    env.store.clients.set(record.clientId, { ...record, suspendedAt: 1 });
    const token = suspended.registrationAccessToken;
    expect(await refusal(env.configuration.read(record.clientId, token))).toEqual(INVALID_TOKEN);
    expect(await refusal(env.configuration.remove(record.clientId, token))).toEqual(INVALID_TOKEN);
    expect(env.store.clients.has(record.clientId)).toBe(true);
  });

  it('lets one of two concurrent reads with the same token rotate it; the other is refused', async () => {
    const { client, registrationAccessToken } = await env.open.register('192.0.2.1', {
      redirect_uris: [LOOPBACK],
    });
    const outcomes = await Promise.allSettled([
      env.configuration.read(client.clientId, registrationAccessToken),
      env.configuration.read(client.clientId, registrationAccessToken),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('deletes the client and its grants, counting an owner’s client off', async () => {
    const { client, registrationAccessToken } = await env.registry.register(ALICE, { ...WEB_APP });
    env.store.grants.set('grant-1', client.clientId);
    expect(env.store.users.get('alice')?.clientCount).toBe(1);
    expect(await env.configuration.remove(client.clientId, registrationAccessToken)).toEqual({
      grantsDeleted: 1,
    });
    expect(env.store.clients.has(client.clientId)).toBe(false);
    expect(env.store.grants.size).toBe(0);
    expect(env.store.users.get('alice')?.clientCount).toBe(0);
    expect(await refusal(env.configuration.remove(client.clientId, registrationAccessToken))).toEqual(
      INVALID_TOKEN,
    );
  });
});
