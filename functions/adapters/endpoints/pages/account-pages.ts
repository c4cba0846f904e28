/** What the sign-in and sign-up pages do alike: read a posted form, sign in, and continue the request. */
import { httpHandler } from '#adapters/http/handler';
import type { HttpRequest } from '#adapters/http/request';
import { type HttpResponse, seeOther } from '#adapters/http/responses';
import type { AccountForms, SignInFields } from '#adapters/web/account-forms';
import { CrossSiteRequestRefused } from '#adapters/web/browser-sessions';
import {
  type CarriedRequest,
  carriedQuery,
  continuation,
  describeRequest,
  REQUEST_FIELD,
} from '#adapters/web/carried-request';
import { retryAfterText } from '#adapters/web/templates';
import { MethodNotAllowed, type TooManyAttempts } from '#core/errors';
import type { Logger } from '#core/logging';
import type { Parameters } from '#core/oauth/parameters';
import type { AccountPageDependencies } from './dependencies.ts';

/** A posted sign-in or sign-up form, with what the page needs to show it again. */
export interface Submission {
  fields: Parameters;
  carried: CarriedRequest | undefined;
  username: string | undefined;
  /** Set when the CSRF token does not verify: most often the form simply outlived its nonce cookie. */
  expired?: CrossSiteRequestRefused;
}

/** A page whose GET shows a form and whose POST submits it. */
export interface AccountPage {
  show(request: HttpRequest): Promise<HttpResponse>;
  submit(request: HttpRequest, log: Logger): Promise<HttpResponse>;
}

export interface Credentials {
  username: string;
  password: string;
  carried: CarriedRequest | undefined;
}

export function accountPageHandler(page: AccountPage, logger: Logger) {
  return httpHandler(
    async (request, log) => {
      if (request.method === 'GET') return page.show(request);
      if (request.method === 'POST') return page.submit(request, log);
      throw new MethodNotAllowed('Use GET or POST.');
    },
    { logger, pages: true },
  );
}

/** The authorization request a page's query carries, checked exactly as /authorize checks it. */
export const requestInQuery = (deps: AccountPageDependencies, request: HttpRequest) =>
  describeRequest(deps.authorization, carriedQuery(request.queryPairs()));

/**
 * Reads a posted form: a cross-site post is refused outright, while a CSRF token that does not verify
 * is reported in `expired`, because a fresh form is the useful answer to a form that outlived its nonce.
 */
export async function readSubmission(
  deps: AccountPageDependencies,
  request: HttpRequest,
  purpose: string,
): Promise<Submission> {
  const fields = request.form();
  deps.browserSessions.checkSameOrigin(request);
  const carried = await describeRequest(deps.authorization, fields.get(REQUEST_FIELD));
  const submission = { fields, carried, username: fields.get('username') };
  const { browserSessions } = deps;
  try {
    browserSessions.checkCsrf(browserSessions.presentedNonce(request), purpose, fields.get('csrf'));
  } catch (error) {
    if (!(error instanceof CrossSiteRequestRefused)) throw error;
    return { ...submission, expired: error };
  }
  return submission;
}

/**
 * Signs the user in with `Accounts.login` (lockout and timing included) and sends the browser on to
 * the request it carries, with the session cookie set. Login errors are the caller's to answer.
 */
export async function signInAndContinue(
  deps: AccountPageDependencies,
  credentials: Credentials,
): Promise<HttpResponse> {
  const { token, session } = await deps.accounts.login(credentials.username, credentials.password);
  return seeOther(
    continuation(deps.issuer, credentials.carried),
    deps.browserSessions.sessionCookies(token, session),
  );
}

/** The sign-in form again for a locked username: 429, with when to try again in words and in Retry-After. */
export function lockedOutForm(
  forms: AccountForms,
  request: HttpRequest,
  lockout: { locked: TooManyAttempts; reason: string; fields: Omit<SignInFields, 'error'> },
): HttpResponse {
  const { locked, reason, fields } = lockout;
  const error = `${reason} Try again in ${retryAfterText(locked.retryAfterSeconds)}.`;
  return forms.signIn(request, { ...fields, error }, { status: 429, headers: locked.headers });
}
