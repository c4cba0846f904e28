import { httpHandler } from '#adapters/http/handler';
import type { HttpRequest } from '#adapters/http/request';
import { type HttpResponse, seeOther } from '#adapters/http/responses';
import { accountDeletedPage, accountPage, recoveryCodesPage } from '#adapters/web/account-page';
import { type BrowserSession, type BrowserSessions, FORM_PURPOSE } from '#adapters/web/browser-sessions';
import { parseCredential, passkeyDeletionPage, passkeyRegistrationPage } from '#adapters/web/passkey-pages';
import { MethodNotAllowed, OAuthError } from '#core/errors';
import type { Logger } from '#core/logging';
import type { AccountDeletion } from '#core/users/account-deletion';
import type { AccountSessions } from '#core/users/account-sessions';
import type { EmailVerification } from '#core/users/email-verification';
import { passkeyName } from '#core/users/passkey-names';
import type { Passkeys } from '#core/users/passkeys';
import type { PasswordChange } from '#core/users/password-change';
import type { Profiles } from '#core/users/profile';
import type { TotpEnrolment } from '#core/users/totp-enrolment';

export interface AccountPageDependencies {
  profiles: Profiles;
  browserSessions: BrowserSessions;
  accountSessions: AccountSessions;
  emailVerification: EmailVerification;
  passwordChange: PasswordChange;
  totpEnrolment: TotpEnrolment;
  accountDeletion: AccountDeletion;
  passkeys: Passkeys;
  issuer: string;
}

interface Posted {
  deps: AccountPageDependencies;
  request: HttpRequest;
  current: BrowserSession;
  fields: Map<string, string>;
}

/**
 * What the page says after each action that ends on the page itself. The POST redirects to
 * `/account?done=<action>` (so that reloading the page repeats nothing), and the GET shows this.
 */
const NOTICES: Record<string, string> = {
  profile: 'Your changes are saved.',
  resend_verification: 'We sent the link again.',
  change_password: 'Your password is changed, and your other sessions are signed out.',
  totp_start: 'Scan the code with your authenticator app, then enter the code it shows.',
  totp_disable: 'The authenticator app is off.',
  end_session: 'That session is signed out.',
  passkey_finish: 'Your passkey is added.',
  passkey_remove: 'The passkey is removed.',
};

/** What each `action` of the account page's forms does; `undefined`: back to the page with its notice. */
const ACTIONS: Record<string, (posted: Posted) => Promise<HttpResponse | undefined>> = {
  profile: async ({ deps, request, current, fields }) => {
    const changes = { email: fields.get('email') ?? null, name: fields.get('name') ?? null };
    const { before, after } = await deps.profiles.change(current.session.username, changes);
    await deps.emailVerification.addressChanged(before, after, request.sourceAddress());
    return undefined;
  },
  resend_verification: async ({ deps, request, current }) => {
    await deps.emailVerification.resend(current.session.username, request.sourceAddress());
    return undefined;
  },
  change_password: async ({ deps, current, fields }) => {
    const passwords = {
      current: fields.get('current_password') ?? '',
      next: fields.get('new_password') ?? '',
    };
    await deps.passwordChange.change(current.session, passwords);
    return undefined;
  },
  totp_start: async ({ deps, current }) => {
    await deps.totpEnrolment.start(current.session.username);
    return undefined;
  },
  totp_confirm: async ({ deps, current, fields }) => {
    const codes = await deps.totpEnrolment.confirm(current.session.username, fields.get('code') ?? '');
    return recoveryCodesPage({ issuer: deps.issuer, codes });
  },
  totp_disable: async ({ deps, current, fields }) => {
    await deps.totpEnrolment.disable(current.session.username, fields.get('totp_password') ?? '');
    return undefined;
  },
  passkey_start: async ({ deps, current, fields }) => {
    const name = passkeyName(fields.get('passkey_name') ?? '');
    const { username, sub } = current.session;
    return passkeyRegistrationPage({
      issuer: deps.issuer,
      csrf: deps.browserSessions.csrfToken(current.token, FORM_PURPOSE.account),
      name,
      options: await deps.passkeys.registrationOptions({ username, sub }),
    });
  },
  passkey_finish: async ({ deps, current, fields }) => {
    const { username, sub } = current.session;
    const response = parseCredential(fields.get('credential'));
    await deps.passkeys.register({ username, sub }, { name: fields.get('passkey_name') ?? '', response });
    return undefined;
  },
  delete_passkey_start: async ({ deps, current }) => {
    const { username, sub } = current.session;
    return passkeyDeletionPage({
      issuer: deps.issuer,
      csrf: deps.browserSessions.csrfToken(current.token, FORM_PURPOSE.account),
      options: await deps.passkeys.recheckOptions({ username, sub }),
    });
  },
  delete_passkey_finish: async ({ deps, current, fields }) => {
    const { username, sub } = current.session;
    const response = parseCredential(fields.get('credential'));
    await deps.accountDeletion.deleteOwnAccountRechecked(() =>
      deps.passkeys.recheck({ username, sub }, response),
    );
    return accountDeletedPage(
      { issuer: deps.issuer },
      { cookies: deps.browserSessions.clearSessionCookies() },
    );
  },
  passkey_remove: async ({ deps, current, fields }) => {
    await deps.passkeys.remove(current.session.sub, fields.get('credential_id') ?? '');
    return undefined;
  },
  end_session: async ({ deps, current, fields }) => {
    await deps.accountSessions.end(current.session.sub, fields.get('session_id') ?? '');
    return undefined;
  },
  delete_account: async ({ deps, current, fields }) => {
    await deps.accountDeletion.deleteOwnAccount(
      current.session.username,
      fields.get('delete_password') ?? '',
    );
    return accountDeletedPage(
      { issuer: deps.issuer },
      { cookies: deps.browserSessions.clearSessionCookies() },
    );
  },
};

