import { errorJson, errorRedirect, errorReturnPage, logError } from '#adapters/http/errors';
import { httpHandler } from '#adapters/http/handler';
import type { HttpRequest } from '#adapters/http/request';
import { type HttpResponse, redirect } from '#adapters/http/responses';
import { AccountForms } from '#adapters/web/account-forms';
import {
  type BrowserSession,
  type BrowserSessions,
  CrossSiteRequestRefused,
  FORM_PURPOSE,
} from '#adapters/web/browser-sessions';
import {
  type CarriedRequest,
  carriedQuery,
  carriedRequest,
  clientLabel,
  promptValues,
} from '#adapters/web/carried-request';
import { consentPage } from '#adapters/web/templates';
import { AccessDenied, ConsentRequired, InvalidRequest, InvalidToken, LoginRequired } from '#core/errors';
import type { Logger } from '#core/logging';
import type { Authorization, RedirectTarget, ValidatedRequest } from '#core/oauth/authorization';
import type { Consents } from '#core/oauth/consents';
import type { Parameters } from '#core/oauth/parameters';
import type { ReadAheadRecords } from '#core/oauth/read-ahead';
import type { SessionRecord } from '#core/users/records';
import type { Sessions } from '#core/users/sessions';

/** What /authorize needs to serve browsers: cookie sessions, remembered consent, and its own URL. */
export interface BrowserSignIn {
  browserSessions: BrowserSessions;
  consents: Consents;
  issuer: string;
}

export interface AuthorizeDependencies {
  authorization: Authorization;
  sessions: Sessions;
  logger: Logger;
  /** Without it the endpoint serves API callers only. */
  browser?: BrowserSignIn;
}

/** One authorization request whose client and redirect URI are verified and whose parameters are valid. */
interface Attempt {
  request: HttpRequest;
  params: Parameters;
  valid: ValidatedRequest;
  prompt: Set<string>;
  log: Logger;
}

const isPost = (request: HttpRequest) => request.method === 'POST';

/**
 * GET and POST /authorize (RFC 6749 §4.1.1). The user is identified by a session:
 * - an API caller sends the bearer session token from /login; calling is the approval, and without a
 *   valid token the answer stays 401 JSON `login_required`;
 * - a browser sends the session cookie set by the sign-in page. Without one it gets the sign-in page,
 *   then the consent page unless the user approved these scopes for this client before, and the
 *   consent form posts back here (POST with `decision`), answered with a 303 to the client.
 * Errors once the client and redirect URI are verified go back to the client by redirect only when the
 * user has signed in; before that, a browser gets a page with a link to follow, an API caller JSON.
 * `prompt` (OpenID Connect Core §3.1.2.1): `none` never shows the sign-in or consent page, and answers
 * `login_required` / `consent_required` as any other error; `login` and `consent` force their page; a
 * sign-in older than `max_age` is a `login` too (for an API caller, 401 `login_required`).
 */
export const createAuthorizeHandler = (deps: AuthorizeDependencies) => {
  const endpoint = new AuthorizeEndpoint(deps);
  return httpHandler((request, log) => endpoint.handle(request, log), { logger: deps.logger, pages: true });
};

/** The session an API caller's bearer token proves, or why there is none. */
type BearerSession = { session: SessionRecord } | { session?: undefined; detail: string | undefined };

class AuthorizeEndpoint {
  private readonly browser: BrowserEndpoint | undefined;

  constructor(private readonly deps: AuthorizeDependencies) {
    this.browser = deps.browser && new BrowserEndpoint(deps.browser, deps.authorization);
  }

