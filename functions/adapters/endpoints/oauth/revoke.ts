import { clientCors } from '#adapters/http/cors';
import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import type { ClientLookup } from '#core/clients/records';
import type { Logger } from '#core/logging';
import type { Revocation } from '#core/oauth/revocation';
import { authenticatedClientRequest } from './client-request.ts';

/** POST /revoke (RFC 7009): 200 whether or not the token was known. */
export const createRevokeHandler = (clients: ClientLookup, revocation: Revocation, logger: Logger) =>
  httpHandler(
    async (request, _log, cors) => {
      const { client, form } = await authenticatedClientRequest(clients, request);
      cors.toClient(client);
      await revocation.revoke(client, form);
      return json(200, {});
    },
    { logger, cors: clientCors(['POST']) },
  );
