/**
 * Refreshing an access token: RFC 6749 §6, with refresh token rotation and reuse detection
 * (RFC 9700 §4.14.2). The presented token is marked rotated and its successor stored by one atomic
 * conditional write, which also requires the grant, its client and its login session to be live.
 *
 * Real clients present one token more than once without any attacker: several tabs refresh at once, a
 * response is lost and the request retried, serverless workers share no memory. So a rotated token
 * presented again within REUSE_WINDOW_SECONDS of its rotation, while its successor is still unused, is
 * answered with that same successor (kept sealed for the old token, which alone can open it) and a new
 * access token: there is only ever one line of refresh tokens, never two live siblings. Presented after
 * the window, or after its successor was used, it is reuse, and the whole grant is revoked.
 */
import type { ClientRecord } from '#core/clients/records';
import { epochSeconds } from '#core/clock';
import { InvalidScope, TemporarilyUnavailable } from '#core/errors';
import { type ReadAheadRecords, readAheadRefreshToken } from '#core/oauth/read-ahead';
import type { RefreshTokenRecord } from '#core/oauth/records';
import type { RefreshTokenRequest } from '#core/oauth/token-request';
import { openIdSubject } from '#core/oidc/subject';
import { grantableScope } from '#core/scopes';
import { sealFor, sha256, unsealWith } from '#core/secrets';
import {
  type GrantDependencies,
  type GrantIdentity,
  newRefreshToken,
  type TokenResponse,
  tokenResponse,
} from './issuance.ts';
import { invalidOrExpired, REFRESH_TOKEN, refuseFailedConsume, refuseReplay } from './replay.ts';

/** How long after its rotation a refresh token may be presented again and get the same successor. */
export const REUSE_WINDOW_SECONDS = 60;

/** Reads of the token after losing a race to a concurrent request for it, before giving up (503). */
const MAX_ROUNDS = 3;

/** The refresh token a request ends with, or that it lost a race and must read the token again. */
type Step = { successor: string } | 'read_again';

const grantOf = (presented: RefreshTokenRecord): GrantIdentity => ({
  grantId: presented.grantId,
  clientId: presented.clientId,
  sub: presented.sub,
  sessionId: presented.sessionId,
  expiresAt: presented.expiresAt,
  authTime: presented.authTime,
  amr: presented.amr,
  resources: presented.resources,
});

export class RefreshTokenGrant {
  constructor(private readonly deps: GrantDependencies) {}

  /** `found`: what was read ahead with the client (read-ahead.ts); it serves the first round only. */
  async exchange(
    client: ClientRecord,
    request: RefreshTokenRequest,
    found?: ReadAheadRecords,
  ): Promise<TokenResponse> {
    const now = epochSeconds(this.deps.clock);
    const tokenHash = sha256(request.refreshToken);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      // A round after a lost race must see the other request's write, so it reads the token again.
      const ahead = round === 0 ? readAheadRefreshToken(found, tokenHash) : undefined;
      // The refresh token must exist, be unexpired, and have been issued to this client.
      const presented = ahead ? ahead.record : await this.deps.grants.findRefreshToken(tokenHash);
      if (!presented || presented.expiresAt <= now) throw invalidOrExpired(REFRESH_TOKEN);
      if (presented.clientId !== client.clientId) {
        throw invalidOrExpired(REFRESH_TOKEN, 'token of another client');
      }
      // The access token may carry less scope than the grant; the grant (and its next refresh token) keeps all of it.
      const scope =
        request.scope === undefined ? presented.scope : narrowedScope(request.scope, presented.scope);
      // RFC 8707 §2.2: one of the grant's resources, never another.
      const resource = this.deps.resources.chosen(request.resource, presented.resources);

      const step =
        presented.rotatedAt === undefined
          ? await this.rotate(request.refreshToken, presented, now)
          : await this.reissue(request.refreshToken, presented, now);
      if (step !== 'read_again') {
        const grant = grantOf(presented);
        // The grant's scope decides the ID token, even when this access token is narrowed below `openid`.
        const openId = openIdSubject(client, { ...grant, scope: presented.scope }, undefined);
        return tokenResponse(this.deps, {
          grantType: 'refresh_token',
          grant,
          scope,
          resource,
          now,
          refreshToken: step.successor,
          openId,
        });
      }
    }
    throw new TemporarilyUnavailable('The refresh token is in use by another request. Please retry.', {
      detail: 'refresh raced too often',
      headers: { 'Retry-After': '1' },
    });
  }

  /** Exchanges an unrotated token for a new one, or learns that a concurrent request just did. */
  private async rotate(token: string, presented: RefreshTokenRecord, now: number): Promise<Step> {
    const next = newRefreshToken(grantOf(presented), presented.scope, now);
    const result = await this.deps.grants.rotateRefreshToken({
      presented,
      next: next.record,
      sealedSuccessor: sealFor(token, next.token),
      nowSeconds: now,
    });
    if (result.ok) return { successor: next.token };
    // Rotated by a concurrent request for this same token: its successor is the answer, read again.
    if (result.reason === 'already_used' || result.reason === 'conflict') return 'read_again';
    const failure = { ...result, grantId: presented.grantId };
    return refuseFailedConsume(this.deps, { credential: REFRESH_TOKEN, failure, now });
  }

  /**
   * A rotated token presented again: the same successor within the window while that successor is
   * unused (only the old token unseals it), reuse otherwise, which ends the grant.
   */
  private async reissue(token: string, presented: RefreshTokenRecord, now: number): Promise<Step> {
    const windowStart = now - REUSE_WINDOW_SECONDS;
    const inWindow = (presented.rotatedAt ?? 0) > windowStart;
    const sealed = inWindow ? presented.successorSealed : undefined;
    const successor = sealed === undefined ? undefined : unsealWith(token, sealed);
    if (successor === undefined || sha256(successor) !== presented.successorHash) {
      return refuseReplay(this.deps, { credential: REFRESH_TOKEN, grantId: presented.grantId, now });
    }
    const result = await this.deps.grants.reissueSuccessor({
      presented,
      nowSeconds: now,
      windowStartSeconds: windowStart,
    });
    if (result.ok) {
      this.deps.logger.info('refresh token presented again within the reuse window; same successor', {
        grantId: presented.grantId,
      });
      return { successor };
    }
    if (result.reason === 'conflict') return 'read_again';
    const failure = { ...result, grantId: presented.grantId };
    return refuseFailedConsume(this.deps, { credential: REFRESH_TOKEN, failure, now });
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
