import { beforeEach, describe, expect, it } from 'vitest';
import type { ClientRecord } from '#core/clients/records';
import { ClientCredentialsGrant } from '#core/oauth/grants/client-credentials';
import { ACCESS_TTL, AUDIENCE, grantTestbed, ISSUER } from '../../../../fakes/grant-testbed.ts';

describe('client credentials grant (RFC 6749 §4.4)', () => {
  let bed: Awaited<ReturnType<typeof grantTestbed>>;
  let grant: ClientCredentialsGrant;
  let client: ClientRecord;
  beforeEach(async () => {
    bed = await grantTestbed();
    grant = new ClientCredentialsGrant(bed.deps);
    // Registered for refresh too, to show that this grant issues no refresh token regardless (§4.4.3).
    client = bed.client({ grantTypes: ['client_credentials', 'refresh_token'], scope: 'read write' });
  });

  const request = (scope?: string) => ({ kind: 'client_credentials' as const, scope });

  it('reports the tokens it issued, for the client as their own subject', async () => {
    const response = await grant.exchange(client, request());
    const { claims } = await bed.accessToken(response.access_token);

    expect(bed.events).toEqual([
      {
        kind: 'tokens_issued',
        grantType: 'client_credentials',
        clientId: client.clientId,
        sub: client.clientId,
        grantId: claims.gid,
      },
    ]);
  });

  it('issues an access token whose subject is the client itself, and no refresh token', async () => {
    const response = await grant.exchange(client, request());

    expect(response).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: ACCESS_TTL,
      scope: 'read write',
    });
    const { claims, typ } = await bed.accessToken(response.access_token);
    expect(typ).toBe('at+jwt');
    expect(claims).toMatchObject({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: client.clientId,
      client_id: client.clientId,
      scope: 'read write',
      iat: bed.now(),
      exp: bed.now() + ACCESS_TTL,
    });
    expect(claims.sid).toBeUndefined();
    expect(bed.store.grants.get(claims.gid)).toMatchObject({
      clientId: client.clientId,
      sub: client.clientId,
      grantType: 'client_credentials',
      scope: 'read write',
      expiresAt: bed.now() + ACCESS_TTL,
    });
    expect(bed.store.refreshTokens.size).toBe(0);
  });

  it('grants a narrower scope when asked', async () => {
    const response = await grant.exchange(client, request('write'));
    expect(response.scope).toBe('write');
    expect((await bed.accessToken(response.access_token)).claims.scope).toBe('write');
  });

  it('refuses a scope the client is not registered for with invalid_scope', async () => {
    await expect(grant.exchange(client, request('read admin'))).rejects.toMatchObject({
      code: 'invalid_scope',
    });
    expect(bed.store.grants.size).toBe(0);
  });

  it('refuses a public client with unauthorized_client', async () => {
    const publicClient = bed.client({
      grantTypes: ['client_credentials'],
      tokenEndpointAuthMethod: 'none',
      secretHash: undefined,
    });
    await expect(grant.exchange(publicClient, request())).rejects.toMatchObject({
      code: 'unauthorized_client',
      description: 'Public clients cannot use the client credentials grant.',
    });
    expect(bed.store.grants.size).toBe(0);
  });

  it('refuses with invalid_grant when the client was deleted while it authenticated', async () => {
    bed.store.clients.delete(client.clientId);
    await expect(grant.exchange(client, request())).rejects.toMatchObject({
      code: 'invalid_grant',
      detail: 'client deleted during request',
    });
    expect(bed.store.grants.size).toBe(0);
  });
});
