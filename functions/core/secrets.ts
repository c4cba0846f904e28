/**
 * Random credentials and their storage form. Codes, client secrets and refresh tokens carry 256 bits
 * of randomness, so a fast SHA-256 is the right hash for them (slow hashing is for low-entropy
 * passwords); only the hash is ever stored, and comparisons take constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, base64url: 43 characters. */
export const randomSecret = (): string => randomBytes(32).toString('base64url');

export const sha256 = (value: string): string =>
  createHash('sha256').update(value, 'utf8').digest('base64url');

/** Whether `presented` hashes to `storedHash`, in time independent of where they differ. */
export function matchesHash(presented: string, storedHash: string | undefined): boolean {
  const actual = Buffer.from(sha256(presented));
  // Compare against a same-length dummy when nothing is stored, so that absence is not faster.
  const expected = Buffer.from(storedHash ?? sha256(''));
  return actual.length === expected.length && timingSafeEqual(actual, expected) && storedHash !== undefined;
}

/** Equality of two public-length strings in constant time (for values that are not stored hashed). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
