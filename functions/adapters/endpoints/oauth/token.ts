import { clientCors } from '#adapters/http/cors';
import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import type { ClientLookup } from '#core/clients/records';
import type { Logger } from '#core/logging';
import type { TokenGrants } from '#core/oauth/token-grants';
import { authenticatedClientRequest } from './client-request.ts';

/** POST /token (RFC 6749 §3.2): authenticate the client, then run the requested grant. */
export const createTokenHandler = (clients: ClientLookup, grants: TokenGrants, logger: Logger) =>
  httpHandler(
    async (request, log, cors) => {
      const { client, form } = await authenticatedClientRequest(clients, request);
      cors.toClient(client);
      const response = await grants.exchange(client, form);
      log.info('tokens issued', { clientId: client.clientId, grantType: form.get('grant_type') });
      // Cache-Control: no-store and Pragma: no-cache are on every response (RFC 6749 §5.1).
      return json(200, response);
    },
    { logger, cors: clientCors(['POST']) },
  );
