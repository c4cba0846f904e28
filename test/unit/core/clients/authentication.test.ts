/** Client authentication (functions/core/clients/authentication.ts): what is read before a client is known. */
import { describe, expect, it, vi } from 'vitest';
import { authenticateClient } from '#core/clients/authentication';
import type { ClientLookup, ClientRecord } from '#core/clients/records';
import { InvalidClient } from '#core/errors';
import { Parameters } from '#core/oauth/parameters';
import { sha256 } from '#core/secrets';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('authenticateClient', () => {
  it.each([
    ['3 KB', 'x'.repeat(3072)],
    ['129 characters', 'a'.repeat(129)],
    ['a space', 'my client'],
    ['non-ASCII', 'clïent'],
  ])('refuses a client_id of %s as invalid_client without looking it up', async (_name, clientId) => {
    const lookup: ClientLookup = { findClient: vi.fn(async () => undefined) };
    for (const [authorization, form] of [
      [basic(clientId, 'secret'), []],
      [undefined, [['client_id', clientId]]],
      [
        undefined,
        [
          ['client_id', clientId],
          ['client_secret', 'secret'],
        ],
      ],
    ] as const) {
      const presented = Parameters.fromPairs(form);
      await expect(authenticateClient(lookup, authorization, presented)).rejects.toBeInstanceOf(
        InvalidClient,
      );
    }
    expect(lookup.findClient).not.toHaveBeenCalled();
  });
});

describe('a suspended client', () => {
  const secret = 'the client secret';
  const registered = (suspendedAt?: number): ClientRecord => ({
    clientId: 'app',
    owner: 'owner',
    clientName: 'App',
    redirectUris: ['https://app.example.com/cb'],
    grantTypes: ['client_credentials'],
    tokenEndpointAuthMethod: 'client_secret_basic',
    scope: 'read',
    secretHash: sha256(secret),
    clientIdIssuedAt: 0,
    ...(suspendedAt === undefined ? {} : { suspendedAt }),
  });
  const lookupOf = (record: ClientRecord): ClientLookup => ({ findClient: async () => record });
  const none = Parameters.fromPairs([]);

  it('is invalid_client with its right secret, told apart from a wrong one only in the log', async () => {
    await expect(
      authenticateClient(lookupOf(registered()), basic('app', secret), none),
    ).resolves.toMatchObject({
      clientId: 'app',
    });
    const suspended = authenticateClient(lookupOf(registered(1)), basic('app', secret), none);
    await expect(suspended).rejects.toMatchObject({
      code: 'invalid_client',
      description: 'Client authentication failed.',
      detail: 'client suspended',
    });
    await expect(
      authenticateClient(lookupOf(registered(1)), basic('app', 'wrong'), none),
    ).rejects.toMatchObject({
      code: 'invalid_client',
      description: 'Client authentication failed.',
      detail: 'wrong secret',
    });
  });
});
