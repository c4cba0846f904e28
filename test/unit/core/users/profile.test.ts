import { describe, expect, it } from 'vitest';
import { InvalidRequest } from '#core/errors';
import { validateProfile } from '#core/users/profile';

describe('profile validation', () => {
  it('normalises what it keeps: trimmed, the email domain in lower case, the name in NFC', () => {
    expect(validateProfile({ email: '  Ada.L@Example.COM ', name: ' Cafe\u0301 ' })).toEqual({
      email: 'Ada.L@example.com',
      name: 'Café',
    });
  });

  it('removes a field given as null or blank, and leaves out one not given', () => {
    expect(validateProfile({ email: null, name: '  ' })).toEqual({ email: null, name: null });
    expect(validateProfile({})).toEqual({});
  });

  it.each([
    [{ email: 'ada' }],
    [{ email: 'ada@localhost' }],
    [{ email: 'a@b@example.com' }],
    [{ email: 'Ada <ada@example.com>' }],
    [{ email: 'ada@example.com, eve@example.com' }],
    [{ email: `${'a'.repeat(65)}@example.com` }],
    [{ email: 5 }],
    [{ name: 'x'.repeat(101) }],
    [{ name: 'Ada\nLovelace' }],
    [{ name: 'Ada\u202eecalevoL' }],
    [{ name: ['Ada'] }],
  ])('refuses %j', (changes) => {
    expect(() => validateProfile(changes)).toThrow(InvalidRequest);
  });
});
