import { describe, expect, it } from 'vitest';
import {
  clientOfDocument,
  MAX_CACHED_DOCUMENTS,
  MAX_DOCUMENT_AGE_SECONDS,
  MetadataDocumentClients,
} from '#core/clients/metadata-documents';
import type { ClientRecord } from '#core/clients/records';
import { isClientIdentifier, isClientIdUrl } from '#core/clients/records';
import { InvalidClientMetadata } from '#core/errors';
import type { ClientReadAhead } from '#core/oauth/read-ahead';
import { manualClock } from '../../../fakes/keys.ts';

const URL_ID = 'https://client.example.com/oauth/metadata.json';
const SCOPES = ['read', 'write', 'openid'];
const document = (overrides: Record<string, unknown> = {}) => ({
  client_id: URL_ID,
  client_name: 'Example MCP client',
  redirect_uris: ['http://127.0.0.1:33418/callback'],
  ...overrides,
});

const refusal = (body: unknown) => {
  try {
    clientOfDocument(URL_ID, body, { scopesSupported: SCOPES, now: 1 });
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('redirect URIs of a document', () => {
  it('follow the registration rules: an http one that is not loopback is invalid_redirect_uri', () => {
    const error = refusal(document({ redirect_uris: ['http://app.example.com/cb'] }));
    expect((error as InvalidClientMetadata).code).toBe('invalid_redirect_uri');
  });
});

describe('client_id URLs', () => {
  it.each([URL_ID, 'https://client.example.com/c', 'http://localhost:8080/client.json'])(
    '%s names a metadata document',
    (value) => {
      expect(isClientIdUrl(value)).toBe(true);
      expect(isClientIdentifier(value)).toBe(true);
    },
  );

  it.each([
    'https://client.example.com/',
    'https://client.example.com',
    'https://client.example.com/a?x=1',
    'https://client.example.com/a#f',
    'https://user:pw@client.example.com/a',
    'https://client.example.com/a/../b',
    'https://client.example.com/a/',
    'http://client.example.com/a',
    'http://127.0.0.1/a',
    'https://CLIENT.example.com/a',
    `https://client.example.com/${'a'.repeat(1100)}`,
  ])('%s does not', (value) => {
    expect(isClientIdUrl(value)).toBe(false);
  });
});

describe('a client metadata document', () => {
  it('describes a public client for the authorization code grant, its client_id the URL', () => {
    expect(clientOfDocument(URL_ID, document(), { scopesSupported: SCOPES, now: 7 })).toEqual({
      clientId: URL_ID,
      owner: '',
      clientName: 'Example MCP client',
      redirectUris: ['http://127.0.0.1:33418/callback'],
      grantTypes: ['authorization_code'],
      tokenEndpointAuthMethod: 'none',
      scope: 'read write openid',
      clientIdIssuedAt: 7,
    });
  });

  it.each([
    [
      'another client_id',
      document({ client_id: 'https://evil.example.com/c' }),
      '"client_id" must be exactly',
    ],
    ['no client_id', document({ client_id: undefined }), '"client_id" must be exactly'],
    ['a secret', document({ client_secret: 's' }), 'must not hold "client_secret"'],
    [
      'a secret expiry',
      document({ client_secret_expires_at: 0 }),
      'must not hold "client_secret_expires_at"',
    ],
    ['a secret auth method', document({ token_endpoint_auth_method: 'client_secret_basic' }), 'public'],
    ['client credentials', document({ grant_types: ['client_credentials'] }), 'client_credentials'],
    ['an unknown scope', document({ scope: 'admin' }), 'Unsupported scope'],
    ['an array', [], 'JSON object'],
  ])('with %s is invalid_client_metadata', (_, body, message) => {
    const error = refusal(body);
    expect(error).toBeInstanceOf(InvalidClientMetadata);
    expect((error as InvalidClientMetadata).code).toBe('invalid_client_metadata');
    expect((error as Error).message).toContain(message);
  });
});

/** A store with one registered client, counting its reads. */
function registry() {
  const registered: ClientRecord = {
    clientId: 'abc',
    owner: 'o',
    clientName: 'Registered',
    redirectUris: ['https://app.example.com/cb'],
    grantTypes: ['authorization_code'],
    tokenEndpointAuthMethod: 'none',
    scope: 'read',
    clientIdIssuedAt: 0,
  };
  const reads: string[] = [];
  const store: ClientReadAhead = {
    findClient: async (id) => {
      reads.push(id);
      return id === 'abc' ? registered : undefined;
    },
    findClientWith: async (id, ahead) => {
      reads.push(id);
      return { client: id === 'abc' ? registered : undefined, records: { ahead } };
    },
  };
  return { store, reads, registered };
}

function lookupWith(answers: { body: unknown; maxAgeSeconds: number }[] | (() => never)) {
  const clock = manualClock();
  const fetched: string[] = [];
  const refused: string[] = [];
  const { store, reads, registered } = registry();
  const clients = new MetadataDocumentClients({
    registered: store,
    clock,
    scopesSupported: SCOPES,
    fetcher: {
      fetch: async (url) => {
        fetched.push(url);
        if (typeof answers === 'function') answers();
        const answer = (answers as { body: unknown; maxAgeSeconds: number }[]).shift();
        if (!answer) throw new Error('no more answers');
        return answer;
      },
    },
    onRefused: (_url, reason) => refused.push(reason),
  });
  return { clients, clock, fetched, refused, reads, registered };
}

describe('the client lookup with metadata documents', () => {
  it('reads registered clients from the store and never fetches for them', async () => {
    const { clients, fetched, registered } = lookupWith([]);
    expect(await clients.findClient('abc')).toEqual(registered);
    expect(fetched).toEqual([]);
  });

  it('reuses a document for its max-age, then fetches it again', async () => {
    const { clients, clock, fetched } = lookupWith([
      { body: document(), maxAgeSeconds: 120 },
      { body: document({ client_name: 'Renamed' }), maxAgeSeconds: 120 },
    ]);
    expect((await clients.findClient(URL_ID))?.clientName).toBe('Example MCP client');
    clock.advance(119);
    expect((await clients.findClient(URL_ID))?.clientName).toBe('Example MCP client');
    clock.advance(1);
    expect((await clients.findClient(URL_ID))?.clientName).toBe('Renamed');
    expect(fetched).toHaveLength(2);
  });

  it('never keeps a document longer than the bound, nor one that may not be stored', async () => {
    const { clients, clock, fetched } = lookupWith([
      { body: document(), maxAgeSeconds: 10 * MAX_DOCUMENT_AGE_SECONDS },
      { body: document(), maxAgeSeconds: 0 },
      { body: document(), maxAgeSeconds: 0 },
    ]);
    await clients.findClient(URL_ID);
    clock.advance(MAX_DOCUMENT_AGE_SECONDS);
    await clients.findClient(URL_ID);
    await clients.findClient(URL_ID);
    expect(fetched).toHaveLength(3);
  });

  it('keeps at most MAX_CACHED_DOCUMENTS, dropping the oldest', async () => {
    const urls = Array.from({ length: MAX_CACHED_DOCUMENTS + 1 }, (_, i) => `https://c${i}.example.com/m`);
    const answers = urls.map((url) => ({ body: document({ client_id: url }), maxAgeSeconds: 300 }));
    const { clients, fetched } = lookupWith([
      ...answers,
      { body: document({ client_id: urls[0] }), maxAgeSeconds: 300 },
    ]);
    for (const url of urls) await clients.findClient(url);
    await clients.findClient(urls[1] as string);
    await clients.findClient(urls[0] as string);
    expect(fetched).toHaveLength(MAX_CACHED_DOCUMENTS + 2);
  });

  it('names no client when the document cannot be fetched or is invalid, and says why', async () => {
    const { clients, refused } = lookupWith([
      { body: document({ client_id: 'https://other.example.com/x' }), maxAgeSeconds: 300 },
    ]);
    expect(await clients.findClient(URL_ID)).toBeUndefined();
    expect(refused[0]).toContain('"client_id" must be exactly');
    const failing = lookupWith(() => {
      throw new Error('resolves to 10.0.0.1, which is not a public address');
    });
    expect(await failing.clients.findClient(URL_ID)).toBeUndefined();
    expect(failing.refused).toEqual(['resolves to 10.0.0.1, which is not a public address']);
  });

  it('still reads the record asked for ahead, with the document as the client', async () => {
    const { clients, reads } = lookupWith([{ body: document(), maxAgeSeconds: 300 }]);
    const ahead = { kind: 'code', codeHash: 'h' } as const;
    const found = await clients.findClientWith(URL_ID, ahead);
    expect(found.client?.clientId).toBe(URL_ID);
    expect(found.records.ahead).toEqual(ahead);
    expect(reads).toEqual([URL_ID]);
  });
});
