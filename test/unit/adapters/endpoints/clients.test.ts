import type { APIGatewayProxyEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { createClientCreateHandler } from '#adapters/endpoints/clients/create';
import { createClientDeleteHandler } from '#adapters/endpoints/clients/delete';
import { createClientListHandler } from '#adapters/endpoints/clients/list';
import { createClientSecretHandler } from '#adapters/endpoints/clients/secret';
import { ClientConfiguration } from '#core/clients/configuration';
import { ClientRegistry } from '#core/clients/registry';
import { sha256 } from '#core/secrets';
import { Accounts } from '#core/users/accounts';
import { Sessions } from '#core/users/sessions';
import { MemoryAccountStore, secondFactorDependencies } from '../../../fakes/accounts.ts';
import { MemoryClientConfigurationStore, SCOPES, WEB_APP } from '../../../fakes/clients.ts';
import { manualClock, memoryKeyRing } from '../../../fakes/keys.ts';
import { recordingLogger } from '../../../fakes/logger.ts';

function setupRegistry(maxClientsPerOwner?: number) {
  const clock = manualClock();
  const store = new MemoryClientConfigurationStore();
  const registry = new ClientRegistry({
    store,
    clock,
    scopesSupported: SCOPES,
    ...(maxClientsPerOwner === undefined ? {} : { maxClientsPerOwner }),
  });
  return { clock, store, registry };
}

const ISSUER = 'https://auth.example.com';

function apiEvent(
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    contentType?: string;
    pathParameters?: Record<string, string>;
  } = {},
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json';
  return {
    resource: path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    body:
      options.body === undefined
        ? null
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: { requestId: 'test-request' } as APIGatewayProxyEvent['requestContext'],
  };
}

async function setupHandlers() {
  const { clock, store, registry } = setupRegistry();
  const accountStore = new MemoryAccountStore();
  const { keyRing } = await memoryKeyRing(clock);
  const sessions = new Sessions({ store: accountStore, keys: keyRing, issuer: ISSUER, clock });
  const accounts = new Accounts({
    ...secondFactorDependencies(accountStore, clock),
    store: accountStore,
    sessions,
    clock,
    scrypt: { logN: 10, r: 8, p: 1 },
    sessionTtlSeconds: 3600,
    lockout: { maxFailures: 5, windowSeconds: 600 },
  });
  await accounts.register('alice', 'alice password');
  await accounts.register('bob', 'bob password');
  const alice = (await accounts.login('alice', 'alice password')).token;
  const bob = (await accounts.login('bob', 'bob password')).token;
  const { logger, lines } = recordingLogger();
  return {
    clock,
    store,
    sessions,
    alice,
    bob,
    lines,
    create: createClientCreateHandler({ registry, sessions, logger, issuer: ISSUER }),
    list: createClientListHandler(registry, sessions, logger),
    remove: createClientDeleteHandler({
      registry,
      sessions,
      logger,
      configuration: new ClientConfiguration({ store, clock, scopesSupported: SCOPES }),
    }),
    rotate: createClientSecretHandler(registry, sessions, logger),
  };
}

const parse = (result: { body: string }) => JSON.parse(result.body) as Record<string, unknown>;

