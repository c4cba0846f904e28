/** Resource servers for tests: the default one alone (today's single protected API), or beside others. */
import type { ResourceServer } from '#contract/resources';

export const defaultResourceServer = (identifier: string, scopes = ['read', 'write']): ResourceServer => ({
  identifier,
  name: 'Protected API',
  path: '/protected',
  scopes,
  accessTokenTtlSeconds: 900,
});

/** The area of a token for the default server when it is the only one: all of `/protected`. */
export const ONLY_DEFAULT = { audience: { path: '/protected' }, servers: [{ path: '/protected' }] };
