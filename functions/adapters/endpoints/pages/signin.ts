import type { HttpRequest } from '#adapters/http/request';
import { type HttpResponse, seeOther } from '#adapters/http/responses';
import { AccountForms } from '#adapters/web/account-forms';
import { FORM_PURPOSE } from '#adapters/web/browser-sessions';
import { type CarriedRequest, continuation, promptValues } from '#adapters/web/carried-request';
import { retryAfterText, signedInPage } from '#adapters/web/templates';
import { TooManyAttempts } from '#core/errors';
import type { Logger } from '#core/logging';
import { Parameters } from '#core/oauth/parameters';
import { AccountDisabled, InvalidCredentials, MfaRequired, SignInExpired } from '#core/users/accounts';
import {
  type AccountPage,
  accountPageHandler,
  lockedOutForm,
  readSubmission,
  requestInQuery,
  signInAndContinue,
} from './account-pages.ts';
import type { AccountPageDependencies } from './dependencies.ts';
import { passkeySignIn } from './passkey-sign-in.ts';

/**
 * GET /signin shows the sign-in page (carrying the authorization request in its query, if any);
 * POST /signin checks the credentials with `Accounts.login` (lockout and timing included), sets the
 * session cookie and sends the browser back to /authorize with a 303.
 */
export const createSignInHandler = (deps: AccountPageDependencies, logger: Logger) =>
  accountPageHandler(new SignInPage(deps), logger);

class SignInPage implements AccountPage {
  private readonly forms: AccountForms;

  constructor(private readonly deps: AccountPageDependencies) {
    this.forms = new AccountForms(deps);
  }

  async show(request: HttpRequest): Promise<HttpResponse> {
    const { browserSessions, issuer } = this.deps;
    const carried = await requestInQuery(this.deps, request);
    const current = await browserSessions.current(request);
    const params = carried === undefined ? undefined : Parameters.fromQuery(carried.query);
    // `max_age` may be older than this session; only /authorize knows, so a sign-in here is the safe answer.
    const forced = params !== undefined && (promptValues(params).has('login') || params.has('max_age'));
    if (!current || forced) return this.forms.signIn(request, { request: carried });
    if (carried) return seeOther(continuation(issuer, carried));
    return signedInPage({
      issuer,
      username: current.session.username,
      csrf: browserSessions.csrfToken(current.token, FORM_PURPOSE.signOut),
    });
  }

  async submit(request: HttpRequest, log: Logger): Promise<HttpResponse> {
    const { fields, carried, username, expired } = await readSubmission(
      this.deps,
      request,
      FORM_PURPOSE.signIn,
    );
    const again = (error: string, status: number) =>
      this.forms.signIn(request, { request: carried, username, error }, { status });
    if (expired) {
      log.info('sign-in form refused', { detail: expired.detail });
      return again('This form has expired. Please sign in again.', 403);
    }
    const passkey = fields.get('passkey');
    const mfaToken = fields.get('mfa_token');
    // The passkey button submits the password form (one form, one CSRF token): whatever was typed is ignored.
    if (passkey !== undefined && this.deps.passkeys) {
      const site = { deps: this.deps, forms: this.forms, passkeys: this.deps.passkeys };
      return passkeySignIn(site, request, log, { fields, carried, mfaToken });
    }
    if (mfaToken !== undefined) return this.secondStep(request, log, { fields, carried, mfaToken });
    const password = fields.get('password');
    if (username === undefined || password === undefined) {
      return again('Enter your username and your password.', 400);
    }
    try {
      return await signInAndContinue(this.deps, { username, password, carried });
    } catch (error) {
      if (error instanceof MfaRequired) {
        const passkey = await this.deps.passkeys?.offeredAsSecondFactor(error.mfaToken);
        const step = { mfaToken: error.mfaToken, request: carried, mode: 'totp', passkey } as const;
        return this.forms.secondFactor(request, step);
      }
      if (
        !(
          error instanceof InvalidCredentials ||
          error instanceof TooManyAttempts ||
          error instanceof AccountDisabled
        )
      )
        throw error;
      log.info('sign-in refused', { code: error.code });
      if (error instanceof InvalidCredentials) return again('The username or password is incorrect.', 401);
      // Said only after the right password (core/users/accounts.ts).
      if (error instanceof AccountDisabled)
        return again('This account is disabled. Ask the service for help.', 403);
      return lockedOutForm(this.forms, request, {
        locked: error,
        reason: 'Too many failed sign-ins for this account.',
        fields: { request: carried, username },
      });
    }
  }

  /** The code after the password: it opens the session, or the form comes back saying why not. */
  private async secondStep(
    request: HttpRequest,
    log: Logger,
    step: { fields: Parameters; carried: CarriedRequest | undefined; mfaToken: string },
  ): Promise<HttpResponse> {
    const { fields, carried, mfaToken } = step;
    const switched = fields.get('mode');
    const mode = switched === 'recovery' || fields.get('recovery_code') !== undefined ? 'recovery' : 'totp';
    const passkey = await this.deps.passkeys?.offeredAsSecondFactor(mfaToken);
    const again = (error: string | undefined, status = 200, headers: Record<string, string> = {}) =>
      this.forms.secondFactor(
        request,
        { mfaToken, request: carried, mode, error, passkey },
        { status, headers },
      );
    if (switched !== undefined) return again(undefined);
    try {
      const code = fields.get('code');
      const recoveryCode = fields.get('recovery_code');
      const { token, session } = await this.deps.accounts.completeSignIn({
        mfaToken,
        ...(code === undefined ? {} : { code }),
        ...(recoveryCode === undefined ? {} : { recoveryCode }),
      });
      return seeOther(
        continuation(this.deps.issuer, carried),
        this.deps.browserSessions.sessionCookies(token, session),
      );
    } catch (error) {
      if (error instanceof SignInExpired) {
        return this.forms.signIn(request, { request: carried, error: error.description }, { status: 401 });
      }
      if (error instanceof AccountDisabled) {
        log.info('sign-in refused', { code: error.code });
        const disabled = 'This account is disabled. Ask the service for help.';
        return this.forms.signIn(request, { request: carried, error: disabled }, { status: 403 });
      }
      if (error instanceof InvalidCredentials) return again(error.description, 401);
      if (!(error instanceof TooManyAttempts)) throw error;
      return again(
        `Too many failed attempts. Try again in ${retryAfterText(error.retryAfterSeconds)}.`,
        429,
        error.headers,
      );
    }
  }
}
