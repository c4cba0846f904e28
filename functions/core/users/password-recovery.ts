/**
 * "Forgot your password?": a username or an email address in, the same answer out whether or not any
 * account matches (and in about the same time: the caller pads every answer to one floor), and a reset
 * link mailed to each matching account's verified address. Setting a new password through the link
 * consumes it, replaces the hash and clears the lockout in one transaction, then ends every session of
 * the user, and with them every grant and token made from them.
 */
import { type Clock, epochSeconds } from '#core/clock';
import { sha256 } from '#core/secrets';
import type { AccountSessions } from './account-sessions.ts';
import { type AccountTokens, isTokenShaped } from './account-tokens.ts';
import { InvalidLink } from './email-verification.ts';
import type { Mailer } from './mail.ts';
import { checkPasswordLength, hashPassword, type ScryptParameters } from './passwords.ts';
import { normaliseEmail } from './profile.ts';
import type { RateLimiter } from './rate-limits.ts';
import type { UserRecord } from './records.ts';
import { isValidUsername, normaliseUsername } from './usernames.ts';

/** Accounts mailed for one address at most: an address any number of accounts may give. */
const MAX_ACCOUNTS_PER_ADDRESS = 5;

export interface RecoveryStore {
  findUser(username: string): Promise<UserRecord | undefined>;
  /** Usernames of the accounts that give this address (eventually consistent; re-read before use). */
  findUsernamesByEmail(email: string): Promise<string[]>;
  /**
   * One transaction: consumes the reset token (of this purpose and user, unconsumed, unexpired), sets
   * the password hash of the user with this `sub`, and deletes the lockout counter. False when the
   * token or the user failed its condition.
   */
  resetPassword(reset: {
    tokenHash: string;
    username: string;
    sub: string;
    passwordHash: string;
    nowSeconds: number;
  }): Promise<boolean>;
}

export interface PasswordRecoveryDependencies {
  store: RecoveryStore;
  tokens: AccountTokens;
  mailer: Mailer;
  limits: RateLimiter;
  sessions: AccountSessions;
  clock: Clock;
  scrypt: ScryptParameters;
}

export class PasswordRecovery {
  constructor(private readonly deps: PasswordRecoveryDependencies) {}

  /**
   * Mails reset links for whatever `identifier` names; answers nothing either way. Only the source
   * address's limit can refuse (429, the same for every identifier); an account's own limit silently
   * stops further mails to it.
   */
  async request(identifier: string, address: string | undefined): Promise<void> {
    await this.deps.limits.admitAddress('passwordReset', address);
    for (const user of await this.accountsNamedBy(identifier)) {
      if (user.email === undefined || !user.emailVerified) continue;
      if (!(await this.deps.limits.accountAllows('passwordReset', user.username))) continue;
      const { token, record } = await this.deps.tokens.issue('reset_password', {
        username: user.username,
        sub: user.sub,
      });
      await this.deps.mailer.send({
        kind: 'reset_password',
        to: user.email,
        username: user.username,
        token,
        expiresInMinutes: Math.round((record.expiresAt - record.createdAt) / 60),
      });
    }
  }

  private async accountsNamedBy(identifier: string): Promise<UserRecord[]> {
    const trimmed = identifier.trim();
    if (trimmed.length === 0 || trimmed.length > 254) return [];
    if (trimmed.includes('@')) {
      const email = normaliseEmail(trimmed);
      const usernames = (await this.deps.store.findUsernamesByEmail(email)).slice(
        0,
        MAX_ACCOUNTS_PER_ADDRESS,
      );
      const users = await Promise.all(usernames.map((username) => this.deps.store.findUser(username)));
      // The index lags: only an account whose address is this one now is mailed.
      return users.filter((user): user is UserRecord => user?.email === email);
    }
    const username = normaliseUsername(trimmed);
    if (!isValidUsername(username)) return [];
    const user = await this.deps.store.findUser(username);
    return user ? [user] : [];
  }

  /** The username a reset link is for, to show on its form; undefined for a link that no longer works. */
  async linkFor(token: unknown): Promise<string | undefined> {
    return (await this.deps.tokens.peek(token, 'reset_password'))?.username;
  }

  /** Sets the new password through the link, then ends every session of the user. */
  async reset(token: unknown, password: string): Promise<{ username: string; sub: string }> {
    checkPasswordLength(password);
    const record = await this.deps.tokens.peek(token, 'reset_password');
    if (!record?.username || !record.sub || !isTokenShaped(token)) {
      throw new InvalidLink('This link has expired or was already used.');
    }
    const passwordHash = await hashPassword(password, this.deps.scrypt);
    const done = await this.deps.store.resetPassword({
      tokenHash: sha256(token),
      username: record.username,
      sub: record.sub,
      passwordHash,
      nowSeconds: epochSeconds(this.deps.clock),
    });
    if (!done) throw new InvalidLink('This link has expired or was already used.');
    await this.deps.sessions.endAll(record.sub);
    return { username: record.username, sub: record.sub };
  }
}
