import { httpHandler, json } from '#adapters/http/edge';
import type { Logger } from '#adapters/logger';
import type { Sessions } from '#core/users/sessions';

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
