/** Client authentication (functions/core/clients/authentication.ts): what is read before a client is known. */
import { describe, expect, it, vi } from 'vitest';
import { authenticateClient } from '#core/clients/authentication';
import type { ClientLookup } from '#core/clients/records';
import { InvalidClient } from '#core/errors';
import { Parameters } from '#core/oauth/parameters';

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
