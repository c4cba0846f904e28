import type { BrowserSessions } from '#adapters/web/browser-sessions';
import type { Authorization } from '#core/oauth/authorization';
import type { Accounts } from '#core/users/accounts';
import type { EmailVerification } from '#core/users/email-verification';

/** What the sign-in and sign-up pages need: accounts, cookie sessions, and the request they continue. */
export interface AccountPageDependencies {
  accounts: Accounts;
  browserSessions: BrowserSessions;
  authorization: Authorization;
  issuer: string;
  /** Sign-up only: mails the new account's verification link. */
  emailVerification?: EmailVerification;
}
