/** What a step reads with its client, and that a record read ahead is used only for its own key. */
import { describe, expect, it } from 'vitest';
import type { ClientRecord } from '#core/clients/records';
import { Parameters } from '#core/oauth/parameters';
import {
  type ClientReadAhead,
  ReadAheadClients,
  readAheadCode,
  readAheadOfRevocation,
  readAheadOfTokenRequest,
  readAheadRefreshToken,
  readAheadSession,
} from '#core/oauth/read-ahead';
import type { CodeRecord } from '#core/oauth/records';
import { sha256 } from '#core/secrets';

const form = (pairs: Record<string, string>) => Parameters.fromPairs(Object.entries(pairs));

describe('what is read with the client', () => {
  it('is the presented code or refresh token at the token endpoint, nothing for client credentials', () => {
    expect(readAheadOfTokenRequest(form({ grant_type: 'authorization_code', code: 'c' }))).toEqual({
      kind: 'code',
      codeHash: sha256('c'),
    });
    expect(readAheadOfTokenRequest(form({ grant_type: 'refresh_token', refresh_token: 'r' }))).toEqual({
      kind: 'refreshToken',
      tokenHash: sha256('r'),
    });
    expect(readAheadOfTokenRequest(form({ grant_type: 'client_credentials' }))).toBeUndefined();
    expect(readAheadOfTokenRequest(form({ grant_type: 'authorization_code' }))).toBeUndefined();
    // A refresh token sent with the code grant is not what that grant reads.
    expect(
      readAheadOfTokenRequest(form({ grant_type: 'authorization_code', refresh_token: 'r' })),
    ).toBeUndefined();
  });

  it('is an opaque token at revocation, and nothing for an access token (a JWT needs no read)', () => {
    expect(readAheadOfRevocation(form({ token: 'opaque' }))).toEqual({
      kind: 'refreshToken',
      tokenHash: sha256('opaque'),
    });
    expect(readAheadOfRevocation(form({ token: 'a.b.c' }))).toBeUndefined();
  });
});

describe('a record read ahead', () => {
  const code = { codeHash: sha256('c') } as CodeRecord;
  const found = { ahead: { kind: 'code' as const, codeHash: sha256('c') }, code };

  it('answers only for the key it was read under, absent included', () => {
    expect(readAheadCode(found, sha256('c'))).toEqual({ record: code });
    expect(readAheadCode(found, sha256('other'))).toBeUndefined();
    expect(readAheadCode({ ahead: found.ahead }, sha256('c'))).toEqual({ record: undefined });
    expect(readAheadRefreshToken(found, sha256('c'))).toBeUndefined();
    expect(readAheadSession(found, 'session')).toBeUndefined();
    expect(readAheadCode(undefined, sha256('c'))).toBeUndefined();
  });

  it('comes with the client in one call, and without anything to read ahead the lookup is plain', async () => {
    const client = { clientId: 'c1' } as ClientRecord;
    const calls: string[] = [];
    const store: ClientReadAhead = {
      findClient: async () => {
        calls.push('findClient');
        return client;
      },
      findClientWith: async (_clientId, ahead) => {
        calls.push('findClientWith');
        return { client, records: { ahead, code } };
      },
    };
    const reading = new ReadAheadClients(store, found.ahead);
    expect(await reading.findClient('c1')).toBe(client);
    expect(reading.records).toEqual({ ahead: found.ahead, code });
    const plain = new ReadAheadClients(store, undefined);
    expect(await plain.findClient('c1')).toBe(client);
    expect(plain.records).toBeUndefined();
    expect(calls).toEqual(['findClientWith', 'findClient']);
  });
});
