/**
 * Proving an email address: a link with a single-use token is mailed to it, and following the link
 * sets `emailVerified` (reported as `email_verified` by the ID token, userinfo and the account API) for
 * exactly the address it was sent to. Changing the address removes the mark (the profile store does it
 * in the same write), mails a new link, and tells the old address.
 */
import { InvalidRequest, OAuthError } from '#core/errors';
import type { AccountTokens } from './account-tokens.ts';
import type { Mailer } from './mail.ts';
import type { RateLimiter } from './rate-limits.ts';
import type { UserRecord } from './records.ts';

/** A link that was used, has expired, or never was. */
export class InvalidLink extends OAuthError {
  readonly status = 400;
  readonly code = 'invalid_token';
}

export interface VerificationStore {
  findUser(username: string): Promise<UserRecord | undefined>;
  /** Sets `emailVerified` if the user (this `sub`) still has this address; false otherwise. */
  markEmailVerified(username: string, binding: { sub: string; email: string }): Promise<boolean>;
}

export interface EmailVerificationDependencies {
  store: VerificationStore;
  tokens: AccountTokens;
  mailer: Mailer;
  limits: RateLimiter;
}

export class EmailVerification {
  constructor(private readonly deps: EmailVerificationDependencies) {}

  /**
   * Mails a verification link to the user's address, if it has one and it is not verified yet.
   * `address`: the source address of the request, which is rate limited too.
   */
  async send(user: UserRecord, address: string | undefined): Promise<boolean> {
    if (user.email === undefined || user.emailVerified) return false;
    await this.deps.limits.admitAddress('verificationMail', address);
    await this.deps.limits.admitAccount('verificationMail', user.username);
    const { token, record } = await this.deps.tokens.issue('verify_email', {
      username: user.username,
      sub: user.sub,
      email: user.email,
    });
    const expiresInMinutes = Math.round((record.expiresAt - record.createdAt) / 60);
    await this.deps.mailer.send({
      kind: 'verify_email',
      to: user.email,
      username: user.username,
      token,
      expiresInMinutes,
    });
    return true;
  }

  /** "Send it again" from the account page or API. */
  async resend(username: string, address: string | undefined): Promise<void> {
    const user = await this.deps.store.findUser(username);
    if (!user?.email) throw new InvalidRequest('There is no email address to verify.');
    if (user.emailVerified) throw new InvalidRequest('The email address is already verified.');
    await this.send(user, address);
  }

  /** Follows a link: the token is consumed once; the address it names is verified if it is still the user's. */
  async verify(token: unknown): Promise<{ username: string; email: string }> {
    const record = await this.deps.tokens.consume(token, 'verify_email');
    if (!record?.username || !record.sub || !record.email) {
      throw new InvalidLink('This link has expired or was already used.');
    }
    const binding = { sub: record.sub, email: record.email };
    if (!(await this.deps.store.markEmailVerified(record.username, binding))) {
      throw new InvalidLink('This link is for an address that is no longer the account’s.');
    }
    return { username: record.username, email: record.email };
  }

  /** After an address change: a link to the new address, and word to the old one. */
  async addressChanged(before: UserRecord, after: UserRecord, address: string | undefined): Promise<void> {
    if (before.email === after.email) return;
    if (before.email !== undefined) {
      await this.deps.mailer.send({
        kind: 'email_changed',
        to: before.email,
        username: after.username,
        newEmail: after.email ?? '',
      });
    }
    await this.send(after, address);
  }
}