describe('client endpoints', () => {
  let env: Awaited<ReturnType<typeof setupHandlers>>;
  beforeEach(async () => {
    env = await setupHandlers();
  });

  it('answers 201 with the RFC 7591 registration response', async () => {
    const result = await env.create(
      apiEvent('POST', '/client', {
        token: env.alice,
        body: { client_name: 'Photo Printer', redirect_uris: ['https://printer.example/cb'] },
      }),
    );
    expect(result.statusCode).toBe(201);
    expect(result.headers?.['Cache-Control']).toBe('no-store');
    const body = parse(result);
    expect(body).toEqual({
      client_id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      client_id_issued_at: Math.floor(env.clock() / 1000),
      client_secret_expires_at: 0,
      client_name: 'Photo Printer',
      redirect_uris: ['https://printer.example/cb'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'read write admin',
      id_token_signed_response_alg: 'RS256',
      require_pkce: true,
      registration_access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      registration_client_uri: `${ISSUER}/client/${body.client_id}`,
    });
    const stored = env.store.clients.get(body.client_id as string);
    expect(stored?.owner).toBe((await env.sessions.authenticate(env.alice)).sub);
    expect(stored?.secretHash).toBe(sha256(body.client_secret as string));
    expect(stored?.registrationTokenHash).toBe(sha256(body.registration_access_token as string));
    expect(env.lines.join('\n')).not.toContain(body.registration_access_token as string);
    // Neither the secret nor its hash reaches the log.
    expect(env.lines.join('\n')).not.toContain(body.client_secret as string);
    expect(env.lines.join('\n')).not.toContain(stored?.secretHash as string);
  });

  it('answers a public client without client_secret and a client-credentials client with no response types', async () => {
    const publicBody = parse(
      await env.create(
        apiEvent('POST', '/client', {
          token: env.alice,
          body: {
            ...WEB_APP,
            token_endpoint_auth_method: 'none',
            grant_types: ['authorization_code', 'refresh_token'],
          },
        }),
      ),
    );
    expect(publicBody).not.toHaveProperty('client_secret');
    expect(publicBody).not.toHaveProperty('client_name');
    expect(publicBody).toMatchObject({
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      client_secret_expires_at: 0,
    });

    const service = await env.create(
      apiEvent('POST', '/client', {
        token: env.alice,
        body: { grant_types: ['client_credentials'], scope: 'read' },
      }),
    );
    expect(service.statusCode).toBe(201);
    expect(parse(service)).toMatchObject({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'read',
      client_secret: expect.any(String),
    });
  });

  it('registers a confidential client without PKCE (require_pkce: false), stores and lists it so', async () => {
    const body = { ...WEB_APP, require_pkce: false };
    const created = parse(await env.create(apiEvent('POST', '/client', { token: env.alice, body })));
    expect(created).toMatchObject({ token_endpoint_auth_method: 'client_secret_basic', require_pkce: false });
    expect(env.store.clients.get(created.client_id as string)?.requirePkce).toBe(false);
    const listed = parse(await env.list(apiEvent('GET', '/client', { token: env.alice })));
    expect(listed.clients).toMatchObject([{ client_id: created.client_id, require_pkce: false }]);

    const publicClient = { ...body, token_endpoint_auth_method: 'none' };
    const refused = await env.create(apiEvent('POST', '/client', { token: env.alice, body: publicClient }));
    expect(refused.statusCode).toBe(400);
    expect(parse(refused).error).toBe('invalid_client_metadata');
    expect(env.store.clients.size).toBe(1);
  });

  it.each([
    ['no token', undefined],
    ['a malformed token', 'not-a-jwt'],
  ])('answers 401 invalid_token with a Bearer challenge for %s, on every endpoint', async (_, token) => {
    const withToken = token === undefined ? {} : { token };
    const pathParameters = { client_id: 'AAAAAAAAAAAAAAAAAAAAAA' };
    const results = [
      await env.create(apiEvent('POST', '/client', { ...withToken, body: WEB_APP })),
      await env.list(apiEvent('GET', '/client', withToken)),
      await env.remove(apiEvent('DELETE', '/client/{client_id}', { ...withToken, pathParameters })),
      await env.rotate(apiEvent('POST', '/client/{client_id}/secret', { ...withToken, pathParameters })),
    ];
    for (const result of results) {
      expect(result.statusCode).toBe(401);
      expect(parse(result).error).toBe('invalid_token');
      expect(result.headers?.['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
    }
    expect(env.store.clients.size).toBe(0);
  });

  it('refuses a logged-out session with 401', async () => {
    await env.sessions.logout(env.alice);
    const result = await env.create(apiEvent('POST', '/client', { token: env.alice, body: WEB_APP }));
    expect(result.statusCode).toBe(401);
    expect(parse(result).error).toBe('invalid_token');
  });

  it.each([
    [{ redirect_uris: ['https://a.example/cb#x'] }, 'application/json', 400, 'invalid_redirect_uri'],
    [{ ...WEB_APP, grant_types: ['implicit'] }, 'application/json', 400, 'invalid_client_metadata'],
    ['[1,2]', 'application/json', 400, 'invalid_request'],
    ['{"redirect_uris":', 'application/json', 400, 'invalid_request'],
    [
      'redirect_uris=https://a.example/cb',
      'application/x-www-form-urlencoded',
      415,
      'unsupported_media_type',
    ],
  ])('answers %j (%s) with %i %s', async (body, contentType, status, error) => {
    const result = await env.create(apiEvent('POST', '/client', { token: env.alice, body, contentType }));
    expect(result.statusCode).toBe(status);
    expect(parse(result).error).toBe(error);
    expect(env.store.clients.size).toBe(0);
  });

  it('lists the caller’s clients without secrets or hashes', async () => {
    const created = parse(await env.create(apiEvent('POST', '/client', { token: env.alice, body: WEB_APP })));
    await env.create(apiEvent('POST', '/client', { token: env.bob, body: WEB_APP }));
    const result = await env.list(apiEvent('GET', '/client', { token: env.alice }));
    expect(result.statusCode).toBe(200);
    const {
      client_secret: secret,
      client_secret_expires_at: _,
      registration_access_token: __,
      registration_client_uri: ___,
      ...metadata
    } = created;
    expect(parse(result)).toEqual({ clients: [metadata] });
    expect(result.body).not.toContain(secret as string);
    expect(result.body).not.toContain('"client_secret"');
    expect(result.body).not.toContain(sha256(secret as string));
    expect(result.body).not.toContain('Hash');
  });

  it('deletes with 204 and no body; a second delete is 404', async () => {
    const { client_id } = parse(
      await env.create(apiEvent('POST', '/client', { token: env.alice, body: WEB_APP })),
    );
    const pathParameters = { client_id: client_id as string };
    const bobTry = await env.remove(apiEvent('DELETE', '/client/x', { token: env.bob, pathParameters }));
    expect(bobTry.statusCode).toBe(404);
    expect(parse(bobTry).error).toBe('not_found');
    const deleted = await env.remove(apiEvent('DELETE', '/client/x', { token: env.alice, pathParameters }));
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    const again = await env.remove(apiEvent('DELETE', '/client/x', { token: env.alice, pathParameters }));
    expect(again.statusCode).toBe(404);
    expect(parse(again).error).toBe('not_found');
  });

  it('rotates a secret with 200 and the new secret; others get 404, public clients 400 invalid_request', async () => {
    const created = parse(await env.create(apiEvent('POST', '/client', { token: env.alice, body: WEB_APP })));
    const pathParameters = { client_id: created.client_id as string };
    const bobTry = await env.rotate(apiEvent('POST', '/client/x/secret', { token: env.bob, pathParameters }));
    expect(bobTry.statusCode).toBe(404);
    expect(parse(bobTry).error).toBe('not_found');

    const result = await env.rotate(
      apiEvent('POST', '/client/x/secret', { token: env.alice, pathParameters }),
    );
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['Cache-Control']).toBe('no-store');
    const body = parse(result);
    expect(body).toEqual({
      client_id: created.client_id,
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      client_secret_expires_at: 0,
    });
    expect(body.client_secret).not.toBe(created.client_secret);
    expect(env.store.clients.get(created.client_id as string)?.secretHash).toBe(
      sha256(body.client_secret as string),
    );
    expect(env.lines.join('\n')).not.toContain(body.client_secret as string);

    const publicClient = parse(
      await env.create(
        apiEvent('POST', '/client', {
          token: env.alice,
          body: { ...WEB_APP, token_endpoint_auth_method: 'none' },
        }),
      ),
    );
    const refused = await env.rotate(
      apiEvent('POST', '/client/x/secret', {
        token: env.alice,
        pathParameters: { client_id: publicClient.client_id as string },
      }),
    );
    expect(refused.statusCode).toBe(400);
    expect(parse(refused).error).toBe('invalid_request');
  });
});