  async handle(request: HttpRequest, log: Logger): Promise<HttpResponse> {
    const { authorization, sessions } = this.deps;
    const params = isPost(request) ? request.form() : request.query();
    const browser = request.header('authorization') === undefined ? this.browser : undefined;
    // The session the request presents is read with the client, in one round trip.
    const token = browser ? browser.sessionToken(request) : request.bearerToken();
    const clients = authorization.clientsReadingAhead(sessions.readAheadOf(token));
    // Errors until the redirect URI is verified are answered here (RFC 6749 §4.1.2.1): JSON, or a
    // page for a browser.
    const target = await authorization.redirectTarget(params, clients);
    // Who has signed in decides where later errors go, so it is known before anything can fail.
    const current = browser && (await browser.current(request, clients.records));
    const bearer = browser ? undefined : await this.bearerSession(request, clients.records);
    try {
      const valid = authorization.validate(params, target);
      const attempt: Attempt = { request, params, valid, prompt: prompts(params), log };
      if (browser) return await browser.answer(attempt, current);
      if (!bearer?.session)
        throw new LoginRequired('The user must log in first.', { detail: bearer?.detail });
      return await this.apiAnswer(attempt, bearer.session);
    } catch (error) {
      const signedIn = current !== undefined || bearer?.session !== undefined;
      return this.refuse(error, { request, target, signedIn, log });
    }
  }

  /**
   * An error once the redirect URI is verified. It is redirected to the client only when the user has
   * signed in: anyone can register any redirect URI, so before that a redirect would make tinyoauth an
   * open redirector (RFC 9700 §4.11.2). A browser gets a page naming the app, whose link the user may
   * follow; an API caller gets the error as JSON.
   */
  private refuse(
    error: unknown,
    context: { request: HttpRequest; target: RedirectTarget; signedIn: boolean; log: Logger },
  ): HttpResponse {
    const { request, target, signedIn, log } = context;
    // A forged form is not the client's business: it gets a page, not a redirect.
    if (error instanceof CrossSiteRequestRefused) throw error;
    if (!signedIn && !(this.browser && request.prefersHtml())) throw error;
    const refusal = logError(log, error, { clientId: target.client.clientId });
    const location = this.deps.authorization.redirectLocation(target, {
      error: refusal.code,
      error_description: refusal.description,
    });
    if (signedIn) return errorRedirect(location, isPost(request) ? 303 : 302);
    return errorReturnPage(refusal, { appName: clientLabel(target.client), location });
  }

  /**
   * An API caller's code. A sign-in older than `max_age` is the caller's counterpart of the browser's
   * sign-in page: 401, log in again and ask again. With `prompt=none` the client asked for an answer at
   * its redirect URI instead, and gets `login_required` there as a browser would.
   */
  private async apiAnswer(attempt: Attempt, session: SessionRecord): Promise<HttpResponse> {
    if (this.deps.authorization.signInTooOld(attempt.valid, session)) {
      const stale = new LoginRequired('The user signed in longer ago than "max_age" allows.');
      if (attempt.prompt.has('none')) throw stale;
      return errorJson(logError(attempt.log, stale));
    }
    return codeRedirect(this.deps.authorization, attempt, session);
  }

  /** `found`: the session, when it was read with the client (core/oauth/read-ahead.ts). */
  private async bearerSession(
    request: HttpRequest,
    found: ReadAheadRecords | undefined,
  ): Promise<BearerSession> {
    try {
      return { session: await this.deps.sessions.authenticate(request.bearerToken(), found) };
    } catch (error) {
      if (error instanceof InvalidToken) return { detail: error.detail };
      throw error;
    }
  }
}

/** The browser's side of /authorize: the sign-in page, the consent page and the consent form's answer. */
class BrowserEndpoint {
  private readonly forms: AccountForms;

  constructor(
    private readonly site: BrowserSignIn,
    private readonly authorization: Authorization,
  ) {
    this.forms = new AccountForms(site);
  }

  /** The session cookie's token, if the browser sent one. */
  sessionToken(request: HttpRequest): string | undefined {
    return this.site.browserSessions.sessionToken(request);
  }

