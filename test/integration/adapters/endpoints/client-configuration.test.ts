/**
 * RFC 7592 against DynamoDB Local: GET, PUT and DELETE /client/{client_id} with the registration access
 * token, each token working once (every read and update rotates it in the write that checks it), and
 * every refusal the same 401 invalid_token: a wrong token, another client's, an expired open client, a
 * suspended one. An owner's session keeps deleting as before; a token deletion counts an owner's client off.
 */
import { describe, expect, it } from 'vitest';
import type { ApiResult } from '#adapters/http/responses';
import { clientConfigurationEndpoint, clientCreateEndpoint, clientDeleteEndpoint } from '#app/endpoints';
import { accounts } from '#app/services';
import { tableName } from '#contract/tables';
import { UNUSED_CLIENT_TTL_SECONDS } from '#core/clients/open-registration';
import { sha256 } from '#core/secrets';
import { apiEvent } from '../../../fakes/events.ts';
import { storedItem, testRuntime, uniqueName, updateItem } from '../../../fakes/runtime.ts';

const LOOPBACK = 'http://127.0.0.1:33418/callback';
const PASSWORD = 'correct horse battery staple';

async function setup() {
  const runtime = await testRuntime({ openRegistration: 'public' });
  const handlers = {
    create: clientCreateEndpoint(runtime),
    manage: clientConfigurationEndpoint(runtime),
    remove: clientDeleteEndpoint(runtime),
  };
  const call = async (
    handler: keyof typeof handlers,
    input: { method: string; path: string; token?: string; json?: unknown; clientId?: string },
  ) => {
    const event = apiEvent({
      method: input.method,
      path: input.path,
      ...(input.json === undefined ? {} : { json: input.json }),
      headers: input.token === undefined ? {} : { authorization: `Bearer ${input.token}` },
      ...(input.clientId === undefined ? {} : { pathParameters: { client_id: input.clientId } }),
      sourceIp: `198.51.100.${Math.floor(Math.random() * 250)}`,
    });
    const result = (await handlers[handler](event, {} as never)) as ApiResult;
    return {
      status: result.statusCode,
      headers: result.headers,
      json: result.body ? JSON.parse(result.body) : {},
    };
  };
  const registerOpenly = async (json: unknown = { redirect_uris: [LOOPBACK] }) => {
    const reply = await call('create', { method: 'POST', path: '/client', json });
    expect(reply.status, JSON.stringify(reply.json)).toBe(201);
    return reply.json as Record<string, string>;
  };
  const on = (clientId: string, method: string, token: string, json?: unknown) =>
    call(method === 'DELETE' ? 'remove' : 'manage', {
      method,
      path: `/client/${clientId}`,
      token,
      clientId,
      ...(json === undefined ? {} : { json }),
    });
  const clientItem = (clientId: string) =>
    storedItem(runtime.db, tableName(runtime.config.tablePrefix, 'clients'), { clientId });
  return { runtime, call, registerOpenly, on, clientItem };
}

