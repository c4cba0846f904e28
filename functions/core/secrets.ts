/**
 * Random credentials and their storage form. Codes, client secrets and refresh tokens carry 256 bits
 * of randomness, so a fast SHA-256 is the right hash for them (slow hashing is for low-entropy
 * passwords); only the hash is ever stored, and comparisons take constant time.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

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

/** The AES-256-GCM key of a sealed secret: HKDF-SHA256 of the secret that opens it (never of its hash). */
const sealingKey = (holder: string): Buffer =>
  Buffer.from(hkdfSync('sha256', holder, Buffer.alloc(0), 'tinyoauth sealed secret', 32));

/**
 * `secret`, encrypted so that only whoever holds `holder` can read it: stored beside a hash of `holder`,
 * it tells the store nothing, since the hash does not yield the key (`iv.ciphertext.tag`, base64url).
 */
export function sealFor(holder: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(holder), iv);
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [iv, body, cipher.getAuthTag()].map((part) => part.toString('base64url')).join('.');
}

/** The secret sealed for `holder`, or undefined when `holder` does not open it or it was tampered with. */
export function unsealWith(holder: string, sealed: string): string | undefined {
  const [iv, body, tag] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !body || !tag || iv.length !== 12 || tag.length !== 16) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(holder), iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
