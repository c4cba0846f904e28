/**
 * Registration and sign-in, step by step: validate before any hashing, count every check of a secret
 * (password or second factor) before making it, so that no burst checks more than the lockout allows,
 * and make "no such user" indistinguishable from "wrong password". With a second factor, the password
 * alone opens no session: it yields a short-lived, single-use MFA token that the code completes.
 */
import { randomUUID } from 'node:crypto';
import { type Clock, epochSeconds } from '#core/clock';
import { InvalidRequest, OAuthError, TooManyAttempts, UsernameTaken } from '#core/errors';
import type { SecurityEvents } from '#core/observability';
import type { AccountTokens } from './account-tokens.ts';
import {
  checkPasswordLength,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  passwordLength,
  type ScryptParameters,
  verifyPassword,
} from './passwords.ts';
import { initialProfile } from './profile.ts';
import type { SessionRecord, UserRecord } from './records.ts';
import { secondFactorMethods, verifySecondFactor } from './second-factor.ts';
import type { Sessions } from './sessions.ts';
import type { TotpEngine } from './totp.ts';
import { isValidUsername, normaliseUsername, USERNAME_RULE } from './usernames.ts';

/** Wrong username or password, or a wrong second-factor code (deliberately one error for each). */
export class InvalidCredentials extends OAuthError {
  readonly status = 401;
  readonly code = 'invalid_credentials';
}

/** The MFA token is unknown, used or expired: the sign-in starts again with the password. */
export class SignInExpired extends OAuthError {
  readonly status = 401;
  readonly code = 'invalid_mfa_token';
}

/**
 * The password was right and the account has a second factor: no session yet. Like Auth0's
 * `mfa_required`, a 403 whose body carries the opaque, single-use MFA token that the code completes.
 */
export class MfaRequired extends OAuthError {
  readonly status = 403;
  readonly code = 'mfa_required';
  constructor(
    readonly mfaToken: string,
    readonly methods: string[],
    readonly username: string,
  ) {
    super('Enter the code from your authenticator app, or a recovery code.');
  }

  override body(): Record<string, unknown> {
    return { mfa_token: this.mfaToken, methods: this.methods };
  }
}

/**
 * The password was right, but an operator disabled the account. Said only after a correct password,
 * so it tells nothing to whoever does not know it; the check stays counted as a failure.
 */
export class AccountDisabled extends OAuthError {
  readonly status = 403;
  readonly code = 'account_disabled';
}

/** Whether a secret may be checked now: a check counted in the window, or the lock that refuses it. */
export type Admission =
  | { admitted: true /** Checks counted in the window, this one included. */; counted: number }
  | { admitted: false; lockedUntil: number };

/** What a second factor consumes in the transaction that opens its session (each once, atomically). */
export interface SecondFactorProof {
  mfaTokenHash: string;
  /** The TOTP step accepted: stored as the user's last, on the condition that it is later than the last. */
  totpStep?: number;
  /** The recovery code accepted: removed, on the condition that it is still there. */
  recoveryCodeHash?: string;
}

export interface AccountStore {
  /** Creates the user unless the username is taken; false when it was. */
  createUser(user: UserRecord): Promise<boolean>;
  /** The user, read consistently. */
  findUser(username: string): Promise<UserRecord | undefined>;
  /**
   * Counts one check for `username` in its window (opening a window when none is open), unless
   * `maxFailures` are already counted there. One atomic conditional write, made before the secret is
   * checked: however many requests arrive at once, at most `maxFailures` are checked.
   */
  admitAttempt(
    username: string,
    window: { nowSeconds: number; windowSeconds: number; maxFailures: number },
  ): Promise<Admission>;
  /** Extends the counter's life so the account stays locked until `until`. */
  lockUntil(username: string, until: number): Promise<void>;
  /**
   * Stores the session, marks the user online (naming it their last session) and clears the check
   * counter, all or nothing, provided the user is not disabled; with a proof, also consumes the MFA
   * token and the factor. `disabled` when an operator's disable (or a deletion) came first, however
   * the sign-in raced it; `proof_used` when a code or token was consumed meanwhile.
   */
  openSession(
    session: SessionRecord,
    proof?: SecondFactorProof,
  ): Promise<'opened' | 'disabled' | 'proof_used'>;
}

