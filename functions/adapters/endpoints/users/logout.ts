import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import type { Logger } from '#core/logging';
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
