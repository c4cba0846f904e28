import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ResourceServer } from '#contract/resources';
import { AuthorizationCodeGrant } from '#core/oauth/grants/authorization-code';
import { ClientCredentialsGrant } from '#core/oauth/grants/client-credentials';
import { RefreshTokenGrant } from '#core/oauth/grants/refresh-token';
import { ResourceIndicators } from '#core/oauth/resource-indicators';
import { AUDIENCE, grantTestbed, REDIRECT } from '../../../fakes/grant-testbed.ts';
import { defaultResourceServer } from '../../../fakes/resources.ts';

type Testbed = Awaited<ReturnType<typeof grantTestbed>>;

const MCP: ResourceServer = {
  identifier: 'https://api.example.com/protected/mcp',
  name: 'MCP',
  path: '/protected/mcp',
  scopes: ['mcp:tools'],
  accessTokenTtlSeconds: 120,
};
const servers = [defaultResourceServer(AUDIENCE), MCP];

describe('resource indicators (RFC 8707) at the token endpoint', () => {
  let bed: Testbed;
  let deps: Testbed['deps'];
  beforeEach(async () => {
    bed = await grantTestbed();
    deps = { ...bed.deps, resources: new ResourceIndicators(servers) };
  });

  /** Tokens from a code approved for `resources` (identifiers; absent: the default server). */
  async function redeem(resources: string[] | undefined, resource?: string) {
    const client = bed.client({ scope: 'read write mcp:tools' });
    const { code, verifier } = await bed.code(client, {
      scope: 'read mcp:tools',
      ...(resources ? { resources } : {}),
    });
    const response = await new AuthorizationCodeGrant(deps).exchange(client, {
      kind: 'authorization_code',
      code,
      codeVerifier: verifier,
      redirectUri: REDIRECT,
      resource,
    });
    return { client, response, claims: decodeJwt(response.access_token) };
  }

  it('binds the access token to the resource: aud, the scopes it offers, its lifetime', async () => {
    const { response, claims } = await redeem([MCP.identifier]);
    expect(claims.aud).toBe(MCP.identifier);
    expect(claims.scope).toBe('mcp:tools');
    expect(response.expires_in).toBe(120);
    expect((claims.exp as number) - (claims.iat as number)).toBe(120);
  });

  it('issues the default server’s tokens to a grant from before resource indicators', async () => {
    const { claims } = await redeem(undefined);
    expect(claims.aud).toBe(AUDIENCE);
    expect(claims.scope).toBe('read');
  });

  it('refuses a resource the code was not approved for with invalid_target', async () => {
    await expect(redeem([AUDIENCE], MCP.identifier)).rejects.toMatchObject({ code: 'invalid_target' });
    await expect(redeem([MCP.identifier], 'https://elsewhere.example/')).rejects.toMatchObject({
      code: 'invalid_target',
    });
  });

  it('lets a refresh narrow to one of the grant’s resources, never widen', async () => {
    const { client, response } = await redeem([AUDIENCE, MCP.identifier], MCP.identifier);
    const refresh = new RefreshTokenGrant(deps);
    const narrowed = await refresh.exchange(client, {
      kind: 'refresh_token',
      refreshToken: response.refresh_token as string,
      scope: undefined,
      resource: AUDIENCE,
    });
    expect(decodeJwt(narrowed.access_token)).toMatchObject({ aud: AUDIENCE, scope: 'read' });

    const { client: other, response: mcpOnly } = await redeem([MCP.identifier]);
    await expect(
      refresh.exchange(other, {
        kind: 'refresh_token',
        refreshToken: mcpOnly.refresh_token as string,
        scope: undefined,
        resource: AUDIENCE,
      }),
    ).rejects.toMatchObject({ code: 'invalid_target' });
  });

  it('gives client credentials the requested resource, if the client may use it', async () => {
    const grant = new ClientCredentialsGrant(deps);
    const machine = bed.client({ grantTypes: ['client_credentials'], scope: 'read mcp:tools' });
    const issued = await grant.exchange(machine, {
      kind: 'client_credentials',
      scope: undefined,
      resource: MCP.identifier,
    });
    expect(decodeJwt(issued.access_token)).toMatchObject({ aud: MCP.identifier, scope: 'mcp:tools' });

    const readOnly = bed.client({ grantTypes: ['client_credentials'], scope: 'read' });
    await expect(
      grant.exchange(readOnly, { kind: 'client_credentials', scope: undefined, resource: MCP.identifier }),
    ).rejects.toMatchObject({ code: 'invalid_target' });
    await expect(
      grant.exchange(machine, { kind: 'client_credentials', scope: 'write', resource: MCP.identifier }),
    ).rejects.toMatchObject({ code: 'invalid_scope' });
  });
});
