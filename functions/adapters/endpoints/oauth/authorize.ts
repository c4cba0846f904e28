import { asHttpError, type HttpRequest, type Parameters, redirect } from '#adapters/http/edge';
import type { Logger } from '#adapters/logger';
import {
  type BrowserSession,
  type BrowserSessions,
  CrossSiteRequestRefused,
  FORM_PURPOSE,
} from '#adapters/web/browser-sessions';
import {
  carriedQuery,
  carriedRequest,
  formPairs,
  promptValues,
  queryPairs,
} from '#adapters/web/carried-request';
import { prefersHtml, type WebResponse, webHandler } from '#adapters/web/html';
import { consentPage, signInPage } from '#adapters/web/templates';
import {
  AccessDenied,
  ConsentRequired,
  HttpError,
  InvalidRequest,
  InvalidToken,
  LoginRequired,
} from '#core/errors';
import type { Authorization, RedirectTarget, ValidatedRequest } from '#core/oauth/authorization';
import type { Consents } from '#core/oauth/consents';
import type { SessionRecord } from '#core/records';
import type { Sessions } from '#core/users/sessions';

/** What /authorize needs to serve browsers: cookie sessions, remembered consent, and its own URL. */
export interface BrowserSignIn {
  browserSessions: BrowserSessions;
  consents: Consents;
  issuer: string;
}

/**
 * GET and POST /authorize (RFC 6749 §4.1.1). The user is identified by a session:
 * - an API caller sends the bearer session token from /login; calling is the approval, and without a
 *   valid token the answer stays 401 JSON `login_required`;
 * - a browser sends the session cookie set by the sign-in page. Without one it gets the sign-in page,
 *   then the consent page unless the user approved these scopes for this client before, and the
 *   consent form posts back here (POST with `decision`), answered with a 303 to the client.
 * `prompt` (OpenID Connect Core §3.1.2.1): `none` never shows a page (`login_required` /
 * `consent_required` are redirected instead), `login` and `consent` force their page.
 * Without `browser` the endpoint serves API callers only.
 */
