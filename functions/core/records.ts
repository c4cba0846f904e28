/**
 * The shape of every item tinyoauth stores, one interface per table (see infra/tables.ts).
 * Times are epoch seconds. Items with `expiresAt` are treated as absent once it has passed, whether
 * or not DynamoDB's TTL has deleted them yet (it may lag by up to two days).
 */

export interface UserRecord {
  /** Normalised username; the partition key. */
  username: string;
  /** Stable, opaque user id used as `sub` in every token. */
  sub: string;
  /** `scrypt$<logN>$<r>$<p>$<salt b64url>$<hash b64url>`. */
  passwordHash: string;
  createdAt: number;
  online: boolean;
  lastOperationAt: number;
}

export interface SessionRecord {
  sessionId: string;
  sub: string;
  username: string;
  createdAt: number;
  expiresAt: number;
  revokedAt?: number;
}

export interface LoginAttemptsRecord {
  username: string;
  failures: number;
  /** End of the counting window, or of the lock once `failures` reached the limit. */
  expiresAt: number;
}

export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface ClientRecord {
  clientId: string;
  /** `sub` of the user who registered it. */
  owner: string;
  clientName: string;
  redirectUris: string[];
  grantTypes: GrantType[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** Space-separated scopes the client may ask for. */
  scope: string;
  /** SHA-256 of the secret (base64url); absent for public clients. */
  secretHash?: string;
  clientIdIssuedAt: number;
}

export interface CodeRecord {
  /** SHA-256 of the code (base64url). */
  codeHash: string;
  clientId: string;
  redirectUri: string;
  /** Whether `redirect_uri` was present in the authorization request (RFC 6749 §4.1.3). */
  redirectUriSent: boolean;
  sub: string;
  sessionId: string;
  scope: string;
  codeChallenge: string;
  createdAt: number;
  expiresAt: number;
  /** Set by the one conditional write that redeems the code. */
  consumedAt?: number;
  /** The grant the redemption created, revoked if the code is replayed. */
  grantId?: string;
}

export interface GrantRecord {
  grantId: string;
  clientId: string;
  sub: string;
  /** The login session the user approved from; logout of it ends the grant. */
  sessionId?: string;
  scope: string;
  grantType: 'authorization_code' | 'client_credentials';
  createdAt: number;
  /** When the last token of the grant expires (refresh token lifetime, or access token for client credentials). */
  expiresAt: number;
  revokedAt?: number;
}

export interface RefreshTokenRecord {
  /** SHA-256 of the refresh token (base64url). */
  tokenHash: string;
  grantId: string;
  clientId: string;
  /** Copied from the grant, so that a refresh needs no read of the grant (its liveness is a transaction condition). */
  sub: string;
  sessionId?: string;
  scope: string;
  createdAt: number;
  expiresAt: number;
  /** Set when the token was exchanged; presenting it again is reuse and revokes the grant. */
  rotatedAt?: number;
}

export interface RevokedTokenRecord {
  /** `jti` of an access token revoked on its own (RFC 7009). */
  jti: string;
  grantId: string;
  /** The token's own `exp`: after it the token is dead anyway. */
  expiresAt: number;
}

/** True while an expiring item is still in force at `nowSeconds`. */
export const isLive = (
  item: { expiresAt: number; revokedAt?: number } | undefined,
  nowSeconds: number,
): boolean => item !== undefined && item.revokedAt === undefined && item.expiresAt > nowSeconds;
