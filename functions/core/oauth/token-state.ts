/**
 * Token revocation (RFC 7009) and introspection (RFC 7662). Both authenticate the client first; both
 * answer an unknown, malformed or foreign token exactly like an inactive one, so that they reveal nothing.
 */

import type { ClientRecord } from '#core/clients/records';
import { type Clock, epochSeconds } from '#core/clock';
import { InvalidClient, type InvalidToken } from '#core/errors';
import { isLive } from '#core/expiry';
import type { KeyRing } from '#core/keys/key-ring';
import type { Logger } from '#core/logging';
import { sha256 } from '#core/secrets';
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims, verifyToken } from '#core/tokens/jwt';
import type { GrantStore } from './grant-store.ts';
import { deadTokenReason, type LivenessStore } from './liveness.ts';
import type { Parameters } from './parameters.ts';
import type { RefreshTokenRecord } from './records.ts';

export interface TokenStateDependencies {
  grants: GrantStore;
  liveness: LivenessStore;
  keys: KeyRing;
  clock: Clock;
  issuer: string;
  audience: string;
  logger: Logger;
}

type Identified =
  | { kind: 'access_token'; claims: AccessTokenClaims & { iss: string; aud: string } }
  | { kind: 'refresh_token'; record: RefreshTokenRecord }
  | undefined;

const looksLikeJwt = (token: string) => token.split('.').length === 3;

export class TokenState {
  constructor(private readonly deps: TokenStateDependencies) {}

  /** RFC 7009 §2.1: revoke the token if it was issued to this client; unknown tokens are not an error. */
  async revoke(client: ClientRecord, form: Parameters): Promise<void> {
    const token = form.require('token');
    form.get('token_type_hint'); // validated for repetition only: we identify the token ourselves (§2.1 allows it)
    const now = epochSeconds(this.deps.clock);
    const found = await this.identify(token, now);
    if (found?.kind === 'access_token' && found.claims.client_id === client.clientId) {
      await this.deps.grants.revokeAccessToken({
        jti: found.claims.jti,
        grantId: found.claims.gid,
        expiresAt: found.claims.exp,
      });
      this.deps.logger.info('access token revoked', { jti: found.claims.jti, clientId: client.clientId });
    } else if (found?.kind === 'refresh_token' && found.record.clientId === client.clientId) {
      // §2.1: revoking a refresh token revokes the grant, and with it every access token of the grant.
      await this.deps.grants.revokeGrant(found.record.grantId, now);
      this.deps.logger.info('grant revoked via refresh token', {
        grantId: found.record.grantId,
        clientId: client.clientId,
      });
    }
  }

  /**
   * RFC 7662 §2.2. Any confidential client may introspect access tokens (resource servers hold tokens
   * issued to other clients); refresh tokens only by the client they were issued to.
   */
  async introspect(client: ClientRecord, form: Parameters): Promise<Record<string, unknown>> {
    if (client.tokenEndpointAuthMethod === 'none') {
      throw new InvalidClient('Introspection requires an authenticated (confidential) client.', {
        detail: 'public client',
      });
    }
    const token = form.require('token');
    form.get('token_type_hint');
    const now = epochSeconds(this.deps.clock);
    const found = await this.identify(token, now);

    if (found?.kind === 'access_token') {
      const { claims } = found;
      const records = await this.deps.liveness.lookup({
        grantId: claims.gid,
        sessionId: claims.sid,
        jti: claims.jti,
      });
      if (deadTokenReason(claims, records, now) !== undefined) return { active: false };
      return {
        active: true,
        scope: claims.scope,
        client_id: claims.client_id,
        sub: claims.sub,
        token_type: 'Bearer',
        exp: claims.exp,
        iat: claims.iat,
        iss: claims.iss,
        aud: claims.aud,
        jti: claims.jti,
      };
    }
    if (found?.kind === 'refresh_token' && found.record.clientId === client.clientId) {
      const { record } = found;
      const { grant, session } = await this.deps.liveness.lookup({
        grantId: record.grantId,
        sessionId: record.sessionId,
      });
      const live = isLive(grant, now) && (record.sessionId === undefined || isLive(session, now));
      if (!live || record.rotatedAt !== undefined) return { active: false };
      return {
        active: true,
        scope: record.scope,
        client_id: record.clientId,
        sub: record.sub,
        exp: record.expiresAt,
        iat: record.createdAt,
        iss: this.deps.issuer,
      };
    }
    return { active: false };
  }

  /** What the token is, if it is one of ours and unexpired. */
  private async identify(token: string, now: number): Promise<Identified> {
    if (looksLikeJwt(token)) {
      try {
        const claims = await verifyToken<AccessTokenClaims & { iss: string; aud: string }>(token, {
          keys: await this.deps.keys.verificationKeys(),
          issuer: this.deps.issuer,
          audience: this.deps.audience,
          typ: ACCESS_TOKEN_TYPE,
          nowSeconds: now,
        });
        if (typeof claims.gid !== 'string' || typeof claims.client_id !== 'string') return undefined;
        return { kind: 'access_token', claims };
      } catch (error) {
        this.deps.logger.debug('token not recognised as an access token', {
          reason: (error as InvalidToken).detail,
        });
        return undefined;
      }
    }
    const record = await this.deps.grants.findRefreshToken(sha256(token));
    if (!record || record.expiresAt <= now) return undefined;
    return { kind: 'refresh_token', record };
  }
}
