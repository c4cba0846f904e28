/**
 * ID tokens (OIDC Core §2, §3.1.3.6): who signed in, when and how, for one client. Signed with the
 * client's registered algorithm (RS256 by default, ES256 on request), never with the access token's
 * key set rules: the header's `typ` is plain `JWT`, the audience is the client, so an ID token is
 * refused wherever an access or session token is expected, and the other way round.
 */
import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import type { ClientRecord } from '#core/clients/records';
import type { KeyRing } from '#core/keys/key-ring';
import type { Logger } from '#core/logging';
import { type UserLookup, userClaims } from './claims.ts';

export const ID_TOKEN_TYPE = 'JWT';

/** What an ID token says about its grant, carried by the code and the refresh token. */
export interface IdTokenSubject {
  client: Pick<ClientRecord, 'clientId' | 'idTokenSignedResponseAlg'>;
  sub: string;
  /** The grant's scope: its identity scopes decide the user claims. */
  scope: string;
  /** The login session (`sid`), when a user took part. */
  sessionId?: string | undefined;
  authTime?: number | undefined;
  amr?: readonly string[] | undefined;
  /** Only in the ID token of the code exchange: a refresh never echoes it. */
  nonce?: string | undefined;
}

export interface IdTokenDependencies {
  keys: KeyRing;
  issuer: string;
  ttlSeconds: number;
  users: UserLookup;
  logger: Logger;
}

/**
 * OIDC Core §3.1.3.6: the left half of the SHA-256 of the access token's ASCII, base64url. SHA-256 is
 * the hash of both RS256 and ES256.
 */
export const accessTokenHash = (accessToken: string): string =>
  createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');

const wantsUserClaims = (scope: string) => /(^| )(profile|email)( |$)/.test(scope);

export class IdTokens {
  constructor(private readonly deps: IdTokenDependencies) {}

  async issue(subject: IdTokenSubject, issued: { accessToken: string; now: number }): Promise<string> {
    const alg = subject.client.idTokenSignedResponseAlg ?? 'RS256';
    const key = await this.deps.keys.signingKey(alg);
    const claims: Record<string, unknown> = {
      ...(await this.userClaimsOf(subject)),
      ...(subject.authTime === undefined ? {} : { auth_time: subject.authTime }),
      ...(subject.nonce === undefined ? {} : { nonce: subject.nonce }),
      ...(subject.amr === undefined ? {} : { amr: [...subject.amr] }),
      ...(subject.sessionId === undefined ? {} : { sid: subject.sessionId }),
      at_hash: accessTokenHash(issued.accessToken),
    };
    // No `azp`: the audience is always exactly this one client, the case OIDC Core §2 says needs none.
    return new SignJWT(claims)
      .setProtectedHeader({ alg, typ: ID_TOKEN_TYPE, kid: key.kid })
      .setIssuer(this.deps.issuer)
      .setSubject(subject.sub)
      .setAudience(subject.client.clientId)
      .setIssuedAt(issued.now)
      .setExpirationTime(issued.now + this.deps.ttlSeconds)
      .sign(key.key);
  }

  /** The claims the grant's identity scopes release; only `sub` when none asks for more. */
  private async userClaimsOf(subject: IdTokenSubject): Promise<Record<string, unknown>> {
    if (!wantsUserClaims(subject.scope)) return {};
    const user = await this.deps.users.findUserBySub(subject.sub);
    if (!user) {
      // The bySub index is eventually consistent: a user who signed up a moment ago may not be in it.
      this.deps.logger.warn('ID token without profile claims: user not found by sub', { sub: subject.sub });
      return {};
    }
    const { sub: _sub, ...claims } = userClaims(user, subject.scope);
    return claims;
  }
}
