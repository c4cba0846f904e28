/**
 * What every grant ends with (RFC 6749 §5.1): a signed access token (RFC 9068) in the token response,
 * and for grants that last, a refresh token record bound to the grant.
 */
import { randomUUID } from 'node:crypto';
import type { ClientRecord } from '#core/clients/records';
import type { Clock } from '#core/clock';
import type { KeyRing } from '#core/keys/key-ring';
import type { Logger } from '#core/logging';
import type { GrantStore } from '#core/oauth/grant-store';
import type { GrantRecord, RefreshTokenRecord } from '#core/oauth/records';
import type { IssuedGrantType, SecurityEvents } from '#core/observability';
import type { IdTokenSubject, IdTokens } from '#core/oidc/id-token';
import { randomSecret, sha256 } from '#core/secrets';
import { type AccessTokenClaims, signAccessToken } from '#core/tokens/jwt';

export interface GrantDependencies {
  grants: GrantStore;
  keys: KeyRing;
  clock: Clock;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  logger: Logger;
  /** OpenID Connect: an ID token beside the access token of every grant that has `openid`. */
  idTokens?: IdTokens;
  /** Hears of every token response and every replayed credential (metrics and audit lines). */
  events?: SecurityEvents;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

/** What a token needs to know of its grant. */
export type GrantIdentity = Pick<
  GrantRecord,
  'grantId' | 'clientId' | 'sub' | 'sessionId' | 'expiresAt' | 'authTime' | 'amr'
>;

/** A client registered for the refresh_token grant gets a refresh token with each code it redeems. */
export const issuesRefreshTokens = (client: ClientRecord): boolean =>
  client.grantTypes.includes('refresh_token');

/** A refresh token of `grant`; only its hash is stored. */
export function newRefreshToken(grant: GrantIdentity, scope: string, now: number) {
  const token = randomSecret();
  const record: RefreshTokenRecord = {
    tokenHash: sha256(token),
    grantId: grant.grantId,
    clientId: grant.clientId,
    sub: grant.sub,
    ...(grant.sessionId ? { sessionId: grant.sessionId } : {}),
    scope,
    ...(grant.authTime === undefined ? {} : { authTime: grant.authTime }),
    ...(grant.amr === undefined ? {} : { amr: grant.amr }),
    createdAt: now,
    // The grant's lifetime is absolute: rotation never extends it.
    expiresAt: grant.expiresAt,
  };
  return { token, record };
}

export interface Issued {
  /** The grant type of the request being answered (a refresh answers for `refresh_token`). */
  grantType: IssuedGrantType;
  grant: GrantIdentity;
  /** The access token's scope, which a refresh may narrow below the grant's. */
  scope: string;
  now: number;
  refreshToken?: string | undefined;
  /** Set when the grant has `openid` (core/oidc/claims.ts `grantsOpenId`): the ID token's subject. */
  openId?: IdTokenSubject | undefined;
}

/** RFC 6749 §5.1, with the access token as RFC 9068 shapes it, and OIDC Core §3.1.3.3's ID token. */
export async function tokenResponse(
  deps: Pick<
    GrantDependencies,
    'keys' | 'issuer' | 'audience' | 'accessTokenTtlSeconds' | 'idTokens' | 'events'
  >,
  { grantType, grant, scope, now, refreshToken, openId }: Issued,
): Promise<TokenResponse> {
  const claims: AccessTokenClaims = {
    sub: grant.sub,
    client_id: grant.clientId,
    scope,
    jti: randomUUID(),
    iat: now,
    exp: now + deps.accessTokenTtlSeconds,
    gid: grant.grantId,
    ...(grant.sessionId ? { sid: grant.sessionId } : {}),
  };
  const accessToken = await signAccessToken(await deps.keys.signingKey(), deps.issuer, deps.audience, claims);
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: deps.accessTokenTtlSeconds,
    scope,
  };
  if (refreshToken) response.refresh_token = refreshToken;
  if (openId && deps.idTokens) response.id_token = await deps.idTokens.issue(openId, { accessToken, now });
  deps.events?.record({
    kind: 'tokens_issued',
    grantType,
    clientId: grant.clientId,
    sub: grant.sub,
    grantId: grant.grantId,
  });
  return response;
}
