/**
 * What the users feature stores, one interface per table (contract/tables.ts): users, login sessions and
 * failed-login counters. Times are epoch seconds; an item past `expiresAt` is absent (core/expiry.ts).
 */

export interface UserRecord {
  /** Normalised username; the partition key. */
  username: string;
  /** Stable, opaque user id used as `sub` in every token. */
  sub: string;
  /** `scrypt$<logN>$<r>$<p>$<salt b64url>$<hash b64url>`. */
  passwordHash: string;
  createdAt: number;
  online: boolean;
  lastOperationAt: number;
  /** Optional, validated in profile.ts. */
  email?: string;
  /** True once a link mailed to `email` was followed; removed whenever `email` changes. */
  emailVerified?: boolean;
  /** Optional display name (OpenID Connect `name`). */
  name?: string;
  /** When the profile last changed (OpenID Connect `updated_at`); users made before it have `createdAt`. */
  updatedAt?: number;
  /**
   * The OAuth clients the user has registered, counted in the same transaction as each registration
   * and deletion, so that the per-owner cap is exact. Absent for users registered before it was counted.
   */
  clientCount?: number;
  /** The confirmed TOTP secret (base32, RFC 6238): with it, a password alone opens no session. */
  totpSecret?: string;
  /** The last TOTP time step accepted, so that no code is accepted twice (set atomically with each use). */
  totpLastStep?: number;
  /** A secret shown for enrolment, until a first code confirms it. */
  totpPendingSecret?: string;
  /** SHA-256 hashes of the unused recovery codes; each is removed by the write that accepts it. */
  recoveryCodes?: Set<string>;
  /**
   * Set by an operator (admin tool): the user cannot sign in, and every session they had was ended
   * when it was set. Removing it lets them sign in again.
   */
  disabledAt?: number;
  /**
   * The last session opened, written in the same transaction as the session: disabling reads it back
   * in its own write, so the newest session is ended even before the sessions index shows it.
   */
  lastSessionId?: string;
}

export interface SessionRecord {
  sessionId: string;
  sub: string;
  username: string;
  createdAt: number;
  expiresAt: number;
  revokedAt?: number;
  /** How the user signed in (RFC 8176): `pwd`, then `otp` and `mfa` with a second factor, `hwk`/`swk` for a passkey. */
  amr?: string[];
}

export interface LoginAttemptsRecord {
  username: string;
  failures: number;
  /** End of the counting window, or of the lock once `failures` reached the limit. */
  expiresAt: number;
}
