import { beforeEach, describe, expect, it } from 'vitest';
import type { ClientRecord } from '#core/clients/records';
import { AuthorizationCodeGrant } from '#core/oauth/grants/authorization-code';
import { REUSE_WINDOW_SECONDS, RefreshTokenGrant } from '#core/oauth/grants/refresh-token';
import { sha256 } from '#core/secrets';
import { ACCESS_TTL, grantTestbed, REDIRECT, REFRESH_TTL } from '../../../../fakes/grant-testbed.ts';

type Testbed = Awaited<ReturnType<typeof grantTestbed>>;

const INVALID_REFRESH = { code: 'invalid_grant', description: 'The refresh token is invalid or expired.' };

describe('refresh token grant (RFC 6749 §6, RFC 9700 §4.14.2)', () => {
  let bed: Testbed;
  let grant: RefreshTokenGrant;
  let client: ClientRecord;
  beforeEach(async () => {
    bed = await grantTestbed();
    grant = new RefreshTokenGrant(bed.deps);
    client = bed.client();
  });

  /** The tokens of a freshly redeemed code, as a client holds them. */
  async function tokens(scope = 'read write') {
    const { code, verifier, record } = await bed.code(client, { scope });
    const response = await new AuthorizationCodeGrant(bed.deps).exchange(client, {
      kind: 'authorization_code',
      code,
      codeVerifier: verifier,
      redirectUri: REDIRECT,
    });
    const { claims } = await bed.accessToken(response.access_token);
    return {
      refreshToken: response.refresh_token as string,
      grantId: claims.gid,
      sessionId: record.sessionId,
    };
  }

  const refresh = (refreshToken: string, options: { scope?: string; by?: ClientRecord } = {}) =>
    grant.exchange(options.by ?? client, { kind: 'refresh_token', refreshToken, scope: options.scope });

  it('rotates: a new access token and a new refresh token of the same grant, the old one spent', async () => {
    const { refreshToken, grantId, sessionId } = await tokens();
    bed.clock.advance(3600);

    const response = await refresh(refreshToken);

    expect(response).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: ACCESS_TTL,
      scope: 'read write',
      refresh_token: expect.stringMatching(/^[\w-]{43}$/),
    });
    expect(response.refresh_token).not.toBe(refreshToken);
    const { claims, typ } = await bed.accessToken(response.access_token);
    expect(typ).toBe('at+jwt');
    expect(claims).toMatchObject({
      gid: grantId,
      sid: sessionId,
      sub: 'user-sub',
      client_id: client.clientId,
      scope: 'read write',
      iat: bed.now(),
      exp: bed.now() + ACCESS_TTL,
    });
    expect(bed.store.refreshTokens.get(sha256(refreshToken))?.rotatedAt).toBe(bed.now());
  });

  it('never extends the grant: every rotated token expires when the first did', async () => {
    const issuedAt = bed.now();
    let { refreshToken } = await tokens();
    for (const day of [1, 2, 3]) {
      bed.clock.advance(86_400);
      refreshToken = (await refresh(refreshToken)).refresh_token as string;
      expect(bed.store.refreshTokens.get(sha256(refreshToken))?.expiresAt, `day ${day}`).toBe(
        issuedAt + REFRESH_TTL,
      );
    }

    bed.clock.advance(issuedAt + REFRESH_TTL - bed.now());
    await expect(refresh(refreshToken)).rejects.toMatchObject(INVALID_REFRESH);
  });

  it('refuses a token it never issued', async () => {
    await expect(refresh('not-a-refresh-token')).rejects.toMatchObject(INVALID_REFRESH);
  });

  it('refuses a token issued to another client, and leaves it for its own client', async () => {
    const { refreshToken } = await tokens();
    const other = bed.client();

    await expect(refresh(refreshToken, { by: other })).rejects.toMatchObject({
      ...INVALID_REFRESH,
      detail: 'token of another client',
    });
    await expect(refresh(refreshToken)).resolves.toBeDefined();
  });

  describe('scope (RFC 6749 §6)', () => {
    it('may be narrowed for the access token, while the grant keeps all of it', async () => {
      const { refreshToken } = await tokens('read write');

      const narrowed = await refresh(refreshToken, { scope: 'read' });
      expect(narrowed.scope).toBe('read');
      expect((await bed.accessToken(narrowed.access_token)).claims.scope).toBe('read');

      const next = await refresh(narrowed.refresh_token as string);
      expect(next.scope).toBe('read write');
    });

    it.each([
      ['a scope the grant does not have', 'read write'],
      ['a scope the client may not have at all', 'read admin'],
    ])('is never widened: %s is invalid_scope', async (_, scope) => {
      const { refreshToken } = await tokens('read');

      await expect(refresh(refreshToken, { scope })).rejects.toMatchObject({
        code: 'invalid_scope',
        description: 'A refresh may narrow the scope but never widen it.',
      });
      // Refused before the rotation: the token is still good.
      await expect(refresh(refreshToken)).resolves.toMatchObject({ scope: 'read' });
    });
  });

  describe('concurrent use of one token: several tabs, a retry after a lost response', () => {
    it('answers twenty parallel refreshes with one successor and live tokens, and keeps the grant', async () => {
      const { refreshToken, grantId } = await tokens();

      const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(refreshToken)));

      // One line: every answer carries the same successor, so no sibling is left to be replayed.
      const successors = new Set(responses.map((response) => response.refresh_token));
      expect(successors.size).toBe(1);
      expect(bed.store.grants.get(grantId)?.revokedAt).toBeUndefined();
      for (const response of responses) {
        expect((await bed.accessToken(response.access_token)).claims.gid).toBe(grantId);
      }
      const live = [...bed.store.refreshTokens.values()].filter((record) => record.rotatedAt === undefined);
      expect(live.map((record) => record.tokenHash)).toEqual([sha256([...successors][0] as string)]);
      await expect(refresh([...successors][0] as string)).resolves.toBeDefined();
    });

    it(`answers the same token again within ${REUSE_WINDOW_SECONDS} s with the same successor`, async () => {
      const { refreshToken } = await tokens();
      const first = await refresh(refreshToken);
      bed.clock.advance(REUSE_WINDOW_SECONDS - 1);
      const again = await refresh(refreshToken, { scope: 'read' });
      expect(again.refresh_token).toBe(first.refresh_token);
      expect(again.access_token).not.toBe(first.access_token);
      expect(again.scope).toBe('read');
    });

    it('keeps the successor out of the store: only a holder of the old token can recover it', async () => {
      const { refreshToken } = await tokens();
      const { refresh_token: successor } = await refresh(refreshToken);
      const stored = JSON.stringify([...bed.store.refreshTokens.values()]);
      expect(stored).not.toContain(successor);
      expect(stored).not.toContain(refreshToken);
    });
  });

  describe('reuse of a rotated token (RFC 9700 §4.14.2)', () => {
    const expectReplayRevokes = async (replayed: string, grantId: string) => {
      await expect(refresh(replayed)).rejects.toMatchObject({
        ...INVALID_REFRESH,
        detail: 'refresh token reuse',
      });
      expect(bed.store.grants.get(grantId)?.revokedAt).toBe(bed.now());
      expect(bed.events).toContainEqual({ kind: 'refresh_token_reused', grantId });
      expect(bed.events.map((event) => event.kind)).not.toContain('code_replayed');
    };

    it('after its successor was used: refused, and the grant revoked so that the line dies too', async () => {
      const { refreshToken, grantId } = await tokens();
      const { refresh_token: successor } = await refresh(refreshToken);
      const { refresh_token: third } = await refresh(successor as string);
      bed.clock.advance(1);

      await expectReplayRevokes(refreshToken, grantId);
      await expect(refresh(third as string)).rejects.toMatchObject({
        ...INVALID_REFRESH,
        detail: 'dependency_gone',
      });
    });

    it(`after ${REUSE_WINDOW_SECONDS} s, even when the successor was never used: refused and revoked`, async () => {
      const { refreshToken, grantId } = await tokens();
      const { refresh_token: successor } = await refresh(refreshToken);
      bed.clock.advance(REUSE_WINDOW_SECONDS);

      await expectReplayRevokes(refreshToken, grantId);
      await expect(refresh(successor as string)).rejects.toMatchObject(INVALID_REFRESH);
    });
  });

  describe('when what the grant depends on is gone, it is refused and the token is not rotated', () => {
    const cases: [
      string,
      (bed: Testbed, ids: { clientId: string; sessionId: string; grantId: string }) => void,
    ][] = [
      ['the grant was revoked', (bed, { grantId }) => bed.store.revokeGrant(grantId, bed.now())],
      ['the grant is gone', (bed, { grantId }) => bed.store.grants.delete(grantId)],
      ['the client was deleted', (bed, { clientId }) => bed.store.clients.delete(clientId)],
      [
        'the user logged out',
        (bed, { sessionId }) =>
          bed.store.sessions.set(sessionId, { expiresAt: bed.now() + 60, revokedAt: bed.now() }),
      ],
    ];
    it.each(cases)('%s', async (_, remove) => {
      const { refreshToken, grantId, sessionId } = await tokens();
      await remove(bed, { clientId: client.clientId, sessionId, grantId });

      await expect(refresh(refreshToken)).rejects.toMatchObject({
        ...INVALID_REFRESH,
        detail: 'dependency_gone',
      });
      expect(bed.store.refreshTokens.get(sha256(refreshToken))?.rotatedAt).toBeUndefined();
      expect(bed.store.refreshTokens.size).toBe(1);
    });
  });
});