export interface AccountDependencies {
  store: AccountStore;
  sessions: Sessions;
  tokens: AccountTokens;
  totp: TotpEngine;
  clock: Clock;
  scrypt: ScryptParameters;
  sessionTtlSeconds: number;
  lockout: { maxFailures: number; windowSeconds: number };
  /** Hears of every sign-in, failed sign-in and lockout (metrics and audit lines). */
  events?: SecurityEvents;
}

export interface SignedIn {
  token: string;
  session: SessionRecord;
}

export class Accounts {
  constructor(private readonly deps: AccountDependencies) {}

  /** `profile` holds the optional `email` and `name` (profile.ts), validated before any hashing. */
  async register(rawUsername: string, password: string, profile: Record<string, unknown> = {}) {
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
    return { username, sub: user.sub, user };
  }

  /** A session; throws MfaRequired (the second step), InvalidCredentials or TooManyAttempts. */
  async login(rawUsername: string, password: string): Promise<SignedIn> {
    const user = await this.checkPassword(rawUsername, password);
    // Before any second step: a disabled account gets no MFA token to spend guesses with.
    if (user.disabledAt !== undefined) this.refuseDisabled(user);
    const methods = secondFactorMethods(user);
    if (methods.length === 0) return this.open(user, ['pwd']);
    // The lockout counter is not cleared: only the session the second factor opens clears it, so that
    // knowing the password never buys more guesses at the code.
    const { token } = await this.deps.tokens.issue('mfa_sign_in', {
      username: user.username,
      sub: user.sub,
      amr: ['pwd'],
    });
    throw new MfaRequired(token, methods, user.username);
  }

  /**
   * The password check of every sign-in and re-check (changing the password, deleting the account):
   * counted before it is made, timed alike for known and unknown names. The user, or a throw.
   */
  async checkPassword(rawUsername: string, password: string): Promise<UserRecord> {
    const username = normaliseUsername(rawUsername);
    const plausible = isValidUsername(username) && passwordLength(password) <= MAX_PASSWORD_LENGTH;
    return this.guarded(username, plausible, 'The username or password is incorrect.', (user) =>
      // Always derive a key, even for unknown or implausible usernames, so that timing reveals nothing.
      verifyPassword(plausible ? password : '', user?.passwordHash, this.deps.scrypt),
    );
  }

  /** Completes an `mfa_required` sign-in with a TOTP code or a recovery code. */
  async completeSignIn(step: { mfaToken: unknown; code?: string; recoveryCode?: string }): Promise<SignedIn> {
    let accepted: Omit<SecondFactorProof, 'mfaTokenHash'> | undefined;
    return this.completeSignInWith(step.mfaToken, {
      failure: 'The code is incorrect.',
      amr: ['otp'],
      check: async (user) => {
        accepted = verifySecondFactor(user, step, { totp: this.deps.totp, nowMs: this.deps.clock() });
        return accepted !== undefined;
      },
      proof: () => accepted ?? {},
    });
  }

  /**
   * Completes an `mfa_required` sign-in with a second factor that `check` verifies for the token's user
   * (a code, or a passkey): counted by the lockout first, and opening the session in the write that
   * consumes the MFA token and whatever `proof` names.
   */
  async completeSignInWith(
    mfaToken: unknown,
    factor: {
      failure: string;
      amr: string[];
      check: (user: UserRecord) => Promise<boolean>;
      proof?: () => Omit<SecondFactorProof, 'mfaTokenHash'>;
    },
  ): Promise<SignedIn> {
    const record = await this.deps.tokens.peek(mfaToken, 'mfa_sign_in');
    if (!record?.username) throw new SignInExpired('The sign-in has expired. Sign in again.');
    const user = await this.guarded(record.username, true, factor.failure, async (found) =>
      // The token names the user by username and sub: a name deleted and taken again is not them.
      found === undefined || found.sub !== record.sub ? false : factor.check(found),
    );
    const proof = { mfaTokenHash: record.tokenHash, ...factor.proof?.() };
    const result = await this.open(user, [...(record.amr ?? ['pwd']), ...factor.amr, 'mfa'], proof);
    if (result === undefined) throw new InvalidCredentials('The code was already used.');
    return result;
  }

