import type { BrowserSessions } from '#adapters/web/browser-sessions';
import type { Authorization } from '#core/oauth/authorization';
import type { Accounts } from '#core/users/accounts';
import type { EmailVerification } from '#core/users/email-verification';
import type { Passkeys } from '#core/users/passkeys';

/** What the sign-in and sign-up pages need: accounts, cookie sessions, and the request they continue. */
export interface AccountPageDependencies {
  accounts: Accounts;
  browserSessions: BrowserSessions;
  authorization: Authorization;
  issuer: string;
  /** Sign-up only: mails the new account's verification link. */
  emailVerification?: EmailVerification;
  /** Sign-in only: signing in with a passkey. */
  passkeys?: Passkeys;
}
