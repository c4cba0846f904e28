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
  /** Optional, validated in profile.ts; unverified until addresses are verified. */
  email?: string;
  /** Optional display name (OpenID Connect `name`). */
  name?: string;
  /** When the profile last changed (OpenID Connect `updated_at`); users made before it have `createdAt`. */
  updatedAt?: number;
  /**
   * The OAuth clients the user has registered, counted in the same transaction as each registration
   * and deletion, so that the per-owner cap is exact. Absent for users registered before it was counted.
   */
  clientCount?: number;
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
}

export interface LoginAttemptsRecord {
  username: string;
  failures: number;
  /** End of the counting window, or of the lock once `failures` reached the limit. */
  expiresAt: number;
}
