import { httpHandler } from '#adapters/http/handler';
import type { HttpRequest } from '#adapters/http/request';
import { type HttpResponse, redirect, seeOther } from '#adapters/http/responses';
import { type BrowserSession, type BrowserSessions, FORM_PURPOSE } from '#adapters/web/browser-sessions';
import { formActionSource } from '#adapters/web/html';
import { logoutConfirmationPage } from '#adapters/web/oidc-pages';
import { signedOutPage } from '#adapters/web/templates';
import { InvalidToken, MethodNotAllowed } from '#core/errors';
import type { Logger } from '#core/logging';
import type { Parameters } from '#core/oauth/parameters';
import { type EndSession, hintIsForSession, type LogoutRequest } from '#core/oidc/end-session';
import type { Sessions } from '#core/users/sessions';

export interface EndSessionDependencies {
  endSession: EndSession;
  sessions: Sessions;
  browserSessions: BrowserSessions;
  issuer: string;
}

/**
 * GET and POST /end_session (RP-Initiated Logout 1.0). It ends the browser's session exactly as the
 * sign-out page does (`Sessions.logout`: the cookie, the bearer token and every grant approved from
 * the session), then sends the browser to the client's registered `post_logout_redirect_uri` with
 * `state`, or shows the signed-out page.
 *
 * - With an `id_token_hint` naming this browser's session, it signs out at once.
 * - Otherwise it asks first: any site can send a browser here, and signing someone out is not harmless.
 * - A client's POST comes from another site, so the browser sends no `SameSite=Lax` cookie with it; it
 *   is answered with a 303 to the same request as a GET, a top-level navigation that carries it.
 */
export const createEndSessionHandler = (deps: EndSessionDependencies, logger: Logger) =>
  httpHandler(
    async (request, log) => {
      if (request.method === 'GET') return answer(deps, request, log, request.query());
      if (request.method !== 'POST') throw new MethodNotAllowed('Use GET or POST.');
      const form = request.form();
      if (!form.has('csrf')) return seeOther(`${deps.issuer}/end_session?${formQuery(request)}`);
      return confirmed(deps, request, log, form);
    },
    { logger, pages: true },
  );

/** The form's own pairs, the client's logout parameters, as a query string. */
const formQuery = (request: HttpRequest) => new URLSearchParams(request.formPairs()).toString();

async function answer(
  deps: EndSessionDependencies,
  request: HttpRequest,
  log: Logger,
  params: Parameters,
): Promise<HttpResponse> {
  const logout = await deps.endSession.read(params);
  const current = await deps.browserSessions.current(request);
  if (!current) return afterLogout(deps, logout, 302, []);
  if (hintIsForSession(logout.hint, current.session)) return signOut(deps, log, { logout, current }, 302);
  const destination = logout.redirect && formActionSource(logout.redirect);
  return logoutConfirmationPage({
    issuer: deps.issuer,
    username: current.session.username,
    clientName: logout.client ? logout.client.clientName || logout.client.clientId : undefined,
    fields: logout.fields,
    csrf: deps.browserSessions.csrfToken(current.token, FORM_PURPOSE.signOut),
    formActions: destination ? [destination] : [],
  });
}

/** The user pressed "Sign out" on the confirmation page. */
async function confirmed(
  deps: EndSessionDependencies,
  request: HttpRequest,
  log: Logger,
  form: Parameters,
): Promise<HttpResponse> {
  deps.browserSessions.checkSameOrigin(request);
  const current = await deps.browserSessions.current(request);
  if (current) deps.browserSessions.checkCsrf(current.token, FORM_PURPOSE.signOut, form.get('csrf'));
  // The form's `csrf` is not a logout parameter; read() takes only those.
  const logout = await deps.endSession.read(form);
  if (!current) return afterLogout(deps, logout, 303, []);
  return signOut(deps, log, { logout, current }, 303);
}

async function signOut(
  deps: EndSessionDependencies,
  log: Logger,
  ending: { logout: LogoutRequest; current: BrowserSession },
  status: 302 | 303,
): Promise<HttpResponse> {
  const { logout, current } = ending;
  try {
    await deps.sessions.logout(current.token);
    log.info('user signed out by a client', {
      sub: current.session.sub,
      sessionId: current.session.sessionId,
      clientId: logout.client?.clientId,
    });
  } catch (error) {
    // Ended a moment ago by another request: the outcome the client asked for.
    if (!(error instanceof InvalidToken)) throw error;
  }
  return afterLogout(deps, logout, status, deps.browserSessions.clearSessionCookies());
}

function afterLogout(
  deps: EndSessionDependencies,
  logout: LogoutRequest,
  status: 302 | 303,
  cookies: string[],
): HttpResponse {
  if (!logout.redirect) return signedOutPage({ issuer: deps.issuer }, { cookies });
  const response = redirect(status, logout.redirect, { 'Referrer-Policy': 'no-referrer' });
  return cookies.length > 0 ? { ...response, cookies } : response;
}
