import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import type { ClientRegistry } from '#core/clients/registry';
import { describeClient } from '#core/clients/views';
import type { Logger } from '#core/logging';
import type { Sessions } from '#core/users/sessions';

/** GET /client with `Authorization: Bearer <session token>` → 200 `{"clients":[…]}`: the caller's own, never a secret. */
export const createClientListHandler = (registry: ClientRegistry, sessions: Sessions, logger: Logger) =>
  httpHandler(
    async (request, log) => {
      const { sub: owner } = await sessions.authenticate(request.bearerToken());
      const clients = await registry.list(owner);
      log.debug('clients listed', { sub: owner, count: clients.length });
      return json(200, { clients: clients.map(describeClient) });
    },
    { logger },
  );