  /** A sign-in by another secret (a passkey): counted by `username`'s lockout like a password. */
  async signInWith(
    username: string,
    failure: string,
    amr: string[],
    check: (user: UserRecord | undefined) => Promise<boolean>,
  ): Promise<SignedIn> {
    return this.open(await this.guarded(username, true, failure, check), amr);
  }

  /**
   * Any check of a secret (`check`: the password, a code, a passkey), admitted by `username`'s lockout
   * before it runs; the user, or InvalidCredentials with `failure` (TooManyAttempts when locked).
   */
  async guarded(
    username: string,
    plausible: boolean,
    failure: string,
    check: (user: UserRecord | undefined) => Promise<boolean>,
  ): Promise<UserRecord> {
    const { maxFailures, windowSeconds } = this.deps.lockout;
    const now = epochSeconds(this.deps.clock);
    // Counted before it is checked, and both requests made for every plausible name, known or not.
    const [admission, user] = plausible
      ? await Promise.all([
          this.deps.store.admitAttempt(username, { nowSeconds: now, windowSeconds, maxFailures }),
          this.deps.store.findUser(username),
        ])
      : [undefined, undefined];
    const tried = plausible ? username : undefined;
    if (admission?.admitted === false) {
      this.deps.events?.record({ kind: 'sign_in_failed', username: tried, reason: 'locked' });
      throw new TooManyAttempts('Too many failed attempts. Try again later.', admission.lockedUntil - now);
    }
    const passed = await check(user);
    if (!passed || !user) {
      this.deps.events?.record({ kind: 'sign_in_failed', username: tried, reason: 'invalid_credentials' });
      // The check that fills the window locks the name for a whole window from now.
      if (admission?.admitted && admission.counted >= maxFailures) {
        await this.deps.store.lockUntil(username, now + windowSeconds);
        this.deps.events?.record({ kind: 'lockout', username, until: now + windowSeconds });
      }
      throw new InvalidCredentials(failure);
    }
    return user;
  }

  private async open(user: UserRecord, amr: string[]): Promise<SignedIn>;
  private async open(
    user: UserRecord,
    amr: string[],
    proof: SecondFactorProof,
  ): Promise<SignedIn | undefined>;
  private async open(user: UserRecord, amr: string[], proof?: SecondFactorProof) {
    const now = epochSeconds(this.deps.clock);
    const session: SessionRecord = {
      sessionId: randomUUID(),
      sub: user.sub,
      username: user.username,
      createdAt: now,
      expiresAt: now + this.deps.sessionTtlSeconds,
      amr: [...new Set(amr)],
    };
    // Checked again by the write itself, which an operator's disable may have overtaken.
    const opened =
      user.disabledAt === undefined ? await this.deps.store.openSession(session, proof) : 'disabled';
    if (opened === 'disabled') this.refuseDisabled(user);
    if (opened === 'proof_used') return undefined;
    this.deps.events?.record({ kind: 'sign_in_succeeded', sub: user.sub, sessionId: session.sessionId });
    return { token: await this.deps.sessions.issueToken(session), session };
  }

  private refuseDisabled(user: UserRecord): never {
    this.deps.events?.record({ kind: 'sign_in_failed', username: user.username, reason: 'disabled' });
    throw new AccountDisabled('This account is disabled.', { logged: { sub: user.sub } });
  }
}
