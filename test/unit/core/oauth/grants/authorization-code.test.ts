import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthorizationCodeGrant } from '#core/oauth/grants/authorization-code';
import { RefreshTokenGrant } from '#core/oauth/grants/refresh-token';
import type { AuthorizationCodeRequest } from '#core/oauth/token-request';
import { sha256 } from '#core/secrets';
import {
  ACCESS_TTL,
  AUDIENCE,
  CODE_TTL,
  grantTestbed,
  ISSUER,
  REDIRECT,
  REFRESH_TTL,
} from '../../../../fakes/grant-testbed.ts';

type Testbed = Awaited<ReturnType<typeof grantTestbed>>;

/** The token request that redeems `code`, as its authorization request implies unless `overrides` say otherwise. */
const redeem = (
  code: string,
  codeVerifier: string | undefined,
  overrides: Partial<AuthorizationCodeRequest> = {},
): AuthorizationCodeRequest => ({
  kind: 'authorization_code',
  code,
  codeVerifier,
  redirectUri: REDIRECT,
  ...overrides,
});

const INVALID_CODE = {
  code: 'invalid_grant',
  description: 'The authorization code is invalid or expired.',
};

describe('authorization code grant (RFC 6749 §4.1.3, RFC 7636 §4.6)', () => {
  let bed: Testbed;
  let grant: AuthorizationCodeGrant;
  beforeEach(async () => {
    bed = await grantTestbed();
    grant = new AuthorizationCodeGrant(bed.deps);
  });

  it('issues a Bearer access token and a refresh token, and consumes the code', async () => {
    const client = bed.client();
    const { code, verifier, record } = await bed.code(client, { scope: 'read' });

    const response = await grant.exchange(client, redeem(code, verifier));

    expect(response).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: ACCESS_TTL,
      scope: 'read',
      refresh_token: expect.stringMatching(/^[\w-]{43}$/),
    });
    const { claims, typ } = await bed.accessToken(response.access_token);
    const stored = bed.store.grants.get(claims.gid);
    expect(typ).toBe('at+jwt');
    expect(claims).toMatchObject({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'user-sub',
      client_id: client.clientId,
      scope: 'read',
      sid: record.sessionId,
      iat: bed.now(),
      exp: bed.now() + ACCESS_TTL,
    });
    expect(stored).toMatchObject({
      clientId: client.clientId,
      sub: 'user-sub',
      sessionId: record.sessionId,
      scope: 'read',
      grantType: 'authorization_code',
      expiresAt: bed.now() + REFRESH_TTL,
    });
    expect(bed.store.refreshTokens.get(sha256(response.refresh_token as string))).toMatchObject({
      grantId: claims.gid,
      scope: 'read',
      expiresAt: bed.now() + REFRESH_TTL,
    });
    expect(bed.store.codes.get(record.codeHash)).toMatchObject({
      consumedAt: bed.now(),
      grantId: claims.gid,
    });
  });

  it('issues no refresh token to a client not registered for refresh, and the grant ends with its access token', async () => {
    const client = bed.client({ grantTypes: ['authorization_code'] });
    const { code, verifier } = await bed.code(client);

    const response = await grant.exchange(client, redeem(code, verifier));

    expect(response.refresh_token).toBeUndefined();
    expect(bed.store.refreshTokens.size).toBe(0);
    const { claims } = await bed.accessToken(response.access_token);
    expect(bed.store.grants.get(claims.gid)?.expiresAt).toBe(bed.now() + ACCESS_TTL);
  });

  it('redeems a code until the last second of its lifetime, and not after', async () => {
    const client = bed.client();
    const early = await bed.code(client);
    const late = await bed.code(client);

    bed.clock.advance(CODE_TTL - 1);
    await expect(grant.exchange(client, redeem(early.code, early.verifier))).resolves.toBeDefined();
    bed.clock.advance(1);
    await expect(grant.exchange(client, redeem(late.code, late.verifier))).rejects.toMatchObject(
      INVALID_CODE,
    );
  });

  it('refuses a code it never issued', async () => {
    const client = bed.client();
    const { verifier } = await bed.code(client);
    await expect(grant.exchange(client, redeem('not-a-code', verifier))).rejects.toMatchObject(INVALID_CODE);
  });

  it('refuses a code issued to another client, and leaves it for its own client', async () => {
    const owner = bed.client();
    const other = bed.client();
    const { code, verifier } = await bed.code(owner);

    await expect(grant.exchange(other, redeem(code, verifier))).rejects.toMatchObject({
      ...INVALID_CODE,
      detail: 'code of another client',
    });
    await expect(grant.exchange(owner, redeem(code, verifier))).resolves.toBeDefined();
  });

  it.each([
    ['a different redirect_uri', `${REDIRECT}/other`],
    ['no redirect_uri', undefined],
  ])('refuses %s when the authorization request named one', async (_, redirectUri) => {
    const client = bed.client();
    const { code, verifier } = await bed.code(client);
    await expect(grant.exchange(client, redeem(code, verifier, { redirectUri }))).rejects.toMatchObject({
      code: 'invalid_grant',
      description: '"redirect_uri" does not match the authorization request.',
    });
  });

  it('accepts no redirect_uri when the authorization request had none, but a sent one must still match', async () => {
    const client = bed.client();
    const omitted = await bed.code(client, { redirectUriSent: false });
    const wrong = await bed.code(client, { redirectUriSent: false });

    await expect(
      grant.exchange(client, redeem(omitted.code, omitted.verifier, { redirectUri: undefined })),
    ).resolves.toBeDefined();
    await expect(
      grant.exchange(client, redeem(wrong.code, wrong.verifier, { redirectUri: `${REDIRECT}/other` })),
    ).rejects.toMatchObject({ code: 'invalid_grant' });
  });

  it('refuses a code_verifier that does not hash to the code challenge, without consuming the code', async () => {
    const client = bed.client();
    const { code, verifier, record } = await bed.code(client);
    const otherVerifier = `${verifier.slice(0, -1)}${verifier.endsWith('A') ? 'B' : 'A'}`;

    await expect(grant.exchange(client, redeem(code, otherVerifier))).rejects.toMatchObject({
      code: 'invalid_grant',
      description: 'The code verifier does not match the code challenge.',
    });
    expect(bed.store.codes.get(record.codeHash)?.consumedAt).toBeUndefined();
  });

  describe('a client registered without PKCE (require_pkce: false, RFC 9700 §2.1.1)', () => {
    it('redeems a code issued without a challenge, with no code_verifier', async () => {
      const client = bed.client({ requirePkce: false });
      const { code, record } = await bed.codeWithoutPkce(client, { scope: 'read' });

      const response = await grant.exchange(client, redeem(code, undefined));

      expect(response).toMatchObject({ token_type: 'Bearer', scope: 'read' });
      expect(bed.store.codes.get(record.codeHash)?.consumedAt).toBe(bed.now());
    });

    it('refuses a code_verifier for a code issued without a challenge (downgrade), without consuming the code', async () => {
      const client = bed.client({ requirePkce: false });
      const { code, record } = await bed.codeWithoutPkce(client);

      await expect(grant.exchange(client, redeem(code, 'v'.repeat(43)))).rejects.toMatchObject({
        code: 'invalid_grant',
        description: 'A "code_verifier" was sent for a code issued without a "code_challenge".',
      });
      expect(bed.store.codes.get(record.codeHash)?.consumedAt).toBeUndefined();
      expect(bed.store.grants.size).toBe(0);
    });

    it('still holds a code it asked with a challenge to the verifier', async () => {
      const client = bed.client({ requirePkce: false });
      const withChallenge = await bed.code(client);

      await expect(grant.exchange(client, redeem(withChallenge.code, undefined))).rejects.toMatchObject({
        code: 'invalid_request',
        description: 'The "code_verifier" parameter is required (PKCE).',
      });
      await expect(grant.exchange(client, redeem(withChallenge.code, 'v'.repeat(43)))).rejects.toMatchObject({
        code: 'invalid_grant',
        description: 'The code verifier does not match the code challenge.',
      });
      await expect(
        grant.exchange(client, redeem(withChallenge.code, withChallenge.verifier)),
      ).resolves.toBeDefined();
    });
  });

  it.each([
    ['a confidential client that must use PKCE', { tokenEndpointAuthMethod: 'client_secret_basic' }],
    [
      'a public client, even one whose record says otherwise',
      { tokenEndpointAuthMethod: 'none', requirePkce: false },
    ],
  ] as const)('never redeems a code without a challenge for %s', async (_, overrides) => {
    const client = bed.client({ ...overrides });
    const { code, record } = await bed.codeWithoutPkce(client);

    await expect(grant.exchange(client, redeem(code, undefined))).rejects.toMatchObject({
      code: 'invalid_grant',
      description: 'This code was issued without PKCE, which this client must use.',
    });
    expect(bed.store.codes.get(record.codeHash)?.consumedAt).toBeUndefined();
  });

  describe('a code used twice (RFC 6749 §4.1.2)', () => {
    it('is refused, and the grant it created is revoked with every token of it', async () => {
      const client = bed.client();
      const { code, verifier } = await bed.code(client);
      const first = await grant.exchange(client, redeem(code, verifier));
      const { claims } = await bed.accessToken(first.access_token);

      bed.clock.advance(5);
      await expect(grant.exchange(client, redeem(code, verifier))).rejects.toMatchObject({
        ...INVALID_CODE,
        detail: 'code replay',
      });

      expect(bed.store.grants.get(claims.gid)?.revokedAt).toBe(bed.now());
      expect(bed.lines.some((line) => line.includes('authorization code replayed; grant revoked'))).toBe(
        true,
      );
      const refresh = new RefreshTokenGrant(bed.deps).exchange(client, {
        kind: 'refresh_token',
        refreshToken: first.refresh_token as string,
        scope: undefined,
      });
      await expect(refresh).rejects.toMatchObject({ code: 'invalid_grant', detail: 'dependency_gone' });
    });

    it('is refused when both uses race, and the winner’s grant is revoked', async () => {
      const client = bed.client();
      const { code, verifier, record } = await bed.code(client);
      const redeemCode = vi.spyOn(bed.store, 'redeemCode');

      const results = await Promise.allSettled([
        grant.exchange(client, redeem(code, verifier)),
        grant.exchange(client, redeem(code, verifier)),
      ]);

      // Both read the code unused, so the store's atomic consume is what tells them apart.
      expect(redeemCode).toHaveBeenCalledTimes(2);
      expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
      const loser = results.find((result) => result.status === 'rejected');
      expect(loser?.reason).toMatchObject({ ...INVALID_CODE, detail: 'code replay' });
      const grantId = bed.store.codes.get(record.codeHash)?.grantId as string;
      expect(bed.store.grants.get(grantId)?.revokedAt).toBe(bed.now());
    });
  });

  describe('when what the code depends on is gone, it is refused and nothing is written', () => {
    const cases: [string, (bed: Testbed, clientId: string, sessionId: string) => void][] = [
      ['the client was deleted', (bed, clientId) => bed.store.clients.delete(clientId)],
      [
        'the user logged out',
        (bed, _, sessionId) =>
          bed.store.sessions.set(sessionId, { expiresAt: bed.now() + 60, revokedAt: bed.now() }),
      ],
      [
        'the login session expired',
        (bed, _, sessionId) => bed.store.sessions.set(sessionId, { expiresAt: bed.now() }),
      ],
    ];
    it.each(cases)('%s', async (_, remove) => {
      const client = bed.client();
      const { code, verifier, record } = await bed.code(client);
      remove(bed, client.clientId, record.sessionId);

      await expect(grant.exchange(client, redeem(code, verifier))).rejects.toMatchObject({
        ...INVALID_CODE,
        detail: 'dependency_gone',
      });
      expect(bed.store.codes.get(record.codeHash)?.consumedAt).toBeUndefined();
      expect(bed.store.grants.size).toBe(0);
      expect(bed.store.refreshTokens.size).toBe(0);
    });
  });
});
