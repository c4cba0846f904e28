import { httpHandler } from '#adapters/http/handler';
import { type BrowserSessions, FORM_PURPOSE } from '#adapters/web/browser-sessions';
import { signedOutPage, signOutPage } from '#adapters/web/templates';
import { InvalidToken, MethodNotAllowed } from '#core/errors';
import type { Logger } from '#core/logging';
import type { Sessions } from '#core/users/sessions';

export interface SignOutDependencies {
  sessions: Sessions;
  browserSessions: BrowserSessions;
  issuer: string;
}

/**
 * GET /signout asks; POST /signout ends the session with `Sessions.logout`, the same as POST /logout,
 * so the cookie, the bearer token and every grant approved from the session end together.
 */
export const createSignOutHandler = (deps: SignOutDependencies, logger: Logger) => {
  const { browserSessions, issuer } = deps;
  return httpHandler(
    async (request, log) => {
      const method = request.method;
      if (method === 'GET') {
        const current = await browserSessions.current(request);
        return signOutPage({
          issuer,
          username: current?.session.username,
          csrf: current && browserSessions.csrfToken(current.token, FORM_PURPOSE.signOut),
        });
      }
      if (method !== 'POST') throw new MethodNotAllowed('Use GET or POST.');

      const fields = request.form();
      browserSessions.checkSameOrigin(request);
      const current = await browserSessions.current(request);
      if (current) {
        browserSessions.checkCsrf(current.token, FORM_PURPOSE.signOut, fields.get('csrf'));
        try {
          await deps.sessions.logout(current.token);
          log.info('user signed out', { sub: current.session.sub, sessionId: current.session.sessionId });
        } catch (error) {
          // Ended a moment ago by another request: the outcome the user asked for.
          if (!(error instanceof InvalidToken)) throw error;
        }
      }
      return signedOutPage({ issuer }, { cookies: browserSessions.clearSessionCookies() });
    },
    { logger, pages: true },
  );
};
