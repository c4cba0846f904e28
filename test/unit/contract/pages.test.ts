import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE_PAGES } from '#contract/pages';
import { type FunctionName, routes } from '#infra/routes';

/** The functions that read the session cookie: every page, and /authorize for browsers. */
const PAGE_FUNCTIONS: readonly FunctionName[] = [
  'authorize',
  'signIn',
  'signUp',
  'signOut',
  'endSession',
  'accountPage',
];

describe('the session cookie pages (contract/pages.ts)', () => {
  it('are exactly the paths of the functions that read the session cookie', () => {
    const served = routes
      .filter((route) => PAGE_FUNCTIONS.includes(route.function))
      .map((route) => route.path);
    expect([...new Set(served)].sort()).toEqual([...SESSION_COOKIE_PAGES].sort());
  });
});

describe('CORS preflight routes', () => {
  it('go to the function that serves the path, and exist only where scripts of other origins call', () => {
    const preflights = routes.filter((route) => route.method === 'OPTIONS');
    for (const preflight of preflights) {
      const served = routes.filter((route) => route.path === preflight.path && route.method !== 'OPTIONS');
      expect(served.map((route) => route.function)).toContain(preflight.function);
    }
    expect(preflights.map((route) => route.path).sort()).toEqual(
      [
        '/.well-known/jwks.json',
        '/.well-known/oauth-authorization-server',
        '/.well-known/openid-configuration',
        '/revoke',
        '/token',
        '/userinfo',
      ].sort(),
    );
  });
});
