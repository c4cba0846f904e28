/**
 * What OAuth grants store, one interface per table (contract/tables.ts): authorization codes, grants,
 * refresh tokens and individually revoked access tokens. Times are epoch seconds; an item past
 * `expiresAt` is absent whether or not DynamoDB's TTL has deleted it yet (it may lag by up to two days).
 */

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
  /** RFC 8707: the resource servers (identifiers) the request named; absent: the default one. */
  resources?: string[];
  /**
   * The S256 PKCE challenge. Absent only when a client exempt from PKCE sent none: the code must then be
   * redeemed without a verifier (RFC 9700 §2.1.1).
   */
  codeChallenge?: string;
  createdAt: number;
  expiresAt: number;
  /** OpenID Connect: the request's `nonce`, echoed in the ID token exactly. */
  nonce?: string;
  /** OpenID Connect: when the user signed in (`auth_time`) and how (`amr`); carried on to the grant. */
  authTime?: number;
  amr?: string[];
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
  /** The resource servers its tokens may be for; absent: the default one (grants from before RFC 8707). */
  resources?: string[];
  grantType: 'authorization_code' | 'client_credentials';
  /** Of the sign-in the grant was approved from: what every ID token of the grant says. */
  authTime?: number;
  amr?: string[];
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
  /** Copied from the grant, like `sub`: the resource servers a refresh may pick from. */
  resources?: string[];
  /** Copied from the grant, like `sub`, for the ID token a refresh issues. */
  authTime?: number;
  amr?: string[];
  createdAt: number;
  expiresAt: number;
  /**
   * Set when the token was exchanged. Presenting it again is reuse, which revokes the grant, unless it
   * comes within the reuse window and its successor is still unused (grants/refresh-token.ts).
   */
  rotatedAt?: number;
  /** The hash of the token it was exchanged for. */
  successorHash?: string;
  /** That token, sealed for this one (core/secrets.ts): returned again to a holder within the window. */
  successorSealed?: string;
  /** When it was last presented again within the window and answered with its successor. */
  reissuedAt?: number;
}

export interface RevokedTokenRecord {
  /** `jti` of an access token revoked on its own (RFC 7009). */
  jti: string;
  grantId: string;
  /** The token's own `exp`: after it the token is dead anyway. */
  expiresAt: number;
}
