import { describe, expect, it } from 'vitest';
import { deadTokenReason } from '#core/oauth/liveness';

describe('token liveness', () => {
  const claims = { sub: 'u', client_id: 'c', jti: 'j', gid: 'g' };
  const grant = { clientId: 'c', expiresAt: 200 };

  it('is live with a live grant and no revocation entry', () => {
    expect(
      deadTokenReason(claims, { grant, session: undefined, revokedToken: undefined }, 100),
    ).toBeUndefined();
  });

  it('ignores a revocation entry past its expiry, but not a malformed one', () => {
    expect(
      deadTokenReason(claims, { grant, session: undefined, revokedToken: { expiresAt: 100 } }, 100),
    ).toBeUndefined();
    expect(
      deadTokenReason(claims, { grant, session: undefined, revokedToken: { expiresAt: 101 } }, 100),
    ).toBe('token_revoked');
    const malformed = { expiresAt: 'later' } as unknown as { expiresAt: number };
    expect(deadTokenReason(claims, { grant, session: undefined, revokedToken: malformed }, 100)).toBe(
      'token_revoked',
    );
  });

  it('treats a grant at its expiry as dead', () => {
    expect(deadTokenReason(claims, { grant, session: undefined, revokedToken: undefined }, 200)).toBe(
      'grant_revoked_or_expired',
    );
  });

  it('checks the session only for tokens that name one, and that it is the same user’s', () => {
    const session = { sub: 'someone-else', expiresAt: 200 };
    expect(deadTokenReason(claims, { grant, session, revokedToken: undefined }, 100)).toBeUndefined();
    expect(deadTokenReason({ ...claims, sid: 's' }, { grant, session, revokedToken: undefined }, 100)).toBe(
      'session_of_other_user',
    );
  });
});
