import { httpHandler, json } from '#commons/http';
import type { Logger } from '#commons/logger';
import type { Sessions } from '#domain/sessions';

/** POST /logout with `Authorization: Bearer <session token>` → 200; the session ends everywhere at once. */
export const createLogoutHandler = (sessions: Sessions, logger: Logger) =>
  httpHandler(
    async (request, log) => {
      await sessions.logout(request.bearerToken());
      log.info('user logged out');
      return json(200, { result: 'succeeded' });
    },
    { logger, errorEnvelope: { result: 'failed' } },
  );
