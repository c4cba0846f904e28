import type { AccountStore } from '#core/users/accounts';
import type { LoginAttemptsRecord, SessionRecord, UserRecord } from '#core/users/records';
import type { SessionStore } from '#core/users/sessions';

/** An in-memory AccountStore/SessionStore with the same conditional semantics as the DynamoDB one. */
export class MemoryAccountStore implements AccountStore, SessionStore {
  readonly users = new Map<string, UserRecord>();
  readonly sessions = new Map<string, SessionRecord>();
  readonly attempts = new Map<string, LoginAttemptsRecord>();

  async createUser(user: UserRecord): Promise<boolean> {
    if (this.users.has(user.username)) return false;
    this.users.set(user.username, { ...user });
    return true;
  }

  async loginState(username: string) {
    return { user: this.users.get(username), attempts: this.attempts.get(username) };
  }

  async recordFailure(
    username: string,
    nowSeconds: number,
    windowSeconds: number,
  ): Promise<LoginAttemptsRecord> {
    const current = this.attempts.get(username);
    const next =
      current && current.expiresAt > nowSeconds
        ? { ...current, failures: current.failures + 1 }
        : { username, failures: 1, expiresAt: nowSeconds + windowSeconds };
    this.attempts.set(username, next);
    return next;
  }

  async lockUntil(username: string, until: number): Promise<void> {
    const current = this.attempts.get(username);
    if (current) this.attempts.set(username, { ...current, expiresAt: until });
  }

  async openSession(session: SessionRecord, options: { clearAttempts: boolean }): Promise<void> {
    const user = this.users.get(session.username);
    if (!user) throw new Error('no such user');
    this.sessions.set(session.sessionId, { ...session });
    this.users.set(user.username, { ...user, online: true, lastOperationAt: session.createdAt });
    if (options.clearAttempts) this.attempts.delete(session.username);
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
