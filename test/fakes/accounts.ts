import type { AccountStore, Admission } from '#core/users/accounts';
import type { LoginAttemptsRecord, SessionRecord, UserRecord } from '#core/users/records';
import type { SessionStore } from '#core/users/sessions';

/**
 * An in-memory AccountStore/SessionStore with the same conditional semantics as the DynamoDB one: each
 * method is one atomic step, as each DynamoDB write is.
 */
export class MemoryAccountStore implements AccountStore, SessionStore {
  readonly users = new Map<string, UserRecord>();
  readonly sessions = new Map<string, SessionRecord>();
  readonly attempts = new Map<string, LoginAttemptsRecord>();

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

  async openSession(session: SessionRecord): Promise<'opened' | 'disabled'> {
    const user = this.users.get(session.username);
    if (!user || user.disabledAt !== undefined) return 'disabled';
    this.sessions.set(session.sessionId, { ...session });
    this.users.set(user.username, {
      ...user,
      online: true,
      lastOperationAt: session.createdAt,
      lastSessionId: session.sessionId,
    });
    this.attempts.delete(session.username);
    return 'opened';
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
