import { httpHandler } from '#adapters/http/handler';
import type { HttpRequest } from '#adapters/http/request';
import { type HttpResponse, seeOther } from '#adapters/http/responses';
import { CrossSiteRequestRefused, FORM_PURPOSE } from '#adapters/web/browser-sessions';
import {
  type CarriedRequest,
  carriedQuery,
  continuation,
  describeRequest,
  promptValues,
  REQUEST_FIELD,
} from '#adapters/web/carried-request';
import { retryAfterText, type SignInView, signedInPage, signInPage } from '#adapters/web/templates';
import { MethodNotAllowed, TooManyAttempts } from '#core/errors';
import type { Logger } from '#core/logging';
import { Parameters } from '#core/oauth/parameters';
import { InvalidCredentials } from '#core/users/accounts';
import type { AccountPageDependencies } from './dependencies.ts';

/**
 * GET /signin shows the sign-in page (carrying the authorization request in its query, if any);
 * POST /signin checks the credentials with `Accounts.login` (lockout and timing included), sets the
 * session cookie and sends the browser back to /authorize with a 303.
 */
export const createSignInHandler = (deps: AccountPageDependencies, logger: Logger) => {
  const { browserSessions, issuer } = deps;

  /** The sign-in form again, with a message; a new form nonce if the browser has none. */
  function form(request: HttpRequest, view: Omit<SignInView, 'issuer' | 'csrf'>, status = 200, headers = {}) {
    const { nonce, cookie } = browserSessions.formNonce(request);
    const csrf = browserSessions.csrfToken(nonce, FORM_PURPOSE.signIn);
    return signInPage(
      { issuer, csrf, ...view },
      { status, headers, ...(cookie ? { cookies: [cookie] } : {}) },
    );
  }

  async function show(request: HttpRequest): Promise<HttpResponse> {
    const carried = await describeRequest(deps.authorization, carriedQuery(request.queryPairs()));
    const current = await browserSessions.current(request);
    const forced = carried !== undefined && promptValues(Parameters.fromQuery(carried.query)).has('login');
    if (current && !forced) {
      if (carried) return seeOther(continuation(issuer, carried));
      return signedInPage({
        issuer,
        username: current.session.username,
        csrf: browserSessions.csrfToken(current.token, FORM_PURPOSE.signOut),
      });
    }
    return form(request, { request: carried });
  }

  async function submit(request: HttpRequest, log: Logger): Promise<HttpResponse> {
    const fields = request.form();
    browserSessions.checkSameOrigin(request);
    const carried: CarriedRequest | undefined = await describeRequest(
      deps.authorization,
      fields.get(REQUEST_FIELD),
    );
    const username = fields.get('username');
    try {
      browserSessions.checkCsrf(
        browserSessions.presentedNonce(request),
        FORM_PURPOSE.signIn,
        fields.get('csrf'),
      );
    } catch (error) {
      if (!(error instanceof CrossSiteRequestRefused)) throw error;
      log.info('sign-in form refused', { detail: error.detail });
      // Most often the form simply outlived its nonce cookie: a fresh form is the useful answer.
      return form(
        request,
        { request: carried, username, error: 'This form has expired. Please sign in again.' },
        403,
      );
    }

    const password = fields.get('password');
    if (username === undefined || password === undefined) {
      return form(
        request,
        { request: carried, username, error: 'Enter your username and your password.' },
        400,
      );
    }
    try {
      const { token, session } = await deps.accounts.login(username, password);
      log.info('user signed in', { sub: session.sub, sessionId: session.sessionId });
      return seeOther(continuation(issuer, carried), [browserSessions.sessionCookie(token, session)]);
    } catch (error) {
      if (error instanceof InvalidCredentials) {
        log.info('sign-in refused', { code: error.code });
        return form(
          request,
          { request: carried, username, error: 'The username or password is incorrect.' },
          401,
        );
      }
      if (error instanceof TooManyAttempts) {
        log.info('sign-in refused', { code: error.code });
        const message = `Too many failed sign-ins for this account. Try again in ${retryAfterText(error.retryAfterSeconds)}.`;
        return form(request, { request: carried, username, error: message }, 429, error.headers);
      }
      throw error;
    }
  }

  return httpHandler(
    async (request, log) => {
      if (request.method === 'GET') return show(request);
      if (request.method === 'POST') return submit(request, log);
      throw new MethodNotAllowed('Use GET or POST.');
    },
    { logger, pages: true },
  );
};