  /** The browser's live cookie session, if it has one; `found`: the session read with the client. */
  current(request: HttpRequest, found: ReadAheadRecords | undefined): Promise<BrowserSession | undefined> {
    return this.site.browserSessions.current(request, found);
  }

  async answer(attempt: Attempt, current: BrowserSession | undefined): Promise<HttpResponse> {
    const { request, params, valid, prompt } = attempt;
    const decision = isPost(request) ? params.get('decision') : undefined;
    if (current && decision !== undefined) return this.decide(attempt, current, decision);

    const pairs = isPost(request) ? request.formPairs() : request.queryPairs();
    const carried = carriedRequest(valid, carriedQuery(pairs));
    const stale = current !== undefined && this.authorization.signInTooOld(valid, current.session);
    if (!current || prompt.has('login') || stale) {
      if (prompt.has('none'))
        throw new LoginRequired('The user is not signed in.', { detail: 'prompt=none' });
      if (!current && !request.prefersHtml()) throw new LoginRequired('The user must log in first.');
      return this.forms.signIn(request, { request: carried });
    }
    return this.consentOrCode(attempt, current, carried);
  }

  /** The code at once if the user approved these scopes for this client before; else the consent page. */
  private async consentOrCode(
    attempt: Attempt,
    current: BrowserSession,
    carried: CarriedRequest,
  ): Promise<HttpResponse> {
    const { valid, prompt } = attempt;
    const { session } = current;
    const approved =
      !prompt.has('consent') &&
      (await this.site.consents.covers(session.sub, valid.client.clientId, valid.scope));
    if (approved) return codeRedirect(this.authorization, attempt, session);
    if (prompt.has('none')) {
      throw new ConsentRequired('The user has not approved this client.', { detail: 'prompt=none' });
    }
    return consentPage({
      issuer: this.site.issuer,
      request: carried,
      scope: valid.scope,
      fields: [...new URLSearchParams(carried.query)],
      username: session.username,
      csrf: this.site.browserSessions.csrfToken(current.token, FORM_PURPOSE.consent(valid.client.clientId)),
    });
  }

  /** The consent form's answer: approve (remember, then the code) or deny (`access_denied`). */
  private async decide(attempt: Attempt, current: BrowserSession, decision: string): Promise<HttpResponse> {
    const { valid, request, params, log } = attempt;
    const { browserSessions, consents } = this.site;
    browserSessions.checkSameOrigin(request);
    browserSessions.checkCsrf(current.token, FORM_PURPOSE.consent(valid.client.clientId), params.get('csrf'));
    if (decision === 'deny') {
      throw new AccessDenied('The user denied the request.', { detail: 'denied on the consent page' });
    }
    if (decision !== 'approve') throw new InvalidRequest('"decision" must be "approve" or "deny".');
    await consents.remember(current.session.sub, valid.client.clientId, valid.scope);
    log.info('consent given', {
      clientId: valid.client.clientId,
      sub: current.session.sub,
      scope: valid.scope,
    });
    return codeRedirect(this.authorization, attempt, current.session);
  }
}

async function codeRedirect(
  authorization: Authorization,
  attempt: Attempt,
  session: SessionRecord,
): Promise<HttpResponse> {
  const location = await authorization.issueCode(attempt.valid, session);
  attempt.log.info('authorization code issued', {
    clientId: attempt.valid.client.clientId,
    sub: session.sub,
  });
  // The code is in the URL: the client's page must not pass it on as a referrer.
  return redirect(isPost(attempt.request) ? 303 : 302, location, { 'Referrer-Policy': 'no-referrer' });
}

/** `prompt` values; `none` alone or not at all (OpenID Connect Core §3.1.2.1). */
function prompts(params: Parameters): Set<string> {
  const values = promptValues(params);
  if (values.has('none') && values.size > 1) {
    throw new InvalidRequest('"prompt=none" cannot be combined with other prompt values.');
  }
  return values;
}
