import { httpHandler } from '#adapters/http/handler';
import type { HttpRequest } from '#adapters/http/request';
import { type HttpResponse, seeOther } from '#adapters/http/responses';
import { CrossSiteRequestRefused, FORM_PURPOSE } from '#adapters/web/browser-sessions';
import { carriedQuery, continuation, describeRequest, REQUEST_FIELD } from '#adapters/web/carried-request';
import { retryAfterText, type SignUpView, signInPage, signUpPage } from '#adapters/web/templates';
import { InvalidRequest, MethodNotAllowed, TooManyAttempts, UsernameTaken } from '#core/errors';
import type { Logger } from '#core/logging';
import type { AccountPageDependencies } from './dependencies.ts';

/**
 * GET /signup shows the sign-up page; POST /signup creates the account with `Accounts.register`, signs
 * the new user in with `Accounts.login` (so the session is made exactly as for any sign-in), sets the
 * session cookie and continues the authorization request it carries with a 303.
 */
export const createSignUpHandler = (deps: AccountPageDependencies, logger: Logger) => {
  const { browserSessions, issuer } = deps;

  function form(request: HttpRequest, view: Omit<SignUpView, 'issuer' | 'csrf'>, status = 200) {
    const { nonce, cookie } = browserSessions.formNonce(request);
    const csrf = browserSessions.csrfToken(nonce, FORM_PURPOSE.signUp);
    return signUpPage({ issuer, csrf, ...view }, { status, ...(cookie ? { cookies: [cookie] } : {}) });
  }

  async function submit(request: HttpRequest, log: Logger): Promise<HttpResponse> {
    const fields = request.form();
    browserSessions.checkSameOrigin(request);
    const carried = await describeRequest(deps.authorization, fields.get(REQUEST_FIELD));
    const username = fields.get('username');
    try {
      browserSessions.checkCsrf(
        browserSessions.presentedNonce(request),
        FORM_PURPOSE.signUp,
        fields.get('csrf'),
      );
    } catch (error) {
      if (!(error instanceof CrossSiteRequestRefused)) throw error;
      log.info('sign-up form refused', { detail: error.detail });
      return form(
        request,
        { request: carried, username, error: 'This form has expired. Please try again.' },
        403,
      );
    }

    const password = fields.get('password');
    if (username === undefined || password === undefined) {
      return form(request, { request: carried, username, error: 'Choose a username and a password.' }, 400);
    }
    if (password !== (fields.get('password_again') ?? '')) {
      return form(request, { request: carried, username, error: 'The two passwords are not the same.' }, 400);
    }
    try {
      const { sub } = await deps.accounts.register(username, password);
      log.info('user registered', { sub });
    } catch (error) {
      if (error instanceof InvalidRequest || error instanceof UsernameTaken) {
        log.info('sign-up refused', { code: error.code });
        const message =
          error instanceof UsernameTaken ? 'That username is already taken.' : error.description;
        return form(request, { request: carried, username, error: message }, error.status);
      }
      throw error;
    }

    try {
      const { token, session } = await deps.accounts.login(username, password);
      log.info('user signed in', { sub: session.sub, sessionId: session.sessionId });
      return seeOther(continuation(issuer, carried), [browserSessions.sessionCookie(token, session)]);
    } catch (error) {
      // Failed sign-ins for a name are counted even before it exists, so a new account can start locked.
      if (!(error instanceof TooManyAttempts)) throw error;
      const { nonce, cookie } = browserSessions.formNonce(request);
      return signInPage(
        {
          issuer,
          request: carried,
          csrf: browserSessions.csrfToken(nonce, FORM_PURPOSE.signIn),
          username,
          notice: 'Your account has been created.',
          error: `Signing in to this account is locked after too many failed attempts. Try again in ${retryAfterText(error.retryAfterSeconds)}.`,
        },
        { status: 429, headers: error.headers, ...(cookie ? { cookies: [cookie] } : {}) },
      );
    }
  }

  return httpHandler(
    async (request, log) => {
      if (request.method === 'GET') {
        return form(request, {
          request: await describeRequest(deps.authorization, carriedQuery(request.queryPairs())),
        });
      }
      if (request.method === 'POST') return submit(request, log);
      throw new MethodNotAllowed('Use GET or POST.');
    },
    { logger, pages: true },
  );
};
