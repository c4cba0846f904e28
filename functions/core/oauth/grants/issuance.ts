/**
 * What every grant ends with (RFC 6749 §5.1): a signed access token (RFC 9068) in the token response,
 * and for grants that last, a refresh token record bound to the grant.
 */
import { randomUUID } from 'node:crypto';
import type { ResourceServer } from '#contract/resources';
import type { ClientRecord } from '#core/clients/records';
import type { Clock } from '#core/clock';
import type { KeyRing } from '#core/keys/key-ring';
import type { Logger } from '#core/logging';
import type { GrantStore } from '#core/oauth/grant-store';
import type { GrantRecord, RefreshTokenRecord } from '#core/oauth/records';
import type { ResourceIndicators } from '#core/oauth/resource-indicators';
import type { IssuedGrantType, SecurityEvents } from '#core/observability';
import type { IdTokenSubject, IdTokens } from '#core/oidc/id-token';
import { randomSecret, sha256 } from '#core/secrets';
import { type AccessTokenClaims, signAccessToken } from '#core/tokens/jwt';

export interface GrantDependencies {
  grants: GrantStore;
  keys: KeyRing;
  clock: Clock;
  issuer: string;
  /** The resource servers (RFC 8707): each token's `aud`, scope and lifetime come from one of them. */
  resources: ResourceIndicators;
  /** The default access-token lifetime; a grant without refresh tokens lasts as long. */
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
  'grantId' | 'clientId' | 'sub' | 'sessionId' | 'expiresAt' | 'authTime' | 'amr' | 'resources'
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
    ...(grant.resources === undefined ? {} : { resources: grant.resources }),
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
  /** The resource server the access token is for (its `aud`, RFC 8707); its scopes bound `scope`. */
  resource: ResourceServer;
  now: number;
  refreshToken?: string | undefined;
  /** Set when the grant has `openid` (core/oidc/claims.ts `grantsOpenId`): the ID token's subject. */
  openId?: IdTokenSubject | undefined;
}

/** RFC 6749 §5.1, with the access token as RFC 9068 shapes it, and OIDC Core §3.1.3.3's ID token. */
export async function tokenResponse(
  deps: Pick<GrantDependencies, 'keys' | 'issuer' | 'resources' | 'idTokens' | 'events'>,
  { grantType, grant, scope: granted, resource, now, refreshToken, openId }: Issued,
): Promise<TokenResponse> {
  const scope = deps.resources.scopeFor(granted, resource);
  const lifetime = resource.accessTokenTtlSeconds;
  const claims: AccessTokenClaims = {
    sub: grant.sub,
    client_id: grant.clientId,
    scope,
    jti: randomUUID(),
    iat: now,
    exp: now + lifetime,
    gid: grant.grantId,
    ...(grant.sessionId ? { sid: grant.sessionId } : {}),
  };
  const key = await deps.keys.signingKey();
  const accessToken = await signAccessToken(key, deps.issuer, resource.identifier, claims);
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: lifetime,
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
