import { httpHandler } from '#adapters/http/handler';
import type { ClientRegistry } from '#core/clients/registry';
import type { Logger } from '#core/logging';
import type { Sessions } from '#core/users/sessions';

/**
 * DELETE /client/{client_id} with `Authorization: Bearer <session token>` → 204: the caller's client
 * and every grant issued to it are gone. Someone else's client and an unknown one are both 404.
 */
export const createClientDeleteHandler = (registry: ClientRegistry, sessions: Sessions, logger: Logger) =>
  httpHandler(
    async (request, log) => {
      const { sub, username } = await sessions.authenticate(request.bearerToken());
      const clientId = request.pathParameter('client_id') ?? '';
      const { grantsDeleted } = await registry.remove({ sub, username }, clientId);
      log.info('client deleted', { sub, clientId, grantsDeleted });
      return { status: 204 };
    },
    { logger },
  );
