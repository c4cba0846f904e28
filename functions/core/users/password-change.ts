/**
 * A signed-in user changes the password: the current one is checked first (counted by the lockout like
 * any sign-in), the new one replaces it only if the stored hash is still the one checked, and every
 * other session ends. The address on file is told.
 */
import { type Clock, epochSeconds } from '#core/clock';
import { InvalidRequest } from '#core/errors';
import type { AccountSessions } from './account-sessions.ts';
import type { Accounts } from './accounts.ts';
import type { Mailer } from './mail.ts';
import { checkPasswordLength, hashPassword, type ScryptParameters } from './passwords.ts';
import type { SessionRecord } from './records.ts';

export interface PasswordChangeStore {
  /** Sets the hash if it is still `expectedHash`; false when it changed meanwhile (or the user is gone). */
  replacePasswordHash(change: {
    username: string;
    expectedHash: string;
    passwordHash: string;
    nowSeconds: number;
  }): Promise<boolean>;
}

export interface PasswordChangeDependencies {
  store: PasswordChangeStore;
  accounts: Accounts;
  sessions: AccountSessions;
  mailer: Mailer;
  clock: Clock;
  scrypt: ScryptParameters;
}

export class PasswordChange {
  constructor(private readonly deps: PasswordChangeDependencies) {}

  /** Returns how many other sessions ended. */
  async change(session: SessionRecord, passwords: { current: string; next: string }): Promise<number> {
    checkPasswordLength(passwords.next);
    const user = await this.deps.accounts.checkPassword(session.username, passwords.current);
    if (user.sub !== session.sub) throw new InvalidRequest('The account no longer exists.');
    const changed = await this.deps.store.replacePasswordHash({
      username: user.username,
      expectedHash: user.passwordHash,
      passwordHash: await hashPassword(passwords.next, this.deps.scrypt),
      nowSeconds: epochSeconds(this.deps.clock),
    });
    if (!changed) throw new InvalidRequest('The password changed meanwhile. Try again.');
    const ended = await this.deps.sessions.endAll(user.sub, { except: session.sessionId });
    if (user.email !== undefined && user.emailVerified) {
      await this.deps.mailer.send({ kind: 'password_changed', to: user.email, username: user.username });
    }
    return ended;
  }
}
