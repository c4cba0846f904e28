/**
 * Token revocation (RFC 7009). The client is authenticated first; a token that is unknown, malformed or
 * issued to another client is answered exactly like a revoked one, so that revocation reveals nothing.
 */
import type { ClientRecord } from '#core/clients/records';
import { type Clock, epochSeconds } from '#core/clock';
import type { GrantStore } from './grant-store.ts';
import type { Parameters } from './parameters.ts';
import type { ReadAheadRecords } from './read-ahead.ts';
import {
  presentedToken,
  TokenIdentification,
  type TokenIdentificationDependencies,
} from './token-identification.ts';

export interface RevocationDependencies extends TokenIdentificationDependencies {
  grants: GrantStore;
  clock: Clock;
}

export class Revocation {
  private readonly identification: TokenIdentification;

  constructor(private readonly deps: RevocationDependencies) {
    this.identification = new TokenIdentification(deps);
  }

  /** RFC 7009 §2.1: revoke the token if it was issued to this client; unknown tokens are not an error. */
  async revoke(client: ClientRecord, form: Parameters, readAhead?: ReadAheadRecords): Promise<void> {
    const token = presentedToken(form);
    const now = epochSeconds(this.deps.clock);
    const found = await this.identification.identify(token, now, readAhead);
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
}
