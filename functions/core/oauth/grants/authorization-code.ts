/**
 * The authorization code grant at the token endpoint: RFC 6749 §4.1.3, with PKCE (RFC 7636 §4.6).
 * The code is consumed and the grant created by one atomic conditional write.
 */
import { createHash, randomUUID } from 'node:crypto';
import { type ClientRecord, pkceRequired } from '#core/clients/records';
import { epochSeconds } from '#core/clock';
import { InvalidGrant, InvalidRequest } from '#core/errors';
import { type ReadAheadRecords, readAheadCode } from '#core/oauth/read-ahead';
import type { CodeRecord, GrantRecord } from '#core/oauth/records';
import type { AuthorizationCodeRequest } from '#core/oauth/token-request';
import { openIdSubject } from '#core/oidc/subject';
import { constantTimeEqual, sha256 } from '#core/secrets';
import {
  type GrantDependencies,
  issuesRefreshTokens,
  newRefreshToken,
  type TokenResponse,
  tokenResponse,
} from './issuance.ts';
import { AUTHORIZATION_CODE, invalidOrExpired, refuseFailedConsume, refuseReplay } from './replay.ts';

/**
 * PKCE at the token endpoint (RFC 7636 §4.6): BASE64URL(SHA256(code_verifier)) must equal the code's
 * challenge. A code issued without one (a confidential client exempt from PKCE that sent none) must come
 * without a verifier: accepting one would let an attacker who stripped the challenge from the
 * authorization request pass any verifier (the PKCE downgrade of RFC 9700 §2.1.1). And a client that
 * must use PKCE never redeems a code without a challenge, whatever made one.
 */
function checkCodeVerifier(client: ClientRecord, code: CodeRecord, verifier: string | undefined): void {
  if (code.codeChallenge === undefined) {
    if (pkceRequired(client)) {
      throw new InvalidGrant('This code was issued without PKCE, which this client must use.');
    }
    if (verifier !== undefined) {
      throw new InvalidGrant('A "code_verifier" was sent for a code issued without a "code_challenge".');
    }
    return;
  }
  if (verifier === undefined) throw new InvalidRequest('The "code_verifier" parameter is required (PKCE).');
  const challenge = createHash('sha256').update(verifier, 'ascii').digest('base64url');
  if (!constantTimeEqual(challenge, code.codeChallenge)) {
    throw new InvalidGrant('The code verifier does not match the code challenge.');
  }
}

export class AuthorizationCodeGrant {
  constructor(private readonly deps: GrantDependencies) {}

  async exchange(
    client: ClientRecord,
    request: AuthorizationCodeRequest,
    found?: ReadAheadRecords,
  ): Promise<TokenResponse> {
    const now = epochSeconds(this.deps.clock);

    // The code must exist, be unexpired, unused, and have been issued to this client.
    const codeHash = sha256(request.code);
    const ahead = readAheadCode(found, codeHash);
    const code = ahead ? ahead.record : await this.deps.grants.findCode(codeHash);
    if (!code || code.expiresAt <= now) throw invalidOrExpired(AUTHORIZATION_CODE);
    if (code.consumedAt !== undefined) {
      return refuseReplay(this.deps, { credential: AUTHORIZATION_CODE, grantId: code.grantId, now });
    }
    if (code.clientId !== client.clientId) {
      throw invalidOrExpired(AUTHORIZATION_CODE, 'code of another client');
    }

    // The redirect URI must be repeated exactly if the authorization request named it.
    const { redirectUri } = request;
    if ((code.redirectUriSent || redirectUri !== undefined) && redirectUri !== code.redirectUri) {
      throw new InvalidGrant('"redirect_uri" does not match the authorization request.');
    }

    checkCodeVerifier(client, code, request.codeVerifier);

    // RFC 8707 §2.2: one of the resources the user approved, checked before the code is consumed.
    const resource = this.deps.resources.chosen(request.resource, code.resources);
    const grant = this.newGrant(client, code, now);
    const refresh = issuesRefreshTokens(client) ? newRefreshToken(grant, grant.scope, now) : undefined;
    const result = await this.deps.grants.redeemCode({
      code,
      grant,
      refreshToken: refresh?.record,
      nowSeconds: now,
    });
    if (!result.ok) {
      return refuseFailedConsume(this.deps, { credential: AUTHORIZATION_CODE, failure: result, now });
    }

    return tokenResponse(this.deps, {
      grantType: 'authorization_code',
      grant,
      scope: grant.scope,
      resource,
      now,
      refreshToken: refresh?.token,
      openId: openIdSubject(client, grant, code.nonce),
    });
  }

  /** The grant lasts as long as its refresh token would, or its one access token when there is none. */
  private newGrant(client: ClientRecord, code: CodeRecord, now: number): GrantRecord {
    const lifetime = issuesRefreshTokens(client)
      ? this.deps.refreshTokenTtlSeconds
      : this.deps.accessTokenTtlSeconds;
    return {
      grantId: randomUUID(),
      clientId: client.clientId,
      sub: code.sub,
      sessionId: code.sessionId,
      scope: code.scope,
      ...(code.resources === undefined ? {} : { resources: code.resources }),
      grantType: 'authorization_code',
      ...(code.authTime === undefined ? {} : { authTime: code.authTime }),
      ...(code.amr === undefined ? {} : { amr: code.amr }),
      createdAt: now,
      expiresAt: now + lifetime,
    };
  }
}
