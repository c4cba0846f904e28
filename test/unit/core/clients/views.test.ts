import { describe, expect, it } from 'vitest';
import type { ClientRecord } from '#core/clients/records';
import { describeClient } from '#core/clients/views';

const client = (overrides: Partial<ClientRecord>): ClientRecord => ({
  clientId: 'app',
  owner: 'owner',
  clientName: 'App',
  redirectUris: ['https://app.example.com/callback'],
  grantTypes: ['authorization_code'],
  tokenEndpointAuthMethod: 'client_secret_basic',
  scope: 'openid',
  clientIdIssuedAt: 0,
  ...overrides,
});

describe('the client view', () => {
  it('shows require_pkce as the endpoints apply it', () => {
    // A record from before the member existed has no requirePkce: PKCE is required.
    expect(describeClient(client({})).require_pkce).toBe(true);
    expect(describeClient(client({ requirePkce: false })).require_pkce).toBe(false);
    // A public client always uses PKCE, whatever its record says.
    const publicClient = client({ tokenEndpointAuthMethod: 'none', requirePkce: false });
    expect(describeClient(publicClient).require_pkce).toBe(true);
  });
});