/**
 * GET /account shows the signed-in user's account; POST /account does one `action` of its forms (CSRF
 * token and same origin required), then redirects to the page with what happened, or shows the page an action
 * ends on (recovery codes, deleted). Without a session both send the browser to the sign-in page.
 */
export const createAccountPageHandler = (deps: AccountPageDependencies, logger: Logger) =>
  httpHandler(
    async (request, log) => {
      if (request.method !== 'GET' && request.method !== 'POST')
        throw new MethodNotAllowed('Use GET or POST.');
      const current = await deps.browserSessions.current(request);
      if (!current) return seeOther(`${deps.issuer}/signin`);
      if (request.method === 'GET') {
        const notice = NOTICES[request.query().get('done') ?? ''];
        return show(deps, current, notice === undefined ? {} : { notice });
      }
      const form = request.form();
      deps.browserSessions.checkSameOrigin(request);
      deps.browserSessions.checkCsrf(current.token, FORM_PURPOSE.account, form.get('csrf'));
      const fields = new Map(request.formPairs());
      const name = fields.get('action') ?? 'profile';
      const action = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
      if (!action) return show(deps, current, { error: 'Unknown action.' }, 400);
      try {
        const outcome = await action({ deps, request, current, fields });
        log.info('account changed', { sub: current.session.sub, action: name });
        return outcome ?? seeOther(`${deps.issuer}/account?done=${name}`);
      } catch (error) {
        // Refusals (a wrong password, a wrong code, a lockout, a rate limit) are shown on the page.
        if (!(error instanceof OAuthError) || error.status >= 500) throw error;
        log.info('account change refused', { errorCode: error.code, action: fields.get('action') });
        return show(deps, current, { error: error.description }, error.status, error.headers);
      }
    },
    { logger, pages: true },
  );

async function show(
  deps: AccountPageDependencies,
  current: BrowserSession,
  state: { error?: string; notice?: string },
  status = 200,
  headers: Record<string, string> = {},
): Promise<HttpResponse> {
  const { username, sub, sessionId } = current.session;
  const [user, sessions, pending, passkeys] = await Promise.all([
    deps.profiles.of(username),
    deps.accountSessions.list(sub),
    deps.totpEnrolment.pending(username),
    deps.passkeys.list(sub),
  ]);
  return accountPage(
    {
      issuer: deps.issuer,
      username,
      email: user.email,
      emailVerified: user.emailVerified,
      name: user.name,
      csrf: deps.browserSessions.csrfToken(current.token, FORM_PURPOSE.account),
      totp: user.totpSecret !== undefined ? 'on' : (pending ?? 'off'),
      // The index lags behind a sign-in a moment ago: this session is listed whatever it says.
      sessions: sessions.some((listed) => listed.sessionId === sessionId)
        ? sessions
        : [current.session, ...sessions],
      passkeys,
      currentSessionId: sessionId,
      ...state,
    },
    { status, headers },
  );
}
