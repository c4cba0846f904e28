/**
 * Password hashing with scrypt from node:crypto. The parameters are stored beside every hash, so they
 * can be raised later without invalidating existing users.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { InvalidRequest } from '#core/errors';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

export interface ScryptParameters {
  logN: number;
  r: number;
  p: number;
}

/** OWASP Password Storage Cheat Sheet: N = 2^17, r = 8, p = 1 (128 MiB, roughly 0.1–0.4 s per hash). */
export const OWASP_SCRYPT: ScryptParameters = { logN: 17, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, { logN, r, p }: ScryptParameters): Promise<Buffer> {
  const N = 2 ** logN;
  // scrypt needs 128·N·r bytes; node's default maxmem (32 MiB) is too small for OWASP's N.
  const maxmem = 128 * N * r * p + 32 * 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { N, r, p, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string, parameters: ScryptParameters): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const hash = await derive(password, salt, parameters);
  const { logN, r, p } = parameters;
  return `scrypt$${logN}$${r}$${p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export function parsePasswordHash(
  stored: string,
): { parameters: ScryptParameters; salt: Buffer; hash: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![logN, r, p].every(Number.isInteger)) return undefined;
  return {
    parameters: { logN, r, p },
    salt: Buffer.from(parts[4] ?? '', 'base64url'),
    hash: Buffer.from(parts[5] ?? '', 'base64url'),
  };
}

/**
 * Verifies in constant time. With no stored hash (unknown user) it still derives a key with the given
 * parameters, so that "no such user" and "wrong password" take the same time.
 */
export async function verifyPassword(
  password: string,
  stored: string | undefined,
  fallback: ScryptParameters,
): Promise<boolean> {
  const parsed = stored ? parsePasswordHash(stored) : undefined;
  const parameters = parsed?.parameters ?? fallback;
  const salt = parsed?.salt ?? Buffer.alloc(SALT_LENGTH);
  const expected = parsed?.hash ?? Buffer.alloc(KEY_LENGTH);
  const actual = await derive(password, salt, parameters);
  return parsed !== undefined && expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Length in Unicode code points, so that a password of emoji is measured as a person counts it. */
export const passwordLength = (password: string): number => [...password].length;

/** Refuses a password outside the length rule, before any hashing. */
export function checkPasswordLength(password: string): void {
  const length = passwordLength(password);
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw new InvalidRequest(
      `Passwords are ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long.`,
    );
  }
}
