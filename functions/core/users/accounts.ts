/**
 * Registration and login, step by step: validate before any hashing, count every password check
 * before making it (so that no burst checks more than the lockout allows), and make "no such user"
 * indistinguishable from "wrong password".
 */
import { randomUUID } from 'node:crypto';
import { type Clock, epochSeconds } from '#core/clock';
import { InvalidRequest, OAuthError, TooManyAttempts, UsernameTaken } from '#core/errors';
import type { SecurityEvents } from '#core/observability';
import {
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  passwordLength,
  type ScryptParameters,
  verifyPassword,
} from './passwords.ts';
import { initialProfile } from './profile.ts';
import type { SessionRecord, UserRecord } from './records.ts';
import type { Sessions } from './sessions.ts';
import { isValidUsername, normaliseUsername, USERNAME_RULE } from './usernames.ts';

/** Wrong username or password (deliberately one error for both). */
export class InvalidCredentials extends OAuthError {
  readonly status = 401;
  readonly code = 'invalid_credentials';
}

/**
 * The password was right, but an operator disabled the account. Said only after a correct password,
 * so it tells nothing to whoever does not know it; the check stays counted as a failure.
 */
export class AccountDisabled extends OAuthError {
  readonly status = 403;
  readonly code = 'account_disabled';
}

/** Whether a password may be checked now: a check counted in the window, or the lock that refuses it. */
export type Admission =
  | { admitted: true /** Checks counted in the window, this one included. */; counted: number }
  | { admitted: false; lockedUntil: number };

export interface AccountStore {
  /** Creates the user unless the username is taken; false when it was. */
  createUser(user: UserRecord): Promise<boolean>;
  /** The user, read consistently. */
  findUser(username: string): Promise<UserRecord | undefined>;
  /**
   * Counts one password check for `username` in its window (opening a window when none is open),
   * unless `maxFailures` are already counted there. One atomic conditional write, made before the
   * password is checked: however many requests arrive at once, at most `maxFailures` are checked.
   */
  admitAttempt(
    username: string,
    window: { nowSeconds: number; windowSeconds: number; maxFailures: number },
  ): Promise<Admission>;
  /** Extends the counter's life so the account stays locked until `until`. */
  lockUntil(username: string, until: number): Promise<void>;
  /**
   * Stores the session, marks the user online (naming it their last session), and clears the check
   * counter, all or nothing, provided the user is not disabled: `disabled` when they are, so that a
   * sign-in racing an operator's disable never opens a session after it.
   */
  openSession(session: SessionRecord): Promise<'opened' | 'disabled'>;
}

export interface AccountDependencies {
  store: AccountStore;
  sessions: Sessions;
  clock: Clock;
  scrypt: ScryptParameters;
  sessionTtlSeconds: number;
  lockout: { maxFailures: number; windowSeconds: number };
  /** Hears of every sign-in, failed sign-in and lockout (metrics and audit lines). */
  events?: SecurityEvents;
}

export class Accounts {
  constructor(private readonly deps: AccountDependencies) {}

  /** `profile` holds the optional `email` and `name` (profile.ts), validated before any hashing. */
  async register(
    rawUsername: string,
    password: string,
    profile: Record<string, unknown> = {},
  ): Promise<{ username: string; sub: string }> {
    const username = normaliseUsername(rawUsername);
    if (!isValidUsername(username)) throw new InvalidRequest(USERNAME_RULE);
    checkPasswordLength(password);
    const fields = initialProfile(profile);
    const now = epochSeconds(this.deps.clock);
    const user: UserRecord = {
      username,
      sub: randomUUID(),
      passwordHash: await hashPassword(password, this.deps.scrypt),
      createdAt: now,
      online: false,
      lastOperationAt: now,
      ...fields,
      updatedAt: now,
      clientCount: 0,
    };
    if (!(await this.deps.store.createUser(user))) throw new UsernameTaken('That username is already taken.');
    return { username, sub: user.sub };
  }

  /** Returns a session token, or throws InvalidCredentials / TooManyAttempts. */
  async login(rawUsername: string, password: string): Promise<{ token: string; session: SessionRecord }> {
    const username = normaliseUsername(rawUsername);
    const plausible = isValidUsername(username) && passwordLength(password) <= MAX_PASSWORD_LENGTH;
    const { maxFailures, windowSeconds } = this.deps.lockout;
    const now = epochSeconds(this.deps.clock);

    // The check is counted before the password is: a burst cannot check more than the limit. Both
    // requests are made for every plausible name, known or not, so timing tells no name apart.
    const [admission, user] = plausible
      ? await Promise.all([
          this.deps.store.admitAttempt(username, { nowSeconds: now, windowSeconds, maxFailures }),
          this.deps.store.findUser(username),
        ])
      : [undefined, undefined];
    const tried = plausible ? username : undefined;
    if (admission?.admitted === false) {
      this.deps.events?.record({ kind: 'sign_in_failed', username: tried, reason: 'locked' });
      throw new TooManyAttempts('Too many failed logins. Try again later.', admission.lockedUntil - now);
    }

    // Always derive a key, even for unknown or implausible usernames, so that timing reveals nothing.
    const verified = await verifyPassword(plausible ? password : '', user?.passwordHash, this.deps.scrypt);
    if (!verified || !user) {
      this.deps.events?.record({ kind: 'sign_in_failed', username: tried, reason: 'invalid_credentials' });
      // The check that fills the window locks the name for a whole window from now.
      if (admission?.admitted && admission.counted >= maxFailures) {
        await this.deps.store.lockUntil(username, now + windowSeconds);
        this.deps.events?.record({ kind: 'lockout', username, until: now + windowSeconds });
      }
      throw new InvalidCredentials('The username or password is incorrect.');
    }
    return this.openSession(user, now);
  }

  private async openSession(user: UserRecord, now: number) {
    const session: SessionRecord = {
      sessionId: randomUUID(),
      sub: user.sub,
      username: user.username,
      createdAt: now,
      expiresAt: now + this.deps.sessionTtlSeconds,
    };
    // Checked again by the write itself, which an operator's disable may have overtaken.
    if (user.disabledAt !== undefined || (await this.deps.store.openSession(session)) === 'disabled') {
      this.deps.events?.record({ kind: 'sign_in_failed', username: user.username, reason: 'disabled' });
      throw new AccountDisabled('This account is disabled.', { logged: { sub: user.sub } });
    }
    this.deps.events?.record({ kind: 'sign_in_succeeded', sub: user.sub, sessionId: session.sessionId });
    return { token: await this.deps.sessions.issueToken(session), session };
  }
}

function checkPasswordLength(password: string): void {
  const length = passwordLength(password);
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw new InvalidRequest(
      `Passwords are ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long.`,
    );
  }
}
