import { httpHandler, json } from '#commons/http';
import type { Logger } from '#commons/logger';
import { authenticatedClientRequest } from '#domain/client-authentication';
import type { TokenState } from '#domain/token-revocation';
import type { ClientLookup } from '#stores/clients';

/** POST /revoke (RFC 7009): 200 whether or not the token was known. */
export const createRevokeHandler = (clients: ClientLookup, tokens: TokenState, logger: Logger) =>
  httpHandler(
    async (request) => {
      const { client, form } = await authenticatedClientRequest(clients, request);
      await tokens.revoke(client, form);
      return json(200, {});
    },
    { logger },
  );
