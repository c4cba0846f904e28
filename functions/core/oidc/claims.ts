/**
 * OpenID Connect's scopes and the claims each one releases (OIDC Core §5.4): `openid` makes a request
 * an OpenID Connect request and releases `sub`; `profile` the username, name and when the profile last
 * changed; `email` the address and whether it is verified. Claims the user has not given
 * are left out, never sent as null.
 */
import { formatScope, grantableScope, parseScope } from '#core/scopes';
import type { UserRecord } from '#core/users/records';

export const OPENID = 'openid';

/** The identity scopes tinyoauth understands, beside the API scopes of `SCOPES`. */
export const IDENTITY_SCOPES = ['openid', 'profile', 'email'] as const;

const SCOPE_CLAIMS: Record<string, readonly string[]> = {
  openid: ['sub'],
  profile: ['preferred_username', 'name', 'updated_at'],
  email: ['email', 'email_verified'],
};

/** Every claim an ID token or the userinfo endpoint can carry (Discovery `claims_supported`). */
export const CLAIMS_SUPPORTED = [
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'amr',
  'sid',
  'at_hash',
  ...Object.values(SCOPE_CLAIMS).flat(),
];

/** Every scope a client may be registered for: the configured API scopes and the identity scopes. */
export const withIdentityScopes = (scopes: readonly string[]): string[] => [
  ...new Set([...scopes, ...IDENTITY_SCOPES]),
];

/**
 * The scope an authorization request gets: what it asked for if the client may have it, and without a
 * `scope` the client's API scopes only. An OpenID Connect request names `openid` (OIDC Core §3.1.2.1),
 * so a client's default never silently turns an OAuth request into one.
 */
export function requestedScope(requested: string | undefined, allowed: string): string {
  if (requested !== undefined && parseScope(requested).length > 0) return grantableScope(requested, allowed);
  const identity = new Set<string>(IDENTITY_SCOPES);
  return formatScope(parseScope(allowed).filter((scope) => !identity.has(scope)));
}

/** Whether a granted scope string includes `openid`: only then is there an ID token or userinfo. */
export const grantsOpenId = (scope: string): boolean => parseScope(scope).includes(OPENID);

/** How a user is found by `sub`, and what the claims are read from. */
export type ClaimsSource = Pick<
  UserRecord,
  'sub' | 'username' | 'email' | 'emailVerified' | 'name' | 'updatedAt' | 'createdAt'
>;

export interface UserLookup {
  /** The user with this `sub`, or undefined (deleted, or not a user: a client's own grant). */
  findUserBySub(sub: string): Promise<ClaimsSource | undefined>;
}

/** The user's claims that `scope` releases, `sub` always. */
export function userClaims(user: ClaimsSource, scope: string): Record<string, unknown> {
  const scopes = new Set(parseScope(scope));
  const claims: Record<string, unknown> = { sub: user.sub };
  if (scopes.has('profile')) {
    claims.preferred_username = user.username;
    if (user.name !== undefined) claims.name = user.name;
    claims.updated_at = user.updatedAt ?? user.createdAt;
  }
  if (scopes.has('email') && user.email !== undefined) {
    claims.email = user.email;
    claims.email_verified = user.emailVerified === true;
  }
  return claims;
}
