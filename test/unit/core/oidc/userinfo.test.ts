import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidToken } from '#core/errors';
import type { KeyRing } from '#core/keys/key-ring';
import type { LivenessRecords } from '#core/oauth/liveness';
import type { ClaimsSource } from '#core/oidc/claims';
import { BearerTokenRequired, InsufficientScope, UserInfo } from '#core/oidc/userinfo';
import { signAccessToken } from '#core/tokens/jwt';
import { manualClock, memoryKeyRing } from '../../../fakes/keys.ts';

const ISSUER = 'https://auth.example.com';
const AUDIENCE = `${ISSUER}/protected`;
const USER: ClaimsSource = {
  sub: 'u-1',
  username: 'ada',
  name: 'Ada',
  email: 'ada@example.com',
  createdAt: 5,
};

let keyRing: KeyRing;
const clock = manualClock();
const now = () => Math.floor(clock() / 1000);
let records: LivenessRecords;

const live = (): LivenessRecords => ({
  grant: { clientId: 'app', expiresAt: now() + 3600 },
  session: { sub: 'u-1', expiresAt: now() + 3600 },
  revokedToken: undefined,
});

const userInfo = () =>
  new UserInfo({
    keys: keyRing,
    issuer: ISSUER,
    audience: AUDIENCE,
    liveness: { lookup: async () => records },
    users: { findUserBySub: async (sub) => (sub === USER.sub ? USER : undefined) },
    clock,
  });

const accessToken = async (scope: string, sub = 'u-1') =>
  signAccessToken(await keyRing.signingKey(), ISSUER, AUDIENCE, {
    sub,
    client_id: 'app',
    scope,
    jti: 'j-1',
    iat: now(),
    exp: now() + 900,
    gid: 'g-1',
    sid: 's-1',
  });

beforeAll(async () => {
  keyRing = (await memoryKeyRing(clock)).keyRing;
});

describe('userinfo', () => {
  it.each([
    ['openid', { sub: 'u-1' }],
    ['openid profile', { sub: 'u-1', preferred_username: 'ada', name: 'Ada', updated_at: 5 }],
    ['openid email read', { sub: 'u-1', email: 'ada@example.com', email_verified: false }],
  ])('answers a live %s token with exactly the claims of its scopes', async (scope, claims) => {
    records = live();
    expect(await userInfo().claims(await accessToken(scope))).toEqual({ claims, clientId: 'app' });
  });

  it('refuses a missing token with the bare challenge, and a token without openid with insufficient_scope', async () => {
    records = live();
    await expect(userInfo().claims(undefined)).rejects.toBeInstanceOf(BearerTokenRequired);
    const refusal = await userInfo()
      .claims(await accessToken('read profile'))
      .catch((error) => error);
    expect(refusal).toBeInstanceOf(InsufficientScope);
    expect(refusal.headers['WWW-Authenticate']).toBe('Bearer error="insufficient_scope", scope="openid"');
  });

  it.each([
    ['a revoked token', () => ({ ...live(), revokedToken: { expiresAt: now() + 900 } })],
    [
      'a revoked grant',
      () => ({ ...live(), grant: { clientId: 'app', expiresAt: now() + 60, revokedAt: 1 } }),
    ],
    ['an ended session', () => ({ ...live(), session: { sub: 'u-1', expiresAt: now() + 60, revokedAt: 1 } })],
  ])('refuses %s with invalid_token, as the authorizer would', async (_case, state) => {
    records = state();
    await expect(userInfo().claims(await accessToken('openid'))).rejects.toBeInstanceOf(InvalidToken);
  });

  it('refuses an expired token and a token whose user is gone', async () => {
    records = live();
    const token = await accessToken('openid');
    await expect(userInfo().claims(await accessToken('openid', 'someone-else'))).rejects.toBeInstanceOf(
      InvalidToken,
    );
    clock.advance(3600);
    records = live();
    await expect(userInfo().claims(token)).rejects.toBeInstanceOf(InvalidToken);
  });
});
