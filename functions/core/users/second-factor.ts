/**
 * Which second factors a user has, and whether a presented one is right. Right is not yet accepted:
 * the step or recovery code is consumed by the write that opens the session (accounts.ts), under the
 * condition that no other request consumed it first.
 */
import type { UserRecord } from './records.ts';
import { isRecoveryCodeShaped, recoveryCodeHash } from './recovery-codes.ts';
import { isTotpCodeShaped, normaliseTotpCode, type TotpEngine } from './totp.ts';

/** The methods that complete an `mfa_required` sign-in for this user; none means the password is enough. */
export function secondFactorMethods(user: UserRecord): string[] {
  if (user.totpSecret === undefined) return [];
  return ['totp', 'recovery_code'];
}

/** The proof to consume, or undefined when the code is wrong, replayed, or of no factor the user has. */
export function verifySecondFactor(
  user: UserRecord,
  presented: { code?: string; recoveryCode?: string },
  context: { totp: TotpEngine; nowMs: number },
): { totpStep: number } | { recoveryCodeHash: string } | undefined {
  if (presented.code !== undefined) {
    if (user.totpSecret === undefined || !isTotpCodeShaped(presented.code)) return undefined;
    const step = context.totp.matchStep(user.totpSecret, normaliseTotpCode(presented.code), context.nowMs);
    // A step at or before the last accepted one is a replay (or an older code seen over a shoulder).
    if (step === undefined || step <= (user.totpLastStep ?? Number.NEGATIVE_INFINITY)) return undefined;
    return { totpStep: step };
  }
  if (presented.recoveryCode !== undefined) {
    if (!isRecoveryCodeShaped(presented.recoveryCode)) return undefined;
    const hash = recoveryCodeHash(presented.recoveryCode);
    return user.recoveryCodes?.has(hash) ? { recoveryCodeHash: hash } : undefined;
  }
  return undefined;
}
