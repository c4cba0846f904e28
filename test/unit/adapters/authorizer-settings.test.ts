import { describe, expect, it } from 'vitest';
import { loadAuthorizerSettings } from '#adapters/authorizer-settings';
import { loadConfig } from '#adapters/config';
import { ConfigError } from '#contract/config-error';
import { authorizerCacheTtlSeconds } from '#contract/protection';

const at = (issuer: string) => loadConfig({ ISSUER: issuer });

describe('authorizer settings', () => {
  it('defaults the JWKS URI to the issuer’s and validates an explicit one', () => {
    expect(loadAuthorizerSettings({}, at('https://auth.example.test')).jwksUri.href).toBe(
      'https://auth.example.test/.well-known/jwks.json',
    );
    expect(
      loadAuthorizerSettings({ JWKS_URI: 'http://127.0.0.1:3000/keys' }, at('https://x.test')).jwksUri.href,
    ).toBe('http://127.0.0.1:3000/keys');
    expect(() => loadAuthorizerSettings({ JWKS_URI: 'keys.json' }, at('https://x.test'))).toThrow(/JWKS_URI/);
    expect(() => loadAuthorizerSettings({ JWKS_URI: 'file:///etc/keys' }, at('https://x.test'))).toThrow(
      /JWKS_URI/,
    );
    expect(() => loadAuthorizerSettings({ PROTECTED_SCOPES: '[]' }, at('https://a.test'))).toThrow(
      /PROTECTED_SCOPES/,
    );
  });

  it('refuses a scope rule that no token of the resource server serving its paths could meet', () => {
    const config = loadConfig({
      SCOPES: 'read write',
      RESOURCE_SERVERS: JSON.stringify([{ name: 'MCP', path: '/protected/mcp', scopes: 'mcp:tools' }]),
    });
    const rules = (text: Record<string, string>) =>
      loadAuthorizerSettings({ PROTECTED_SCOPES: JSON.stringify(text) }, config).scopeRules.length;
    expect(rules({ 'POST /protected/mcp': 'mcp:tools', 'GET /protected/reports/*': 'read' })).toBe(2);
    // Inside the MCP server's path, only its scopes count; the default server does not serve there.
    expect(rules({ 'ANY /protected/mcp/*': 'mcp:tools' })).toBe(1);
    expect(() => rules({ 'POST /protected/mcp': 'write' })).toThrow(/does not offer/);
    expect(() => rules({ 'GET /protected/reports/*': 'mcp:tools' })).toThrow(/does not offer/);
    // A wildcard that runs into the MCP server's path must be met there too.
    expect(() => rules({ 'ANY /protected/*': 'read' })).toThrow(/protected\/mcp/);
  });

  it('reads the authorizer cache TTL within API Gateway’s limits', () => {
    expect(authorizerCacheTtlSeconds({})).toBe(60);
    expect(authorizerCacheTtlSeconds({ AUTHORIZER_CACHE_TTL_SECONDS: '0' })).toBe(0);
    expect(authorizerCacheTtlSeconds({ AUTHORIZER_CACHE_TTL_SECONDS: '3600' })).toBe(3600);
    for (const bad of ['3601', '-1', '1.5', 'soon']) {
      expect(() => authorizerCacheTtlSeconds({ AUTHORIZER_CACHE_TTL_SECONDS: bad })).toThrow(ConfigError);
    }
  });
});
