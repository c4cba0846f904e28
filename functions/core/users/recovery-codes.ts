/**
 * Recovery codes: ten single-use codes shown once at TOTP enrolment, for when the authenticator is
 * lost. Each carries 80 random bits (16 base32 characters, shown in groups of four), so a fast hash is
 * the right storage form; only the SHA-256 hashes are stored, and the write that accepts a code removes
 * its hash under the condition that it is still there.
 */
import { randomBytes } from 'node:crypto';
import { sha256 } from '#core/secrets';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** `abcd-efgh-ijkl-mnop`: 16 characters of 5 bits each. */
export function newRecoveryCode(): string {
  return (base32(randomBytes(10)).match(/.{4}/g) ?? []).join('-');
}

/** What the user typed, as it was generated: case, spaces and hyphens do not matter. */
export const normaliseRecoveryCode = (typed: string): string => typed.toLowerCase().replace(/[\s-]+/g, '');

export const isRecoveryCodeShaped = (typed: string): boolean =>
  /^[a-z2-7]{16}$/.test(normaliseRecoveryCode(typed));

export const recoveryCodeHash = (typed: string): string => sha256(normaliseRecoveryCode(typed));

/** A fresh set: the codes to show once, and the hashes to store. */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  return { codes, hashes: codes.map(recoveryCodeHash) };
}
