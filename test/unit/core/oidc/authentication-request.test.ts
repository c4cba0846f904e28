import { describe, expect, it } from 'vitest';
import { InvalidRequest } from '#core/errors';
import { Parameters } from '#core/oauth/parameters';
import { openIdParameters, signInTooOld } from '#core/oidc/authentication-request';

const read = (query: Record<string, string>) => openIdParameters(Parameters.fromPairs(Object.entries(query)));

describe('nonce and max_age', () => {
  it('keeps the nonce exactly as sent, whatever it holds', () => {
    const nonce = 'n-0S6_WzA2Mj %E2%9C%93 ✓ "quoted"';
    expect(read({ nonce })).toEqual({ nonce });
    expect(read({})).toEqual({});
  });

  it('refuses an overlong nonce and a max_age that is not a number of seconds', () => {
    expect(() => read({ nonce: 'x'.repeat(513) })).toThrow(InvalidRequest);
    for (const maxAge of ['-1', '1.5', 'soon', '1e3']) {
      expect(() => read({ max_age: maxAge })).toThrow('"max_age" must be a number of seconds.');
    }
    expect(read({ max_age: '3600' })).toEqual({ maxAge: 3600 });
  });

  it('finds a sign-in too old past max_age, and always for max_age=0 (like prompt=login)', () => {
    const session = { createdAt: 1000 };
    expect(signInTooOld({}, session, 999_999)).toBe(false);
    expect(signInTooOld({ maxAge: 60 }, session, 1060)).toBe(false);
    expect(signInTooOld({ maxAge: 60 }, session, 1061)).toBe(true);
    expect(signInTooOld({ maxAge: 0 }, session, 1000)).toBe(true);
  });
});
