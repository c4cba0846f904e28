/**
 * Token introspection (RFC 7662). The client is authenticated first; a token that is unknown, malformed,
 * no longer live or not the client's to see is answered exactly like an inactive one, `{"active":false}`.
 */
import type { ClientRecord } from '#core/clients/records';
import { type Clock, epochSeconds } from '#core/clock';
import { InvalidClient } from '#core/errors';
import { isLive } from '#core/expiry';
import { deadTokenReason, type LivenessStore } from './liveness.ts';
import type { Parameters } from './parameters.ts';
import type { RefreshTokenRecord } from './records.ts';
import {
  type IdentifiedToken,
  presentedToken,
  TokenIdentification,
  type TokenIdentificationDependencies,
} from './token-identification.ts';

export interface IntrospectionDependencies extends TokenIdentificationDependencies {
  liveness: LivenessStore;
  clock: Clock;
}

type AccessToken = Extract<IdentifiedToken, { kind: 'access_token' }>;

export class Introspection {
  private readonly identification: TokenIdentification;

  constructor(private readonly deps: IntrospectionDependencies) {
    this.identification = new TokenIdentification(deps);
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
    const token = presentedToken(form);
    const now = epochSeconds(this.deps.clock);
    const found = await this.identification.identify(token, now);

    if (found?.kind === 'access_token') return this.accessToken(found, now);
    if (found?.kind === 'refresh_token' && found.record.clientId === client.clientId) {
      return this.refreshToken(found.record, now);
    }
    return { active: false };
  }

  private async accessToken({ claims }: AccessToken, now: number): Promise<Record<string, unknown>> {
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

  private async refreshToken(record: RefreshTokenRecord, now: number): Promise<Record<string, unknown>> {
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
}
