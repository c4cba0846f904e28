import { describe, expect, it } from 'vitest';
import { loadAuthorizerSettings } from '#adapters/authorizer-settings';
import { ConfigError } from '#contract/config-error';
import { authorizerCacheTtlSeconds } from '#contract/protection';

describe('authorizer settings', () => {
  it('defaults the JWKS URI to the issuer’s and validates an explicit one', () => {
    expect(loadAuthorizerSettings({}, 'https://auth.example.test').jwksUri.href).toBe(
      'https://auth.example.test/.well-known/jwks.json',
    );
    expect(loadAuthorizerSettings({ JWKS_URI: 'http://127.0.0.1:3000/keys' }, 'x').jwksUri.href).toBe(
      'http://127.0.0.1:3000/keys',
    );
    expect(() => loadAuthorizerSettings({ JWKS_URI: 'keys.json' }, 'x')).toThrow(/JWKS_URI/);
    expect(() => loadAuthorizerSettings({ JWKS_URI: 'file:///etc/keys' }, 'x')).toThrow(/JWKS_URI/);
    expect(() => loadAuthorizerSettings({ PROTECTED_SCOPES: '[]' }, 'https://a.test')).toThrow(
      /PROTECTED_SCOPES/,
    );
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
