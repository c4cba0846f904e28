/**
 * The token endpoint's grants (RFC 6749 §4.1.3, §4.4, §6; RFC 7636 §4.6; RFC 9700 §4.14), each a
 * sequence of checks that reads like the RFC, ending in one atomic write.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ClientRecord } from '#core/clients/records';
import { type Clock, epochSeconds } from '#core/clock';
import {
  InvalidGrant,
  InvalidRequest,
  InvalidScope,
  UnauthorizedClient,
  UnsupportedGrantType,
} from '#core/errors';
import type { KeyRing } from '#core/keys/key-ring';
import type { Logger } from '#core/logging';
import { grantableScope } from '#core/scopes';
import { constantTimeEqual, randomSecret, sha256 } from '#core/secrets';
import { type AccessTokenClaims, signAccessToken } from '#core/tokens/jwt';
import type { ConsumeResult, GrantStore } from './grant-store.ts';
import type { Parameters } from './parameters.ts';
import type { GrantRecord, RefreshTokenRecord } from './records.ts';

/** What a token needs to know of its grant. */
type GrantIdentity = Pick<GrantRecord, 'grantId' | 'clientId' | 'sub' | 'sessionId' | 'expiresAt'>;

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

export interface TokenGrantDependencies {
  grants: GrantStore;
  keys: KeyRing;
  clock: Clock;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  logger: Logger;
}

export class TokenGrants {
  constructor(private readonly deps: TokenGrantDependencies) {}

  async exchange(client: ClientRecord, form: Parameters): Promise<TokenResponse> {
    const grantType = form.get('grant_type');
    if (grantType === undefined) throw new InvalidRequest('The "grant_type" parameter is required.');
    switch (grantType) {
      case 'authorization_code':
        this.requireGrantType(client, grantType);
        return this.authorizationCode(client, form);
      case 'refresh_token':
        this.requireGrantType(client, grantType);
        return this.refreshToken(client, form);
      case 'client_credentials':
        this.requireGrantType(client, grantType);
        return this.clientCredentials(client, form);
      default:
        throw new UnsupportedGrantType(`The grant type "${grantType}" is not supported.`);
    }
  }

  private requireGrantType(client: ClientRecord, grantType: string): void {
    if (!client.grantTypes.includes(grantType as ClientRecord['grantTypes'][number])) {
      throw new UnauthorizedClient(`This client is not registered for the ${grantType} grant.`);
    }
  }

  /** RFC 6749 §4.1.3 with RFC 7636 §4.6. */
  private async authorizationCode(client: ClientRecord, form: Parameters): Promise<TokenResponse> {
    const code = form.require('code');
    const verifier = form.get('code_verifier');
    if (verifier === undefined) throw new InvalidRequest('The "code_verifier" parameter is required (PKCE).');
    if (!CODE_VERIFIER.test(verifier)) {
      throw new InvalidRequest('"code_verifier" must be 43 to 128 unreserved characters.');
    }
    const now = epochSeconds(this.deps.clock);

    // The code must exist, be unexpired, unused, and have been issued to this client.
    const record = await this.deps.grants.findCode(sha256(code));
    if (!record || record.expiresAt <= now)
      throw new InvalidGrant('The authorization code is invalid or expired.');
    if (record.consumedAt !== undefined) return this.replayedCode(record.grantId, now);
    if (record.clientId !== client.clientId) {
      throw new InvalidGrant('The authorization code is invalid or expired.', {
        detail: 'code of another client',
      });
    }

    // The redirect URI must be repeated exactly if the authorization request named it.
    const redirectUri = form.get('redirect_uri');
    if ((record.redirectUriSent || redirectUri !== undefined) && redirectUri !== record.redirectUri) {
      throw new InvalidGrant('"redirect_uri" does not match the authorization request.');
    }

    // PKCE: BASE64URL(SHA256(code_verifier)) must equal the stored challenge.
    const challenge = createHash('sha256').update(verifier, 'ascii').digest('base64url');
    if (!constantTimeEqual(challenge, record.codeChallenge)) {
      throw new InvalidGrant('The code verifier does not match the code challenge.');
    }

    const grant: GrantRecord = {
      grantId: randomUUID(),
      clientId: client.clientId,
      sub: record.sub,
      sessionId: record.sessionId,
      scope: record.scope,
      grantType: 'authorization_code',
      createdAt: now,
      expiresAt:
        now +
        (this.issuesRefreshTokens(client)
          ? this.deps.refreshTokenTtlSeconds
          : this.deps.accessTokenTtlSeconds),
    };
    const refresh = this.issuesRefreshTokens(client)
      ? this.newRefreshToken(grant, grant.scope, now)
      : undefined;

    const result = await this.deps.grants.redeemCode({
      code: record,
      grant,
      refreshToken: refresh?.record,
      nowSeconds: now,
    });
    if (!result.ok) return this.failedConsume(result, now, 'authorization code');

    return this.respond(grant, grant.scope, now, refresh?.token);
  }

