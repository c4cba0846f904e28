import { InvalidToken } from '#commons/errors';
import { httpHandler, json } from '#commons/http';
import type { Logger } from '#commons/logger';
import type { Sessions } from '#domain/sessions';

const CHALLENGE = 'Bearer error="invalid_token"';

/** POST /logout with `Authorization: Bearer <session token>` → 200; the session ends everywhere at once. */
export const createLogoutHandler = (sessions: Sessions, logger: Logger) =>
  httpHandler(
    async (request, log) => {
      try {
        await sessions.logout(request.bearerToken());
      } catch (error) {
        if (error instanceof InvalidToken) {
          throw new InvalidToken(error.description, {
            detail: error.detail,
            headers: { 'WWW-Authenticate': CHALLENGE },
          });
        }
        throw error;
      }
      log.info('user logged out');
      return json(200, { result: 'succeeded' });
    },
    { logger, errorEnvelope: { result: 'failed' } },
  );
