/**
 * The functions of a user's own account (the page, the profile and security APIs, recovery) for
 * infra/routes.ts, and the table actions several functions share because they run the same core
 * service (a sign-in, a verification mail, the account's security, recovery): one list each, so that
 * the functions that run a service are granted alike.
 */
import type { FunctionDefinition } from './function-definition.ts';

/** The session that proves who the user is, and the user's own item. */
const PROFILE_TABLES = {
  sessions: { actions: ['GetItem'] },
  users: { actions: ['GetItem', 'UpdateItem'] },
} as const satisfies FunctionDefinition['tables'];

/** Mailing a verification link: the token, and the counters that limit mails per account and address. */
export const VERIFICATION_MAIL_TABLES = {
  accountTokens: { actions: ['PutItem'] },
  rateLimits: { actions: ['UpdateItem'] },
} as const satisfies FunctionDefinition['tables'];

/**
 * A password sign-in with a second factor: the MFA token is issued after the password, read and
 * consumed (with the TOTP step or recovery code) in the transaction that opens the session.
 */
export const SIGN_IN_TABLES = {
  users: { actions: ['GetItem', 'UpdateItem'] },
  loginAttempts: { actions: ['UpdateItem', 'DeleteItem'] },
  accountTokens: { actions: ['PutItem', 'GetItem', 'UpdateItem'] },
} as const satisfies FunctionDefinition['tables'];

/**
 * The signed-in user's own security (account page and JSON API): password re-checks (counted like
 * sign-ins), TOTP, passkeys, the user's sessions (bySub), verification mail, and deleting the account with its
 * sessions, grants, consents, passkeys and owned clients (each client with its grants).
 */
const ACCOUNT_SECURITY_TABLES = {
  sessions: { actions: ['GetItem', 'Query', 'UpdateItem'], indexes: ['bySub'] },
  users: { actions: ['GetItem', 'UpdateItem', 'DeleteItem'] },
  loginAttempts: { actions: ['UpdateItem'] },
  ...VERIFICATION_MAIL_TABLES,
  clients: { actions: ['Query', 'DeleteItem'], indexes: ['byOwner'] },
  grants: { actions: ['Query', 'DeleteItem'], indexes: ['byClient', 'bySub'] },
  consents: { actions: ['Query', 'DeleteItem'] },
  // A registration's challenge is issued, then consumed; the user's passkeys are listed, added, removed.
  accountTokens: { actions: ['PutItem', 'UpdateItem'] },
  passkeys: { actions: ['Query', 'PutItem', 'DeleteItem'], indexes: ['bySub'] },
} as const satisfies FunctionDefinition['tables'];

/** Recovery before sign-in: reset and verification links, and "forgot your password?". */
const RECOVERY_TABLES = {
  users: { actions: ['GetItem', 'Query', 'UpdateItem'], indexes: ['byEmail'] },
  accountTokens: { actions: ['PutItem', 'GetItem', 'UpdateItem'] },
  rateLimits: { actions: ['UpdateItem'] },
  // A reset clears the lockout and ends every session of the user.
  loginAttempts: { actions: ['DeleteItem'] },
  sessions: { actions: ['Query', 'UpdateItem'], indexes: ['bySub'] },
} as const satisfies FunctionDefinition['tables'];

export const ACCOUNT_FUNCTIONS = {
  accountPage: {
    entry: 'functions/handlers/pages/account.ts',
    description:
      'GET and POST /account: the signed-in user’s page: profile, email, password, TOTP, passkeys, sessions, deletion',
    tables: {
      ...ACCOUNT_SECURITY_TABLES,
      // Deleting the account after a passkey's re-check: the credential, and its counter after the use.
      passkeys: { actions: ['Query', 'PutItem', 'DeleteItem', 'GetItem', 'UpdateItem'], indexes: ['bySub'] },
    },
    keys: 'publish',
    memoryMB: 1024,
    mail: true,
    pages: true,
  },
  accountProfile: {
    entry: 'functions/handlers/users/account.ts',
    description: 'GET and PATCH /account/profile: the caller’s own profile as JSON',
    tables: { ...PROFILE_TABLES, ...VERIFICATION_MAIL_TABLES },
    keys: 'publish',
    mail: true,
    ignoresSessionCookie: true,
  },
  accountSecurity: {
    entry: 'functions/handlers/account/security.ts',
    description:
      'POST/GET/DELETE /account/password, /totp, /passkeys, /sessions, /delete, …: the account’s security as JSON',
    tables: ACCOUNT_SECURITY_TABLES,
    keys: 'publish',
    memoryMB: 1024,
    mail: true,
    ignoresSessionCookie: true,
  },
  recovery: {
    entry: 'functions/handlers/account/recovery.ts',
    description:
      'POST /password/forgot, /password/reset and /email/verify: recovery as JSON, without a session',
    tables: RECOVERY_TABLES,
    memoryMB: 1024,
    mail: true,
  },
  passkeyScript: {
    entry: 'functions/handlers/assets/passkey-script.ts',
    description: 'GET /passkey.js: the passkey forms’ script (the WebAuthn browser helper and ours)',
    tables: {},
  },
  recoveryPages: {
    entry: 'functions/handlers/account/recovery-pages.ts',
    description: 'GET and POST /verify_email, /forgot_password and /reset_password: the recovery pages',
    tables: RECOVERY_TABLES,
    memoryMB: 1024,
    mail: true,
    pages: true,
  },
} as const satisfies Record<string, FunctionDefinition>;
