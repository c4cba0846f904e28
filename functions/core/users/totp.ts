/**
 * Time-based one-time passwords (RFC 6238) as the domain needs them. The algorithm itself is a
 * well-kept library's (adapters/mfa/totp-engine.ts); the core decides what a code may open: a code is
 * accepted for one time step at most once (the step is stored atomically with the sign-in it opens).
 */

export interface TotpEngine {
  /** A new shared secret, base32 (RFC 4648), of 160 random bits as RFC 4226 recommends. */
  generateSecret(): string;
  /**
   * The time step `code` belongs to at `nowMs` (the current step or one either side, for clock drift
   * and typing time), or undefined when it matches none. Compared in constant time by the library.
   */
  matchStep(secret: string, code: string, nowMs: number): number | undefined;
  /** The `otpauth://totp/…` URI an authenticator app reads from the QR code. */
  keyUri(options: { secret: string; issuer: string; account: string }): string;
}

/** Six digits, spaces allowed (apps show `123 456`). */
export const normaliseTotpCode = (code: string): string => code.replace(/\s+/g, '');
export const isTotpCodeShaped = (code: string): boolean => /^\d{6}$/.test(normaliseTotpCode(code));