export const createAuthorizeHandler = (
  authorization: Authorization,
  sessions: Sessions,
  logger: Logger,
  browser?: BrowserSignIn,
) => {
  async function bearerUser(request: HttpRequest): Promise<SessionRecord> {
    try {
      return await sessions.authenticate(request.bearerToken());
    } catch (error) {
      if (error instanceof InvalidToken)
        throw new LoginRequired('The user must log in first.', { detail: error.detail });
      throw error;
    }
  }

  async function codeRedirect(
    valid: ValidatedRequest,
    session: SessionRecord,
    isPost: boolean,
    log: Logger,
  ): Promise<WebResponse> {
    const location = await authorization.issueCode(valid, session);
    log.info('authorization code issued', { clientId: valid.client.clientId, sub: session.sub });
    return { status: isPost ? 303 : 302, headers: { Location: location, 'Referrer-Policy': 'no-referrer' } };
  }

  /** The consent form's answer: approve (remember, then the code) or deny (`access_denied`). */
  async function decide(
    site: BrowserSignIn,
    request: HttpRequest,
    params: Parameters,
    decision: string,
    valid: ValidatedRequest,
    current: BrowserSession,
    log: Logger,
  ): Promise<WebResponse> {
    site.browserSessions.checkSameOrigin(request);
    site.browserSessions.checkCsrf(
      current.token,
      FORM_PURPOSE.consent(valid.client.clientId),
      params.get('csrf'),
    );
    if (decision === 'deny') {
      throw new AccessDenied('The user denied the request.', { detail: 'denied on the consent page' });
    }
    if (decision !== 'approve') throw new InvalidRequest('"decision" must be "approve" or "deny".');
    await site.consents.remember(current.session.sub, valid.client.clientId, valid.scope);
    log.info('consent given', {
      clientId: valid.client.clientId,
      sub: current.session.sub,
      scope: valid.scope,
    });
    return codeRedirect(valid, current.session, true, log);
  }

  async function forBrowser(
    site: BrowserSignIn,
    request: HttpRequest,
    params: Parameters,
    pairs: [string, string][],
    valid: ValidatedRequest,
    prompt: Set<string>,
    log: Logger,
  ): Promise<WebResponse> {
    const isPost = request.event.httpMethod === 'POST';
    const current = await site.browserSessions.current(request);
    const decision = isPost ? params.get('decision') : undefined;
    if (current && decision !== undefined)
      return decide(site, request, params, decision, valid, current, log);

    const carried = carriedRequest(valid, carriedQuery(pairs));
    if (!current || prompt.has('login')) {
      if (prompt.has('none'))
        throw new LoginRequired('The user is not signed in.', { detail: 'prompt=none' });
      if (!current && !prefersHtml(request)) throw new LoginRequired('The user must log in first.');
      const { nonce, cookie } = site.browserSessions.formNonce(request);
      return signInPage(
        {
          issuer: site.issuer,
          request: carried,
          csrf: site.browserSessions.csrfToken(nonce, FORM_PURPOSE.signIn),
        },
        cookie ? { cookies: [cookie] } : {},
      );
    }

    const { session } = current;
    const approved =
      !prompt.has('consent') && (await site.consents.covers(session.sub, valid.client.clientId, valid.scope));
    if (approved) return codeRedirect(valid, session, isPost, log);
    if (prompt.has('none')) {
      throw new ConsentRequired('The user has not approved this client.', { detail: 'prompt=none' });
    }
    return consentPage({
      issuer: site.issuer,
      request: carried,
      scope: valid.scope,
      fields: [...new URLSearchParams(carried.query)],
      username: session.username,
      csrf: site.browserSessions.csrfToken(current.token, FORM_PURPOSE.consent(valid.client.clientId)),
    });
  }

  return webHandler(
    async (request, log) => {
      const isPost = request.event.httpMethod === 'POST';
      const params = isPost ? request.form() : request.query();
      // Errors until the redirect URI is verified are answered here (RFC 6749 §4.1.2.1): JSON, or a
      // page for a browser.
      const target = await authorization.redirectTarget(params);
      let prompt = new Set<string>();
      try {
        const valid = authorization.validate(params, target);
        prompt = prompts(params);
        if (browser && request.header('authorization') === undefined) {
          const pairs = isPost ? formPairs(request) : queryPairs(request);
          return await forBrowser(browser, request, params, pairs, valid, prompt, log);
        }
        const session = await bearerUser(request);
        const location = await authorization.issueCode(valid, session);
        log.info('authorization code issued', { clientId: target.client.clientId, sub: session.sub });
        return redirect(isPost ? 303 : 302, location);
      } catch (error) {
        // A forged form is not the client's business: it gets a page, not a redirect.
        if (error instanceof CrossSiteRequestRefused) throw error;
        if (error instanceof LoginRequired && !prompt.has('none')) throw error;
        return errorRedirect(authorization, target, error, isPost, log);
      }
    },
    { logger },
  );
};

/** `prompt` values; `none` alone or not at all (OpenID Connect Core §3.1.2.1). */
function prompts(params: Parameters): Set<string> {
  const values = promptValues(params);
  if (values.has('none') && values.size > 1) {
    throw new InvalidRequest('"prompt=none" cannot be combined with other prompt values.');
  }
  return values;
}

function errorRedirect(
  authorization: Authorization,
  target: RedirectTarget,
  error: unknown,
  isPost: boolean,
  log: Logger,
) {
  const known = asHttpError(error);
  if (known.status >= 500) log.error('authorization failed', { error, clientId: target.client.clientId });
  else
    log.info('authorization refused', {
      code: known.code,
      detail: error instanceof HttpError ? error.detail : undefined,
    });
  const location = authorization.redirectLocation(target, {
    error: known.code,
    error_description: known.description,
  });
  return isPost ? redirect(303, location) : redirect(302, location);
}
