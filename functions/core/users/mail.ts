/**
 * The mail an account receives, as the domain decides it: who, why, and the single-use token it carries.
 * How it reads (subject, text and HTML parts, the link's URL) is the mailer adapter's concern
 * (adapters/mail/), and so is how it travels (SES in the cloud, the local outbox otherwise).
 */

export type AccountMail =
  /** Follow the link to prove the address is yours. */
  | { kind: 'verify_email'; to: string; username: string; token: string; expiresInMinutes: number }
  /** Follow the link to choose a new password. */
  | { kind: 'reset_password'; to: string; username: string; token: string; expiresInMinutes: number }
  /** Sent to the old address when the address changes, so that a taken-over account is noticed. */
  | { kind: 'email_changed'; to: string; username: string; newEmail: string }
  /** The password changed: every other session has ended. */
  | { kind: 'password_changed'; to: string; username: string };

export interface Mailer {
  send(mail: AccountMail): Promise<void>;
}
