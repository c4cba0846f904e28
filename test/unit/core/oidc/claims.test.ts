import { describe, expect, it } from 'vitest';
import { grantsOpenId, requestedScope, userClaims, withIdentityScopes } from '#core/oidc/claims';

const USER = { sub: 'u-1', username: 'ada', createdAt: 100 };

describe('the claims each scope releases (OIDC Core §5.4)', () => {
  it.each([
    ['openid', { sub: 'u-1' }],
    ['openid profile', { sub: 'u-1', preferred_username: 'ada', name: 'Ada', updated_at: 200 }],
    ['openid email', { sub: 'u-1', email: 'ada@example.com', email_verified: false }],
    ['openid read', { sub: 'u-1' }],
  ])('%s', (scope, claims) => {
    expect(userClaims({ ...USER, name: 'Ada', email: 'ada@example.com', updatedAt: 200 }, scope)).toEqual(
      claims,
    );
  });

  it('leaves out what the user has not given, never sends null, and falls back to createdAt for updated_at', () => {
    expect(userClaims(USER, 'openid profile email')).toEqual({
      sub: 'u-1',
      preferred_username: 'ada',
      updated_at: 100,
    });
  });
});

describe('scopes', () => {
  it('adds the identity scopes to the configured ones once', () => {
    expect(withIdentityScopes(['read', 'openid'])).toEqual(['read', 'openid', 'profile', 'email']);
  });

  it('makes a request without scope an OAuth request: the client’s API scopes, never openid', () => {
    expect(requestedScope(undefined, 'read write openid profile')).toBe('read write');
    expect(requestedScope('', 'openid')).toBe('');
    expect(requestedScope('openid read', 'read write openid profile')).toBe('openid read');
    expect(() => requestedScope('openid email', 'read openid')).toThrow('"email" is not available');
  });

  it('knows an OpenID Connect grant by its openid scope token, not a substring', () => {
    expect(grantsOpenId('read openid')).toBe(true);
    expect(grantsOpenId('openid-ish read')).toBe(false);
  });
});
