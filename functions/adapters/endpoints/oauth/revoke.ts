import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import type { ClientLookup } from '#core/clients/records';
import type { Logger } from '#core/logging';
import type { TokenState } from '#core/oauth/token-state';
import { authenticatedClientRequest } from './client-request.ts';

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
