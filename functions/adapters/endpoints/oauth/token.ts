import { clientCors } from '#adapters/http/cors';
import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import type { Logger } from '#core/logging';
import { type ClientReadAhead, readAheadOfTokenRequest } from '#core/oauth/read-ahead';
import type { TokenGrants } from '#core/oauth/token-grants';
import { authenticatedClientRequest } from './client-request.ts';

/**
 * POST /token (RFC 6749 §3.2): authenticate the client, then run the requested grant. The code or
 * refresh token is read with the client, in one round trip.
 */
export const createTokenHandler = (clients: ClientReadAhead, grants: TokenGrants, logger: Logger) =>
  httpHandler(
    async (request, _log, cors) => {
      const { client, form, readAhead } = await authenticatedClientRequest(
        clients,
        request,
        readAheadOfTokenRequest,
      );
      cors.toClient(client);
      const response = await grants.exchange(client, form, readAhead);
      // Cache-Control: no-store and Pragma: no-cache are on every response (RFC 6749 §5.1).
      return json(200, response);
    },
    { logger, cors: clientCors(['POST']) },
  );
