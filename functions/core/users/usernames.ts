/**
 * Usernames are normalised (trimmed, NFKC, lower-cased) before anything else, so that "Alice" and
 * "alice" are one account, and then validated against a small alphabet that is safe in URLs and logs.
 */

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/;
export const USERNAME_RULE =
  'Usernames are 3 to 64 characters: lower-case letters a-z, digits, ".", "_" and "-", starting with a letter or digit (upper case is folded to lower case).';

export function normaliseUsername(raw: string): string {
  return raw.trim().normalize('NFKC').toLowerCase();
}

export const isValidUsername = (username: string): boolean => USERNAME_PATTERN.test(username);
