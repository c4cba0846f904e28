import { describe, expect, it } from 'vitest';
import { createResourceMetadataHandler } from '#adapters/endpoints/discovery/resource-metadata';
import type { ResourceServer } from '#contract/resources';
import { apiEvent } from '../../../../fakes/events.ts';
import { silentLogger } from '../../../../fakes/logger.ts';
import { defaultResourceServer } from '../../../../fakes/resources.ts';

const ISSUER = 'https://auth.example.com';
const MCP: ResourceServer = {
  identifier: 'https://mcp.example.com/protected/mcp',
  name: 'Orders MCP server',
  path: '/protected/mcp',
  scopes: ['mcp:tools'],
  accessTokenTtlSeconds: 300,
};
const handler = createResourceMetadataHandler(
  { issuer: ISSUER, resourceServers: [defaultResourceServer(`${ISSUER}/protected`), MCP] },
  silentLogger,
);

const get = (proxy: string) =>
  handler(
    apiEvent({ path: `/.well-known/oauth-protected-resource/${proxy}`, pathParameters: { proxy } }),
    {} as never,
  );

describe('GET /.well-known/oauth-protected-resource/<resource path> (RFC 9728)', () => {
  it('answers each resource server’s metadata at its path, cacheable', async () => {
    const response = await get('protected/mcp');
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      resource: 'https://mcp.example.com/protected/mcp',
      authorization_servers: [ISSUER],
      scopes_supported: ['mcp:tools'],
      bearer_methods_supported: ['header'],
      resource_name: 'Orders MCP server',
    });
    expect(response.headers?.['Cache-Control']).toBe('public, max-age=300');
    expect(JSON.parse((await get('protected')).body)).toMatchObject({
      resource: `${ISSUER}/protected`,
      scopes_supported: ['read', 'write'],
    });
  });

  it.each(['protected/mcp/tools', 'protected/other', 'elsewhere', 'protected/'])(
    'is 404 not_found for %s, which is no resource server’s own path',
    async (proxy) => {
      const response = await get(proxy);
      expect(response.statusCode).toBe(404);
      expect(JSON.parse(response.body).error).toBe('not_found');
    },
  );
});
