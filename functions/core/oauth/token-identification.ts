/**
 * Which of our tokens a client presented to revocation (RFC 7009 §2.1) or introspection (RFC 7662
 * §2.1). We identify the token ourselves rather than trust `token_type_hint`; an unknown, malformed,
 * expired or foreign-signed token is simply not identified, so that both endpoints reveal nothing.
 */
import type { InvalidToken } from '#core/errors';
import type { KeyRing } from '#core/keys/key-ring';
import type { Logger } from '#core/logging';
import { sha256 } from '#core/secrets';
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims, verifyToken } from '#core/tokens/jwt';
import type { GrantStore } from './grant-store.ts';
import type { Parameters } from './parameters.ts';
import { type ReadAheadRecords, readAheadRefreshToken } from './read-ahead.ts';
import type { RefreshTokenRecord } from './records.ts';

export interface TokenIdentificationDependencies {
  grants: Pick<GrantStore, 'findRefreshToken'>;
  keys: KeyRing;
  issuer: string;
  /** Every resource server's identifier: a token for any of them is ours to revoke or introspect. */
  audience: string | string[];
  logger: Logger;
}

export type IdentifiedToken =
  | { kind: 'access_token'; claims: AccessTokenClaims & { iss: string; aud: string } }
  | { kind: 'refresh_token'; record: RefreshTokenRecord };

/**
 * The `token` parameter both endpoints take. `token_type_hint` is never read: we identify the token
 * ourselves (RFC 7009 §2.1 allows it), and a repeated hint was refused with every other repeated parameter.
 */
export function presentedToken(form: Parameters): string {
  return form.require('token');
}

const looksLikeJwt = (token: string) => token.split('.').length === 3;

export class TokenIdentification {
  constructor(private readonly deps: TokenIdentificationDependencies) {}

  /** What the token is, if it is one of ours and unexpired. */
  async identify(token: string, now: number, found?: ReadAheadRecords): Promise<IdentifiedToken | undefined> {
    if (looksLikeJwt(token)) return this.accessToken(token, now);
    const tokenHash = sha256(token);
    const ahead = readAheadRefreshToken(found, tokenHash);
    const record = ahead ? ahead.record : await this.deps.grants.findRefreshToken(tokenHash);
    if (!record || record.expiresAt <= now) return undefined;
    return { kind: 'refresh_token', record };
  }

  private async accessToken(token: string, now: number): Promise<IdentifiedToken | undefined> {
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
}
