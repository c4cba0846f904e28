/**
 * Refreshing an access token: RFC 6749 §6, with refresh token rotation and reuse detection
 * (RFC 9700 §4.14.2). The presented token is marked rotated and its successor stored by one atomic
 * conditional write, which also requires the grant, its client and its login session to be live.
 */
import type { ClientRecord } from '#core/clients/records';
import { epochSeconds } from '#core/clock';
import { InvalidScope } from '#core/errors';
import { type ReadAheadRecords, readAheadRefreshToken } from '#core/oauth/read-ahead';
import type { RefreshTokenRequest } from '#core/oauth/token-request';
import { grantableScope } from '#core/scopes';
import { sha256 } from '#core/secrets';
import {
  type GrantDependencies,
  type GrantIdentity,
  newRefreshToken,
  type TokenResponse,
  tokenResponse,
} from './issuance.ts';
import { invalidOrExpired, REFRESH_TOKEN, refuseFailedConsume, refuseReplay } from './replay.ts';

export class RefreshTokenGrant {
  constructor(private readonly deps: GrantDependencies) {}

  async exchange(
    client: ClientRecord,
    request: RefreshTokenRequest,
    found?: ReadAheadRecords,
  ): Promise<TokenResponse> {
    const now = epochSeconds(this.deps.clock);

    // The refresh token must exist, be unexpired, and have been issued to this client.
    const tokenHash = sha256(request.refreshToken);
    const ahead = readAheadRefreshToken(found, tokenHash);
    const presented = ahead ? ahead.record : await this.deps.grants.findRefreshToken(tokenHash);
    if (!presented || presented.expiresAt <= now) throw invalidOrExpired(REFRESH_TOKEN);
    if (presented.clientId !== client.clientId) {
      throw invalidOrExpired(REFRESH_TOKEN, 'token of another client');
    }
    // A token already rotated away is presented again: it was stolen, or its successor was.
    if (presented.rotatedAt !== undefined) {
      return refuseReplay(this.deps, { credential: REFRESH_TOKEN, grantId: presented.grantId, now });
    }

    // The access token may carry less scope than the grant; the grant (and its next refresh token) keeps all of it.
    const scope =
      request.scope === undefined ? presented.scope : narrowedScope(request.scope, presented.scope);

    const grant: GrantIdentity = {
      grantId: presented.grantId,
      clientId: presented.clientId,
      sub: presented.sub,
      sessionId: presented.sessionId,
      expiresAt: presented.expiresAt,
    };
    const next = newRefreshToken(grant, presented.scope, now);
    const result = await this.deps.grants.rotateRefreshToken({
      presented,
      next: next.record,
      nowSeconds: now,
    });
    if (!result.ok) {
      // Lost to a concurrent use of this same token: the grant to end is this token's own.
      const failure = { ...result, grantId: presented.grantId };
      return refuseFailedConsume(this.deps, { credential: REFRESH_TOKEN, failure, now });
    }
    return tokenResponse(this.deps, { grant, scope, now, refreshToken: next.token });
  }
}

/** RFC 6749 §6: the requested scope "MUST NOT include any scope not originally granted". */
function narrowedScope(requested: string, granted: string): string {
  try {
    return grantableScope(requested, granted);
  } catch (error) {
    if (error instanceof InvalidScope)
      throw new InvalidScope('A refresh may narrow the scope but never widen it.');
    throw error;
  }
}
