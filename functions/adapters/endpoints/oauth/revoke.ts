import type { ClientLookup } from '#adapters/dynamo/clients';
import { httpHandler, json } from '#adapters/http/edge';
import type { Logger } from '#adapters/logger';
import { authenticatedClientRequest } from '#core/clients/authentication';
import type { TokenState } from '#core/oauth/token-state';

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
