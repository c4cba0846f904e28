import type { APIGatewayProxyEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { createClientCreateHandler } from '#adapters/endpoints/clients/create';
import { createClientDeleteHandler } from '#adapters/endpoints/clients/delete';
import { createClientListHandler } from '#adapters/endpoints/clients/list';
import { createClientSecretHandler } from '#adapters/endpoints/clients/secret';
import { checkRedirectUri, validateClientMetadata } from '#core/clients/metadata';
import type { ClientRecord } from '#core/clients/records';
import {
  ClientRegistry,
  type ClientStore,
  MAX_CLIENTS_PER_OWNER,
  TooManyClients,
} from '#core/clients/registry';
import { InvalidClientMetadata, InvalidRedirectUri, OAuthError } from '#core/errors';
import { sha256 } from '#core/secrets';
import { Accounts } from '#core/users/accounts';
import { Sessions } from '#core/users/sessions';
import { MemoryAccountStore } from '../fakes/accounts.ts';
import { manualClock, memoryKeyRing } from '../fakes/keys.ts';
import { recordingLogger } from '../fakes/logger.ts';

const SCOPES = ['read', 'write', 'admin'];
const WEB_APP = { redirect_uris: ['https://app.example.com/callback'] };

/** An in-memory ClientStore with the same ownership conditions as the DynamoDB one. */
class MemoryClientStore implements ClientStore {
  readonly clients = new Map<string, ClientRecord>();
  /** grantId → clientId, standing in for the grants table and its byClient index. */
  readonly grants = new Map<string, string>();

  async findClient(clientId: string) {
    return this.clients.get(clientId);
  }
  async createClient(client: ClientRecord) {
    if (this.clients.has(client.clientId)) throw new Error('client id collision');
    this.clients.set(client.clientId, structuredClone(client));
  }
  async countClients(owner: string) {
    return (await this.listClients(owner)).length;
  }
  async listClients(owner: string) {
    return [...this.clients.values()]
      .filter((client) => client.owner === owner)
      .sort((a, b) => a.clientIdIssuedAt - b.clientIdIssuedAt);
  }
  async deleteClient(clientId: string, owner: string) {
    const client = this.clients.get(clientId);
    if (!client) return 'absent' as const;
    if (client.owner !== owner) return 'not_owner' as const;
    this.clients.delete(clientId);
    return 'deleted' as const;
  }
  async deleteGrantsOf(clientId: string) {
    const ids = [...this.grants].filter(([, owner]) => owner === clientId).map(([grantId]) => grantId);
    for (const id of ids) this.grants.delete(id);
    return ids.length;
  }
  async replaceSecret(clientId: string, owner: string, secretHash: string) {
    const client = this.clients.get(clientId);
    if (!client || client.owner !== owner) return 'not_found' as const;
    if (client.secretHash === undefined) return 'public' as const;
    this.clients.set(clientId, { ...client, secretHash });
    return 'replaced' as const;
  }
}

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

const metadataError = (body: Record<string, unknown>) => {
  try {
    validateClientMetadata(body, SCOPES);
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('client metadata', () => {
  it('applies the RFC 7591 defaults: authorization_code, client_secret_basic, every supported scope', () => {
    expect(validateClientMetadata({ ...WEB_APP }, SCOPES)).toEqual({
      clientName: '',
      redirectUris: ['https://app.example.com/callback'],
      grantTypes: ['authorization_code'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      scope: 'read write admin',
    });
  });

  it('keeps what was asked for, with scope normalised and duplicates dropped', () => {
    expect(
      validateClientMetadata(
        {
          client_name: 'My App ✓',
          redirect_uris: ['https://a.example/cb?x=1', 'http://127.0.0.1:8080/cb', 'https://a.example/cb?x=1'],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_post',
          scope: ' write  read write ',
        },
        SCOPES,
      ),
    ).toEqual({
      clientName: 'My App ✓',
      redirectUris: ['https://a.example/cb?x=1', 'http://127.0.0.1:8080/cb'],
      grantTypes: ['authorization_code', 'refresh_token'],
      tokenEndpointAuthMethod: 'client_secret_post',
      scope: 'write read',
    });
  });

  it('treats null members as absent and ignores unknown ones', () => {
    expect(
      validateClientMetadata(
        { ...WEB_APP, client_name: null, scope: null, logo_uri: 'https://x', software_id: 42 },
        SCOPES,
      ),
    ).toMatchObject({ clientName: '', scope: 'read write admin' });
  });

  it('accepts a client-credentials-only client without redirect URIs', () => {
    expect(
      validateClientMetadata({ grant_types: ['client_credentials'], redirect_uris: [] }, SCOPES),
    ).toEqual({
      clientName: '',
      redirectUris: [],
      grantTypes: ['client_credentials'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      scope: 'read write admin',
    });
  });

  it.each([
    [{ ...WEB_APP, client_name: 42 }, 'client_name not a string'],
    [{ ...WEB_APP, client_name: 'x'.repeat(201) }, 'client_name over 200 characters'],
    [{ ...WEB_APP, client_name: 'two\nlines' }, 'client_name with a control character'],
    [{ redirect_uris: 'https://app.example.com/cb' }, 'redirect_uris not an array'],
    [{ redirect_uris: ['https://app.example.com/cb', 7] }, 'redirect_uris holding a number'],
    [
      { redirect_uris: Array.from({ length: 11 }, (_, index) => `https://a.example/${index}`) },
      'eleven redirect URIs',
    ],
    [{ ...WEB_APP, grant_types: 'authorization_code' }, 'grant_types not an array'],
    [{ ...WEB_APP, grant_types: [] }, 'no grant type'],
    [{ ...WEB_APP, grant_types: ['implicit'] }, 'implicit grant'],
    [{ ...WEB_APP, grant_types: ['password'] }, 'password grant'],
    [{ grant_types: ['refresh_token'] }, 'refresh_token without authorization_code'],
    [
      { grant_types: ['client_credentials'], redirect_uris: ['https://a.example/cb'] },
      'unused redirect URIs',
    ],
    [{ ...WEB_APP, token_endpoint_auth_method: 'private_key_jwt' }, 'unsupported auth method'],
    [{ ...WEB_APP, token_endpoint_auth_method: true }, 'auth method not a string'],
    [
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' },
      'public client with client_credentials',
    ],
    [{ ...WEB_APP, response_types: ['token'] }, 'implicit response type'],
    [{ ...WEB_APP, response_types: [] }, 'response_types disagreeing with authorization_code'],
    [{ grant_types: ['client_credentials'], response_types: ['code'] }, 'code without authorization_code'],
    [{ ...WEB_APP, scope: 'read delete' }, 'unsupported scope'],
    [{ ...WEB_APP, scope: ['read'] }, 'scope not a string'],
    [{ ...WEB_APP, scope: '   ' }, 'empty scope'],
    [{ ...WEB_APP, scope: 'read "quoted"' }, 'malformed scope token'],
  ])('refuses %j with invalid_client_metadata (%s)', (body, _why) => {
    expect(metadataError(body)).toBeInstanceOf(InvalidClientMetadata);
  });

  it.each([
    [{}, 'no redirect_uris for the default authorization_code grant'],
    [{ redirect_uris: [] }, 'an empty redirect_uris'],
    [{ redirect_uris: ['https://a.example/ok', 'http://a.example/cb'] }, 'one bad URI among good ones'],
  ])('refuses %j with invalid_redirect_uri (%s)', (body, _why) => {
    expect(metadataError(body)).toBeInstanceOf(InvalidRedirectUri);
  });
});

describe('redirect URIs', () => {
  it.each([
    'https://app.example.com/callback',
    'https://app.example.com:8443/cb?tenant=1&x=y',
    'https://app.example.com',
    'HTTPS://App.Example.com/Callback',
    'http://localhost/cb',
    'http://localhost:51004/cb',
    'http://127.0.0.1:8080/callback',
    'http://127.5.6.7/cb',
    'http://[::1]:3000/cb',
    'https://xn--bcher-kva.example/cb',
    `https://a.example/${'x'.repeat(2000 - 'https://a.example/'.length)}`,
  ])('accepts %s', (uri) => {
    expect(() => checkRedirectUri(uri)).not.toThrow();
  });

  it.each([
    ['/callback', 'relative'],
    ['app.example.com/callback', 'no scheme'],
    ['https:app.example.com/cb', 'no authority'],
    ['https:///cb', 'empty host'],
    ['https://app.example.com/cb#frag', 'fragment'],
    ['https://app.example.com/cb#', 'empty fragment'],
    ['https://*.example.com/cb', 'wildcard host'],
    ['https://app.example.com/*', 'wildcard path'],
    ['http://app.example.com/cb', 'http to a public host'],
    ['http://localhost.evil.example/cb', 'http to a localhost look-alike'],
    ['http://127.0.0.1.evil.example/cb', 'http to a 127 look-alike'],
    ['http://10.0.0.1/cb', 'http to a private address'],
    ['http://[::2]/cb', 'http to another IPv6 address'],
    ['ftp://files.example.com/cb', 'ftp'],
    ['javascript://alert(1)', 'javascript'],
    ['data://text/html,hi', 'data'],
    ['com.example.app://callback', 'custom scheme'],
    ['https://user:pass@app.example.com/cb', 'credentials'],
    ['https://app.example.com/c b', 'a space'],
    [' https://app.example.com/cb', 'leading whitespace'],
    ['https://app.example.com/cb\n', 'trailing newline'],
    ['https://app.example.com\\@evil.example/cb', 'a backslash'],
    ['https://bücher.example/cb', 'non-ASCII'],
    [`https://a.example/${'x'.repeat(2001 - 'https://a.example/'.length)}`, '2001 characters'],
    ['', 'empty'],
  ])('refuses %j (%s) with invalid_redirect_uri', (uri) => {
    expect(() => checkRedirectUri(uri)).toThrow(InvalidRedirectUri);
  });

  it('keeps the URI exactly as given, without normalising it', () => {
    const uri = 'HTTPS://App.Example.com:443/a/../cb?b=2&a=1';
    expect(validateClientMetadata({ redirect_uris: [uri] }, SCOPES).redirectUris).toEqual([uri]);
  });
});

describe('client registry', () => {
  let env: ReturnType<typeof setupRegistry>;
  beforeEach(() => {
    env = setupRegistry();
  });

  it('registers a confidential client with a 128-bit base64url id and stores only the secret hash', async () => {
    const { client, secret } = await env.registry.register('alice-sub', { ...WEB_APP });
    expect(client.clientId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
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
      clientIdIssuedAt: Math.floor(env.clock() / 1000),
    });
    expect(stored?.secretHash).not.toBe(secret);
    expect(JSON.stringify(stored)).not.toContain(secret);
  });

  it('gives a public client no secret and no hash', async () => {
    const { client, secret } = await env.registry.register('alice-sub', {
      ...WEB_APP,
      token_endpoint_auth_method: 'none',
    });
    expect(secret).toBeUndefined();
    expect(env.store.clients.get(client.clientId)).not.toHaveProperty('secretHash');
  });

  it('assigns its own client_id and ignores a client_id or client_secret in the request', async () => {
    const { client, secret } = await env.registry.register('alice-sub', {
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
      const { client, secret } = await env.registry.register('alice-sub', { ...WEB_APP });
      ids.add(client.clientId);
      secrets.add(secret!);
    }
    expect(ids.size).toBe(20);
    expect(secrets.size).toBe(20);
  });

  it('stores nothing when the metadata is refused', async () => {
    await refusal(
      env.registry.register('alice-sub', { redirect_uris: ['http://evil.example/cb'] }),
      400,
      'invalid_redirect_uri',
    );
    expect(env.store.clients.size).toBe(0);
  });

  it(`allows ${MAX_CLIENTS_PER_OWNER} clients per owner and refuses the next with 409 too_many_clients`, async () => {
    for (let index = 0; index < MAX_CLIENTS_PER_OWNER; index++) {
      await env.registry.register('alice-sub', { ...WEB_APP });
    }
    const error = await refusal(env.registry.register('alice-sub', { ...WEB_APP }), 409, 'too_many_clients');
    expect(error).toBeInstanceOf(TooManyClients);
    // The cap is per owner.
    await expect(env.registry.register('bob-sub', { ...WEB_APP })).resolves.toBeDefined();
  });

  it('lets an owner register again after deleting at the cap', async () => {
    const small = setupRegistry(2);
    const first = await small.registry.register('alice-sub', { ...WEB_APP });
    await small.registry.register('alice-sub', { ...WEB_APP });
    await refusal(small.registry.register('alice-sub', { ...WEB_APP }), 409, 'too_many_clients');
    await small.registry.remove('alice-sub', first.client.clientId);
    await expect(small.registry.register('alice-sub', { ...WEB_APP })).resolves.toBeDefined();
  });

  it('lists only the owner’s clients', async () => {
    const mine = await env.registry.register('alice-sub', { ...WEB_APP });
    await env.registry.register('bob-sub', { ...WEB_APP });
    expect((await env.registry.list('alice-sub')).map((client) => client.clientId)).toEqual([
      mine.client.clientId,
    ]);
  });

  it('removes the owner’s client and only its grants', async () => {
    const { client } = await env.registry.register('alice-sub', { ...WEB_APP });
    const other = await env.registry.register('alice-sub', { ...WEB_APP });
    env.store.grants.set('g1', client.clientId);
    env.store.grants.set('g2', client.clientId);
    env.store.grants.set('g3', other.client.clientId);
    await expect(env.registry.remove('alice-sub', client.clientId)).resolves.toEqual({ grantsDeleted: 2 });
    expect(env.store.clients.has(client.clientId)).toBe(false);
    expect([...env.store.grants.keys()]).toEqual(['g3']);
  });

  it('answers 404 alike for someone else’s client and an unknown one, touching neither', async () => {
    const { client } = await env.registry.register('alice-sub', { ...WEB_APP });
    env.store.grants.set('g1', client.clientId);
    await refusal(env.registry.remove('bob-sub', client.clientId), 404, 'not_found');
    expect(env.store.clients.has(client.clientId)).toBe(true);
    expect(env.store.grants.has('g1')).toBe(true);
    await refusal(env.registry.remove('bob-sub', 'AAAAAAAAAAAAAAAAAAAAAA'), 404, 'not_found');
    await refusal(env.registry.remove('bob-sub', 'not a client id!'), 404, 'not_found');
  });

  it('sweeps grants left behind by an interrupted deletion when the DELETE is repeated', async () => {
    const { client } = await env.registry.register('alice-sub', { ...WEB_APP });
    env.store.clients.delete(client.clientId);
    env.store.grants.set('leftover', client.clientId);
    await refusal(env.registry.remove('alice-sub', client.clientId), 404, 'not_found');
    expect(env.store.grants.size).toBe(0);
  });

  it('rotates a secret: the new hash replaces the old one', async () => {
    const { client, secret } = await env.registry.register('alice-sub', { ...WEB_APP });
    const fresh = await env.registry.rotateSecret('alice-sub', client.clientId);
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fresh).not.toBe(secret);
    expect(env.store.clients.get(client.clientId)?.secretHash).toBe(sha256(fresh));
  });

  it('refuses to rotate someone else’s (404), an unknown (404) or a public client’s secret (400 invalid_request)', async () => {
    const { client } = await env.registry.register('alice-sub', { ...WEB_APP });
    const before = env.store.clients.get(client.clientId)?.secretHash;
    await refusal(env.registry.rotateSecret('bob-sub', client.clientId), 404, 'not_found');
    await refusal(env.registry.rotateSecret('alice-sub', 'AAAAAAAAAAAAAAAAAAAAAA'), 404, 'not_found');
    expect(env.store.clients.get(client.clientId)?.secretHash).toBe(before);

    const publicClient = await env.registry.register('alice-sub', {
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
    create: createClientCreateHandler(registry, sessions, logger),
    list: createClientListHandler(registry, sessions, logger),
    remove: createClientDeleteHandler(registry, sessions, logger),
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
    });
    const stored = env.store.clients.get(body.client_id as string);
    expect(stored?.owner).toBe((await env.sessions.authenticate(env.alice)).sub);
    expect(stored?.secretHash).toBe(sha256(body.client_secret as string));
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
    const { client_secret: secret, client_secret_expires_at: _, ...metadata } = created;
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
