import { describe, expect, it } from 'vitest';
import type { ResourceServer } from '#contract/resources';
import { challengeHeader } from '#infra/gateway-responses';
import { challengeOf, type LocalProtection } from '#infra/local/challenges';
import { defaultResourceServer } from '../../../fakes/resources.ts';

const ISSUER = 'http://localhost:3000';
const MCP: ResourceServer = {
  identifier: `${ISSUER}/protected/mcp`,
  name: 'MCP',
  path: '/protected/mcp',
  scopes: ['mcp:tools', 'mcp:admin'],
  accessTokenTtlSeconds: 300,
};
const protection: LocalProtection = {
  issuer: ISSUER,
  resourceServers: [defaultResourceServer(`${ISSUER}/protected`), MCP],
  scopeRules: [
    { method: 'POST', path: '/protected/mcp/admin*', scopes: ['mcp:admin'] },
    { method: '*', path: '/protected/reports/*', scopes: ['read'] },
  ],
};
const header = (
  type: 'UNAUTHORIZED' | 'ACCESS_DENIED',
  request: { method: string; path: string },
  refusal = {},
) =>
  challengeHeader(
    type,
    challengeOf(protection, request, { kind: 'refused', response: type, reason: 'test', ...refusal }),
  );

describe('the local gateway’s challenges (RFC 6750 §3, RFC 9728 §5.1)', () => {
  it('names the metadata of the resource server serving the path, without an error code when no token came', () => {
    expect(header('UNAUTHORIZED', { method: 'POST', path: '/protected/mcp' }, { tokenMissing: true })).toBe(
      `Bearer resource_metadata="${ISSUER}/.well-known/oauth-protected-resource/protected/mcp"`,
    );
    expect(header('UNAUTHORIZED', { method: 'GET', path: '/protected/orders/1' })).toBe(
      `Bearer error="invalid_token", resource_metadata="${ISSUER}/.well-known/oauth-protected-resource/protected"`,
    );
  });

  it('names on a 403 the scopes of the rules this request fails', () => {
    expect(
      header(
        'ACCESS_DENIED',
        { method: 'POST', path: '/protected/mcp/admin/x' },
        { tokenScope: 'mcp:tools' },
      ),
    ).toBe(
      `Bearer error="insufficient_scope", scope="mcp:admin", resource_metadata="${ISSUER}/.well-known/oauth-protected-resource/protected/mcp"`,
    );
  });

  it('names no scope on a 403 that no rule explains (a token for another resource server)', () => {
    expect(header('ACCESS_DENIED', { method: 'POST', path: '/protected/mcp' }, { tokenScope: 'read' })).toBe(
      `Bearer error="insufficient_scope", resource_metadata="${ISSUER}/.well-known/oauth-protected-resource/protected/mcp"`,
    );
  });
});
