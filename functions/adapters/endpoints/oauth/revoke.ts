import { clientCors } from '#adapters/http/cors';
import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import type { Logger } from '#core/logging';
import { type ClientReadAhead, readAheadOfRevocation } from '#core/oauth/read-ahead';
import type { Revocation } from '#core/oauth/revocation';
import { authenticatedClientRequest } from './client-request.ts';

/** POST /revoke (RFC 7009): 200 whether or not the token was known. A refresh token is read with the client. */
export const createRevokeHandler = (clients: ClientReadAhead, revocation: Revocation, logger: Logger) =>
  httpHandler(
    async (request, _log, cors) => {
      const { client, form, readAhead } = await authenticatedClientRequest(
        clients,
        request,
        readAheadOfRevocation,
      );
      cors.toClient(client);
      await revocation.revoke(client, form, readAhead);
      return json(200, {});
    },
    { logger, cors: clientCors(['POST']) },
  );
