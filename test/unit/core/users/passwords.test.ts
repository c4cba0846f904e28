import { describe, expect, it } from 'vitest';
import { hashPassword, OWASP_SCRYPT, parsePasswordHash, verifyPassword } from '#core/users/passwords';

const FAST = { logN: 10, r: 8, p: 1 };

describe('passwords', () => {
  it('defaults to OWASP scrypt parameters', () => {
    expect(OWASP_SCRYPT).toEqual({ logN: 17, r: 8, p: 1 });
  });

  it('salts every hash and verifies only the right password', async () => {
    const a = await hashPassword('s3cret password', FAST);
    const b = await hashPassword('s3cret password', FAST);
    expect(a).not.toBe(b);
    expect(await verifyPassword('s3cret password', a, FAST)).toBe(true);
    expect(await verifyPassword('s3cret passworD', a, FAST)).toBe(false);
  });

  it('verifies with the parameters stored beside the hash, not the current ones', async () => {
    const stored = await hashPassword('old parameters', { logN: 11, r: 8, p: 1 });
    expect(parsePasswordHash(stored)?.parameters).toEqual({ logN: 11, r: 8, p: 1 });
    expect(await verifyPassword('old parameters', stored, FAST)).toBe(true);
  });

  it('treats canonically equivalent Unicode passwords alike (NFKC)', async () => {
    const stored = await hashPassword('caf\u00e9 au lait', FAST);
    expect(await verifyPassword('cafe\u0301 au lait', stored, FAST)).toBe(true);
  });

  it('rejects when there is no stored hash or it is malformed', async () => {
    expect(await verifyPassword('anything', undefined, FAST)).toBe(false);
    expect(await verifyPassword('anything', 'bcrypt$whatever', FAST)).toBe(false);
  });
});
