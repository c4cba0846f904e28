/**
 * Single-use account tokens: the links mailed for email verification and password reset, and the token
 * that holds a sign-in between the password and the second factor. Each is 256 random bits, stored only
 * as its SHA-256 hash, bound to one purpose and one user, short-lived, and consumed by one atomic
 * conditional write that checks, itself, that it is unconsumed and unexpired (TTL only tidies up).
 */
import { type Clock, epochSeconds } from '#core/clock';
import { randomSecret, sha256 } from '#core/secrets';

export type AccountTokenPurpose =
  | 'verify_email'
  | 'reset_password'
  | 'mfa_sign_in'
  | 'passkey_challenge'
  | 'passkey_second_factor';

export interface AccountTokenRecord {
  tokenHash: string;
  purpose: AccountTokenPurpose;
  /** The user it was issued to. */
  username?: string;
  sub?: string;
  /** verify_email: the address the link was sent to; only that address is verified by it. */
  email?: string;
  /** mfa_sign_in: how the user authenticated so far (RFC 8176 `amr`). */
  amr?: string[];
  createdAt: number;
  expiresAt: number;
  consumedAt?: number;
}

export interface AccountTokenStore {
  putToken(record: AccountTokenRecord): Promise<void>;
  /** The token as stored, read consistently (expiry and consumption are the caller's to check). */
  findToken(tokenHash: string): Promise<AccountTokenRecord | undefined>;
  /**
   * Marks the token consumed if it is of `purpose`, unconsumed and unexpired at `nowSeconds`: one
   * conditional write. The record as it was when that succeeded; undefined otherwise.
   */
  consumeToken(
    tokenHash: string,
    purpose: AccountTokenPurpose,
    nowSeconds: number,
  ): Promise<AccountTokenRecord | undefined>;
}

/** Lifetimes, in seconds: long enough to open a mail, short enough that an old mailbox yields nothing. */
export const TOKEN_LIFETIMES: Record<AccountTokenPurpose, number> = {
  verify_email: 24 * 3600,
  reset_password: 30 * 60,
  mfa_sign_in: 5 * 60,
  // The WebAuthn ceremony's timeout (the options say five minutes too).
  passkey_challenge: 5 * 60,
  passkey_second_factor: 5 * 60,
};

/** Whether a stored token may still be used at `nowSeconds` (every reader checks this itself). */
export const isUsable = (record: AccountTokenRecord | undefined, purpose: AccountTokenPurpose, now: number) =>
  record !== undefined &&
  record.purpose === purpose &&
  record.consumedAt === undefined &&
  record.expiresAt > now;

/** Tokens presented from a link or a form are 43 base64url characters; anything else names none. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
export const isTokenShaped = (value: unknown): value is string =>
  typeof value === 'string' && TOKEN.test(value);

export class AccountTokens {
  constructor(private readonly deps: { store: AccountTokenStore; clock: Clock }) {}

  /** A new token for `purpose`, stored as its hash; the token itself goes to the user only. */
  async issue(
    purpose: AccountTokenPurpose,
    binding: Omit<AccountTokenRecord, 'tokenHash' | 'purpose' | 'createdAt' | 'expiresAt'>,
  ): Promise<{ token: string; record: AccountTokenRecord }> {
    const token = randomSecret();
    const now = epochSeconds(this.deps.clock);
    const record: AccountTokenRecord = {
      ...binding,
      tokenHash: sha256(token),
      purpose,
      createdAt: now,
      expiresAt: now + TOKEN_LIFETIMES[purpose],
    };
    await this.deps.store.putToken(record);
    return { token, record };
  }

  /** The usable token a presented value names, without consuming it (to show the form it opens). */
  async peek(token: unknown, purpose: AccountTokenPurpose): Promise<AccountTokenRecord | undefined> {
    if (!isTokenShaped(token)) return undefined;
    const record = await this.deps.store.findToken(sha256(token));
    return isUsable(record, purpose, epochSeconds(this.deps.clock)) ? record : undefined;
  }

  /** Consumes the token: the record once, undefined for a used, expired, unknown or malformed one. */
  async consume(token: unknown, purpose: AccountTokenPurpose): Promise<AccountTokenRecord | undefined> {
    if (!isTokenShaped(token)) return undefined;
    return this.deps.store.consumeToken(sha256(token), purpose, epochSeconds(this.deps.clock));
  }
}
