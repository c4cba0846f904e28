import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { accessTokenHash, IdTokens } from '#core/oidc/id-token';
import { openIdSubject } from '#core/oidc/subject';
import { manualClock, memoryKeyRing } from '../../../fakes/keys.ts';
import { silentLogger } from '../../../fakes/logger.ts';

const ISSUER = 'https://auth.example.com';

describe('ID tokens', () => {
  it('hash the access token as OIDC Core §3.1.3.6 says: the left half of its SHA-256, base64url', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.e30.sig';
    const digest = createHash('sha256').update(token).digest();
    expect(accessTokenHash(token)).toBe(digest.subarray(0, 16).toString('base64url'));
    expect(accessTokenHash(token)).toHaveLength(22);
  });

  it('exist only for grants with openid, with the nonce only when one was sent', () => {
    const client = { clientId: 'app' };
    const grant = { sub: 'u', scope: 'read', sessionId: 's', authTime: 1, amr: ['pwd'] };
    expect(openIdSubject(client, grant, 'n')).toBeUndefined();
    expect(openIdSubject(client, { ...grant, scope: 'openid read' }, 'n')).toMatchObject({
      nonce: 'n',
      sub: 'u',
    });
  });

  it('are signed with the client’s algorithm by its current key, and verify against the published keys', async () => {
    const clock = manualClock();
    const { keyRing } = await memoryKeyRing(clock);
    const tokens = new IdTokens({
      keys: keyRing,
      issuer: ISSUER,
      ttlSeconds: 300,
      users: { findUserBySub: async () => undefined },
      logger: silentLogger,
    });
    const keys = createLocalJWKSet({ keys: await keyRing.publicKeys() });
    for (const alg of [undefined, 'ES256', 'RS256'] as const) {
      const client = { clientId: 'app', ...(alg ? { idTokenSignedResponseAlg: alg } : {}) };
      const token = await tokens.issue(
        { client, sub: 'u', scope: 'openid profile' },
        { accessToken: 'a', now: 100 },
      );
      expect(decodeProtectedHeader(token)).toMatchObject({ alg: alg ?? 'RS256', typ: 'JWT' });
      const { payload } = await jwtVerify(token, keys, {
        issuer: ISSUER,
        audience: 'app',
        currentDate: new Date(150_000),
      });
      // A user missing from the index (a moment after sign-up) still gets an ID token, with sub only.
      expect(payload).toEqual({
        iss: ISSUER,
        sub: 'u',
        aud: 'app',
        iat: 100,
        exp: 400,
        at_hash: accessTokenHash('a'),
      });
    }
  });
});
