import { HttpError, InvalidToken, LoginRequired } from '#commons/errors';
import { asHttpError, type HttpRequest, httpHandler, redirect } from '#commons/http';
import type { Logger } from '#commons/logger';
import type { Authorization, RedirectTarget } from '#domain/authorization';
import type { SessionRecord } from '#domain/records';
import type { Sessions } from '#domain/sessions';

/**
 * GET and POST /authorize (RFC 6749 §4.1.1). The user is identified by a session; today that is the
 * bearer session token from /login, and `authenticatedUser` is the one place a browser session
 * (cookie) will be added.
 */
export const createAuthorizeHandler = (authorization: Authorization, sessions: Sessions, logger: Logger) => {
  async function authenticatedUser(request: HttpRequest): Promise<SessionRecord> {
    try {
      return await sessions.authenticate(request.bearerToken());
    } catch (error) {
      if (error instanceof InvalidToken)
        throw new LoginRequired('The user must log in first.', { detail: error.detail });
      throw error;
    }
  }

  return httpHandler(
    async (request, log) => {
      const isPost = request.event.httpMethod === 'POST';
      const params = isPost ? request.form() : request.query();
      // Errors until the redirect URI is verified are answered here, as JSON (RFC 6749 §4.1.2.1).
      const target = await authorization.redirectTarget(params);
      try {
        const valid = authorization.validate(params, target);
        const session = await authenticatedUser(request);
        const location = await authorization.issueCode(valid, session);
        log.info('authorization code issued', { clientId: target.client.clientId, sub: session.sub });
        return redirect(isPost ? 303 : 302, location);
      } catch (error) {
        if (error instanceof LoginRequired) throw error;
        return errorRedirect(authorization, target, error, isPost, log);
      }
    },
    { logger },
  );
};

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
