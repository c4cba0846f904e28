import { otpauthTotp } from '#adapters/mfa/totp-engine';
import type { Clock } from '#core/clock';
import type { AccountTokenPurpose, AccountTokenRecord, AccountTokenStore } from '#core/users/account-tokens';
import { AccountTokens, isUsable } from '#core/users/account-tokens';
import type { AccountStore, Admission, SecondFactorProof } from '#core/users/accounts';
import type { LoginAttemptsRecord, SessionRecord, UserRecord } from '#core/users/records';
import type { SessionStore } from '#core/users/sessions';

/**
 * An in-memory AccountStore/SessionStore with the same conditional semantics as the DynamoDB one: each
 * method is one atomic step, as each DynamoDB write is.
 */
export class MemoryAccountStore implements AccountStore, SessionStore, AccountTokenStore {
  readonly users = new Map<string, UserRecord>();
  readonly sessions = new Map<string, SessionRecord>();
  readonly attempts = new Map<string, LoginAttemptsRecord>();
  readonly tokens = new Map<string, AccountTokenRecord>();

  async createUser(user: UserRecord): Promise<boolean> {
    if (this.users.has(user.username)) return false;
    this.users.set(user.username, { ...user });
    return true;
  }

  async findUser(username: string) {
    return this.users.get(username);
  }

  async admitAttempt(
    username: string,
    { nowSeconds, windowSeconds, maxFailures }: Parameters<AccountStore['admitAttempt']>[1],
  ): Promise<Admission> {
    const current = this.attempts.get(username);
    if (current && current.expiresAt > nowSeconds) {
      if (current.failures >= maxFailures) return { admitted: false, lockedUntil: current.expiresAt };
      this.attempts.set(username, { ...current, failures: current.failures + 1 });
      return { admitted: true, counted: current.failures + 1 };
    }
    this.attempts.set(username, { username, failures: 1, expiresAt: nowSeconds + windowSeconds });
    return { admitted: true, counted: 1 };
  }

  async lockUntil(username: string, until: number): Promise<void> {
    const current = this.attempts.get(username);
    if (current) this.attempts.set(username, { ...current, expiresAt: until });
  }

  async openSession(
    session: SessionRecord,
    proof?: SecondFactorProof,
  ): Promise<'opened' | 'disabled' | 'proof_used'> {
    const user = this.users.get(session.username);
    if (!user || user.sub !== session.sub || user.disabledAt !== undefined) return 'disabled';
    const updated: UserRecord = {
      ...user,
      online: true,
      lastOperationAt: session.createdAt,
      lastSessionId: session.sessionId,
    };
    if (proof) {
      const token = this.tokens.get(proof.mfaTokenHash);
      if (!isUsable(token, 'mfa_sign_in', session.createdAt)) return 'proof_used';
      if (proof.totpStep !== undefined) {
        if (user.totpSecret === undefined || proof.totpStep <= (user.totpLastStep ?? -1)) return 'proof_used';
        updated.totpLastStep = proof.totpStep;
      }
      if (proof.recoveryCodeHash !== undefined) {
        if (!user.recoveryCodes?.has(proof.recoveryCodeHash)) return 'proof_used';
        updated.recoveryCodes = new Set([...user.recoveryCodes].filter((c) => c !== proof.recoveryCodeHash));
      }
      this.tokens.set(proof.mfaTokenHash, {
        ...(token as AccountTokenRecord),
        consumedAt: session.createdAt,
      });
    }
    this.sessions.set(session.sessionId, { ...session });
    this.users.set(user.username, updated);
    this.attempts.delete(session.username);
    return 'opened';
  }

  async putToken(record: AccountTokenRecord): Promise<void> {
    this.tokens.set(record.tokenHash, { ...record });
  }

  async findToken(tokenHash: string) {
    return this.tokens.get(tokenHash);
  }

  async consumeToken(tokenHash: string, purpose: AccountTokenPurpose, nowSeconds: number) {
    const record = this.tokens.get(tokenHash);
    if (!isUsable(record, purpose, nowSeconds)) return undefined;
    this.tokens.set(tokenHash, { ...(record as AccountTokenRecord), consumedAt: nowSeconds });
    return record;
  }

  async findSession(sessionId: string) {
    return this.sessions.get(sessionId);
  }

  async closeSession(session: SessionRecord, nowSeconds: number): Promise<boolean> {
    const current = this.sessions.get(session.sessionId);
    if (!current || current.revokedAt !== undefined || current.expiresAt <= nowSeconds) return false;
    this.sessions.set(session.sessionId, { ...current, revokedAt: nowSeconds });
    const user = this.users.get(session.username);
    if (user) this.users.set(user.username, { ...user, online: false, lastOperationAt: nowSeconds });
    return true;
  }
}

/** What Accounts needs for a second factor, over a memory store: spread into its dependencies. */
export const secondFactorDependencies = (store: MemoryAccountStore, clock: Clock) => ({
  tokens: new AccountTokens({ store, clock }),
  totp: otpauthTotp,
});