  /** RFC 6749 §6, with rotation and reuse detection (RFC 9700 §4.14.2). */
  private async refreshToken(client: ClientRecord, form: Parameters): Promise<TokenResponse> {
    const presentedToken = form.require('refresh_token');
    const now = epochSeconds(this.deps.clock);

    const presented = await this.deps.grants.findRefreshToken(sha256(presentedToken));
    if (!presented || presented.expiresAt <= now)
      throw new InvalidGrant('The refresh token is invalid or expired.');
    if (presented.clientId !== client.clientId) {
      throw new InvalidGrant('The refresh token is invalid or expired.', {
        detail: 'token of another client',
      });
    }
    if (presented.rotatedAt !== undefined) return this.reusedRefreshToken(presented.grantId, now);

    // The access token may carry less scope than the grant; the grant (and its next refresh token) keeps all of it.
    const requested = form.get('scope');
    const scope = requested === undefined ? presented.scope : narrowedScope(requested, presented.scope);

    const grant = {
      grantId: presented.grantId,
      clientId: presented.clientId,
      sub: presented.sub,
      sessionId: presented.sessionId,
      expiresAt: presented.expiresAt,
    };
    const next = this.newRefreshToken(grant, presented.scope, now);
    // One transaction: mark the presented token rotated, require the grant, client and session to be live, store the next.
    const result = await this.deps.grants.rotateRefreshToken({
      presented,
      next: next.record,
      nowSeconds: now,
    });
    if (!result.ok)
      return this.failedConsume({ ...result, grantId: presented.grantId }, now, 'refresh token');
    return this.respond(grant, scope, now, next.token);
  }

  /** RFC 6749 §4.4: confidential clients acting on their own behalf; no refresh token. */
  private async clientCredentials(client: ClientRecord, form: Parameters): Promise<TokenResponse> {
    if (client.tokenEndpointAuthMethod === 'none') {
      throw new UnauthorizedClient('Public clients cannot use the client credentials grant.');
    }
    const scope = grantableScope(form.get('scope'), client.scope);
    const now = epochSeconds(this.deps.clock);
    const grant: GrantRecord = {
      grantId: randomUUID(),
      clientId: client.clientId,
      sub: client.clientId,
      scope,
      grantType: 'client_credentials',
      createdAt: now,
      expiresAt: now + this.deps.accessTokenTtlSeconds,
    };
    if (!(await this.deps.grants.putGrant(grant))) {
      throw new InvalidGrant('The client no longer exists.', { detail: 'client deleted during request' });
    }
    return this.respond(grant, scope, now, undefined);
  }

  private issuesRefreshTokens(client: ClientRecord): boolean {
    return client.grantTypes.includes('refresh_token');
  }

  private newRefreshToken(grant: GrantIdentity, scope: string, now: number) {
    const token = randomSecret();
    const record: RefreshTokenRecord = {
      tokenHash: sha256(token),
      grantId: grant.grantId,
      clientId: grant.clientId,
      sub: grant.sub,
      ...(grant.sessionId ? { sessionId: grant.sessionId } : {}),
      scope,
      createdAt: now,
      // The grant's lifetime is absolute: rotation never extends it.
      expiresAt: grant.expiresAt,
    };
    return { token, record };
  }

  private async respond(grant: GrantIdentity, scope: string, now: number, refreshToken: string | undefined) {
    const claims: AccessTokenClaims = {
      sub: grant.sub,
      client_id: grant.clientId,
      scope,
      jti: randomUUID(),
      iat: now,
      exp: now + this.deps.accessTokenTtlSeconds,
      gid: grant.grantId,
      ...(grant.sessionId ? { sid: grant.sessionId } : {}),
    };
    const accessToken = await signAccessToken(
      await this.deps.keys.signingKey(),
      this.deps.issuer,
      this.deps.audience,
      claims,
    );
    const response: TokenResponse = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: this.deps.accessTokenTtlSeconds,
      scope,
    };
    if (refreshToken) response.refresh_token = refreshToken;
    return response;
  }

  /** RFC 6749 §4.1.2: a code used twice revokes every token issued from it. */
  private async replayedCode(grantId: string | undefined, now: number): Promise<never> {
    if (grantId) await this.deps.grants.revokeGrant(grantId, now);
    this.deps.logger.warn('authorization code replayed; grant revoked', { grantId });
    throw new InvalidGrant('The authorization code is invalid or expired.', { detail: 'code replay' });
  }

  /** RFC 9700 §4.14.2: a rotated refresh token presented again means theft; end the whole grant. */
  private async reusedRefreshToken(grantId: string, now: number): Promise<never> {
    await this.deps.grants.revokeGrant(grantId, now);
    this.deps.logger.warn('refresh token reused; grant revoked', { grantId });
    throw new InvalidGrant('The refresh token is invalid or expired.', { detail: 'refresh token reuse' });
  }

  private async failedConsume(
    result: Extract<ConsumeResult, { ok: false }>,
    now: number,
    what: string,
  ): Promise<never> {
    if (result.reason === 'already_used') {
      return what === 'authorization code'
        ? this.replayedCode(result.grantId, now)
        : this.reusedRefreshToken(result.grantId as string, now);
    }
    throw new InvalidGrant(`The ${what} is invalid or expired.`, { detail: result.reason });
  }
}

function narrowedScope(requested: string, granted: string): string {
  try {
    return grantableScope(requested, granted);
  } catch (error) {
    if (error instanceof InvalidScope)
      throw new InvalidScope('A refresh may narrow the scope but never widen it.');
    throw error;
  }
}
