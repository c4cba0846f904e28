/**
 * The UserInfo endpoint's decision (OIDC Core §5.3): a bearer access token (RFC 6750) that tinyoauth
 * issued, still live by the authorizer's own rules (core/oauth/liveness.ts), and granted `openid`,
 * answers with the claims its scopes release. Every refusal carries RFC 6750's challenge.
 */
import { type Clock, epochSeconds } from '#core/clock';
import { type ErrorOptions, InvalidToken, OAuthError } from '#core/errors';
import type { KeyRing } from '#core/keys/key-ring';
import { deadTokenReason, type LivenessStore } from '#core/oauth/liveness';
import { parseScope } from '#core/scopes';
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims, verifyToken } from '#core/tokens/jwt';
import { OPENID, type UserLookup, userClaims } from './claims.ts';

/** RFC 6750 §3.1: a request without any credentials gets the bare challenge, no error code. */
export class BearerTokenRequired extends OAuthError {
  readonly status = 401;
  readonly code = 'invalid_token';
  constructor(description: string, options: ErrorOptions = {}) {
    super(description, { ...options, headers: { 'WWW-Authenticate': 'Bearer realm="tinyoauth"' } });
  }
}

/** RFC 6750 §3.1: a live token without the scope the resource needs is a 403 naming that scope. */
export class InsufficientScope extends OAuthError {
  readonly status = 403;
  readonly code = 'insufficient_scope';
  constructor(description: string, scope: string) {
    super(description, {
      headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
    });
  }
}

export interface UserInfoDependencies {
  keys: KeyRing;
  issuer: string;
  /** The `aud` of tinyoauth's access tokens: the one kind of access token there is. */
  audience: string;
  liveness: LivenessStore;
  users: UserLookup;
  clock: Clock;
}

export class UserInfo {
  constructor(private readonly deps: UserInfoDependencies) {}

  /** The claims the token's scope releases, and the client it was issued to (for CORS). */
  async claims(token: string | undefined): Promise<{ claims: Record<string, unknown>; clientId: string }> {
    if (token === undefined) throw new BearerTokenRequired('An access token is required.');
    const now = epochSeconds(this.deps.clock);
    const access = await this.liveAccessToken(token, now);
    if (!parseScope(access.scope).includes(OPENID)) {
      throw new InsufficientScope('The access token was not granted the "openid" scope.', OPENID);
    }
    const user = await this.deps.users.findUserBySub(access.sub);
    if (!user)
      throw new InvalidToken('The token is invalid, expired or revoked.', { detail: 'no such user' });
    return { claims: userClaims(user, access.scope), clientId: access.client_id };
  }

  private async liveAccessToken(token: string, now: number): Promise<AccessTokenClaims> {
    const claims = await verifyToken<AccessTokenClaims>(token, {
      keys: await this.deps.keys.verificationKeys(),
      issuer: this.deps.issuer,
      audience: this.deps.audience,
      typ: ACCESS_TOKEN_TYPE,
      nowSeconds: now,
    });
    const text = (value: unknown) => typeof value === 'string' && value !== '';
    if (!text(claims.gid) || !text(claims.client_id) || typeof claims.scope !== 'string') {
      throw new InvalidToken('The token is invalid, expired or revoked.', { detail: 'claims malformed' });
    }
    const records = await this.deps.liveness.lookup({
      grantId: claims.gid,
      sessionId: claims.sid,
      jti: claims.jti,
    });
    const dead = deadTokenReason(claims, records, now);
    if (dead) throw new InvalidToken('The token is invalid, expired or revoked.', { detail: dead });
    return claims;
  }
}