function expectInvalidToken(reply: {
  status: number;
  headers?: Record<string, unknown>;
  json: { error?: string };
}) {
  expect(reply.status).toBe(401);
  expect(reply.json.error).toBe('invalid_token');
  expect(reply.headers?.['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
}

describe('RFC 7592 client configuration endpoint', () => {
  it('registers with a token and its URI, reads, updates and deletes with the token, rotating it', async () => {
    const { runtime, registerOpenly, on, clientItem } = await setup();
    const registered = await registerOpenly();
    const id = registered.client_id as string;
    expect(registered.registration_client_uri).toBe(`${runtime.config.issuer}/client/${id}`);
    expect(registered.registration_access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await clientItem(id))?.registrationTokenHash).toBe(
      sha256(registered.registration_access_token as string),
    );

    const read = await on(id, 'GET', registered.registration_access_token as string);
    expect(read.status).toBe(200);
    const { registration_access_token: readToken, ...readMetadata } = read.json;
    const { registration_access_token: _, ...registeredMetadata } = registered;
    expect(readMetadata).toEqual(registeredMetadata);
    expect(readToken).not.toBe(registered.registration_access_token);
    expect(read.json.client_secret).toBeUndefined();
    expectInvalidToken(await on(id, 'GET', registered.registration_access_token as string));

    const updated = await on(id, 'PUT', readToken, {
      client_id: id,
      client_name: 'Renamed',
      redirect_uris: ['http://127.0.0.1:40000/cb'],
    });
    expect(updated.status, JSON.stringify(updated.json)).toBe(200);
    expect(updated.json).toMatchObject({
      client_id: id,
      client_name: 'Renamed',
      redirect_uris: ['http://127.0.0.1:40000/cb'],
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      registration_client_uri: registered.registration_client_uri,
    });
    const item = await clientItem(id);
    expect(item?.redirectUris).toEqual(['http://127.0.0.1:40000/cb']);
    expect(item?.expiresAt).toBe(Number(registered.client_id_issued_at) + UNUSED_CLIENT_TTL_SECONDS);
    expect(item?.owner).toBeUndefined();

    const token = updated.json.registration_access_token as string;
    const refused = await on(id, 'PUT', token, {
      client_id: id,
      redirect_uris: ['https://x.example/cb'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect({ status: refused.status, error: refused.json.error }).toEqual({
      status: 400,
      error: 'invalid_client_metadata',
    });
    const loopbackWeb = await on(id, 'PUT', token, {
      client_id: id,
      application_type: 'web',
      redirect_uris: [LOOPBACK],
    });
    expect({ status: loopbackWeb.status, error: loopbackWeb.json.error }).toEqual({
      status: 400,
      error: 'invalid_redirect_uri',
    });

    const deleted = await on(id, 'DELETE', token);
    expect(deleted.status).toBe(204);
    expect(await clientItem(id)).toBeUndefined();
    expectInvalidToken(await on(id, 'GET', token));
  });

  it('refuses a wrong token, another client’s, no token, an expired client and a suspended one alike', async () => {
    const { runtime, registerOpenly, on, call, clientItem } = await setup();
    const first = await registerOpenly();
    const second = await registerOpenly();
    const id = first.client_id as string;
    expectInvalidToken(await on(id, 'GET', 'B'.repeat(43)));
    expectInvalidToken(await on(id, 'GET', second.registration_access_token as string));
    expectInvalidToken(await on(id, 'DELETE', second.registration_access_token as string));
    expectInvalidToken(await on('unknownClientId0000000', 'GET', first.registration_access_token as string));
    expectInvalidToken(await call('manage', { method: 'GET', path: `/client/${id}`, clientId: id }));

    const suspended = await registerOpenly();
    const suspendedId = suspended.client_id as string;
    await updateItem(
      runtime.db,
      tableName(runtime.config.tablePrefix, 'clients'),
      { clientId: suspendedId },
      'SET suspendedAt = clientIdIssuedAt',
    );
    expectInvalidToken(await on(suspendedId, 'GET', suspended.registration_access_token as string));
    expectInvalidToken(await on(suspendedId, 'DELETE', suspended.registration_access_token as string));
    expect(await clientItem(suspendedId)).toBeDefined();

    // DynamoDB's TTL has not deleted it yet: the write checks expiresAt itself.
    runtime.clock.advance(UNUSED_CLIENT_TTL_SECONDS);
    expectInvalidToken(await on(id, 'GET', first.registration_access_token as string));
    expectInvalidToken(await on(id, 'DELETE', first.registration_access_token as string));
    expect(await clientItem(id)).toBeDefined();
  });

  it('lets a token delete an owner’s client, counting it off; the owner’s session still deletes', async () => {
    const { runtime, call, on, clientItem } = await setup();
    const username = uniqueName('owner');
    await accounts(runtime).register(username, PASSWORD);
    const { token: session } = await accounts(runtime).login(username, PASSWORD);
    const register = async () => {
      const reply = await call('create', {
        method: 'POST',
        path: '/client',
        token: session,
        json: { redirect_uris: ['https://app.example/cb'] },
      });
      expect(reply.status).toBe(201);
      return reply.json as Record<string, string>;
    };
    const users = tableName(runtime.config.tablePrefix, 'users');
    const byToken = await register();
    const bySession = await register();
    expect((await storedItem(runtime.db, users, { username }))?.clientCount).toBe(2);
    // A session token is not a registration access token: GET with it is refused.
    expectInvalidToken(await on(byToken.client_id as string, 'GET', session));

    expect(
      (await on(byToken.client_id as string, 'DELETE', byToken.registration_access_token as string)).status,
    ).toBe(204);
    expect(await clientItem(byToken.client_id as string)).toBeUndefined();
    expect((await storedItem(runtime.db, users, { username }))?.clientCount).toBe(1);

    expect((await on(bySession.client_id as string, 'DELETE', session)).status).toBe(204);
    expect((await storedItem(runtime.db, users, { username }))?.clientCount).toBe(0);
  });
});
