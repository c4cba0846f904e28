/**
 * The services of account security (issue 15): mail, email verification, password recovery and change,
 * TOTP, the user's sessions and account deletion. Apart from services.ts so that only the functions that
 * send mail or manage these import the mail transports; built the same way, once per runtime.
 */
import { SesTransport } from '#adapters/aws/ses';
import { DynamoAccountSecurityStore } from '#adapters/dynamo/account-security';
import { DynamoRateLimitStore } from '#adapters/dynamo/rate-limits';
import { TemplateMailer } from '#adapters/mail/mailer';
import { OutboxTransport } from '#adapters/mail/outbox';
import { UnsentMail } from '#adapters/mail/unsent';
import { otpauthTotp } from '#adapters/mfa/totp-engine';
import { AccountDeletion } from '#core/users/account-deletion';
import { AccountSessions } from '#core/users/account-sessions';
import { EmailVerification } from '#core/users/email-verification';
import type { Mailer } from '#core/users/mail';
import { PasswordChange } from '#core/users/password-change';
import { PasswordRecovery } from '#core/users/password-recovery';
import { RateLimiter } from '#core/users/rate-limits';
import { TotpEnrolment } from '#core/users/totp-enrolment';
import { erasureStore, userAdministration } from './admin-services.ts';
import { perRuntime, type Runtime } from './runtime.ts';
import { accounts, accountTokens, clientRegistry, dynamoDb, scryptParameters } from './services.ts';

/** Account mail: SES when MAIL_FROM names a sender, the local outbox otherwise. */
export const mailer = /* @__PURE__ */ perRuntime((runtime): Mailer => {
  const { mail, region, issuer } = runtime.config;
  const transport =
    mail.transport === 'ses'
      ? new SesTransport({ region, from: mail.from, configurationSet: mail.configurationSet })
      : mail.transport === 'outbox'
        ? new OutboxTransport(mail.directory)
        : new UnsentMail(runtime.logger);
  return new TemplateMailer({ transport, issuer });
});

const securityStore = /* @__PURE__ */ perRuntime(
  (runtime) => new DynamoAccountSecurityStore(dynamoDb(runtime), runtime.config.tablePrefix),
);

export const rateLimiter = /* @__PURE__ */ perRuntime(
  (runtime: Runtime) =>
    new RateLimiter({
      store: new DynamoRateLimitStore(dynamoDb(runtime), runtime.config.tablePrefix),
      clock: runtime.clock,
    }),
);

export const accountSessions = /* @__PURE__ */ perRuntime(
  (runtime) => new AccountSessions({ store: erasureStore(runtime), clock: runtime.clock }),
);

export const emailVerification = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new EmailVerification({
      store: securityStore(runtime),
      tokens: accountTokens(runtime),
      mailer: mailer(runtime),
      limits: rateLimiter(runtime),
    }),
);

export const passwordRecovery = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new PasswordRecovery({
      store: securityStore(runtime),
      tokens: accountTokens(runtime),
      mailer: mailer(runtime),
      limits: rateLimiter(runtime),
      sessions: accountSessions(runtime),
      clock: runtime.clock,
      scrypt: scryptParameters(runtime),
    }),
);

export const passwordChange = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new PasswordChange({
      store: securityStore(runtime),
      accounts: accounts(runtime),
      sessions: accountSessions(runtime),
      mailer: mailer(runtime),
      clock: runtime.clock,
      scrypt: scryptParameters(runtime),
    }),
);

export const totpEnrolment = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new TotpEnrolment({
      store: securityStore(runtime),
      totp: otpauthTotp,
      accounts: accounts(runtime),
      clock: runtime.clock,
      issuerName: `tinyoauth (${new URL(runtime.config.issuer).host})`,
    }),
);

/** The one deletion service: the account page, the account API and the admin tool. */
export const accountDeletion = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new AccountDeletion({
      users: userAdministration(runtime),
      clients: clientRegistry(runtime),
      store: erasureStore(runtime),
      accounts: accounts(runtime),
      clock: runtime.clock,
    }),
);
