import type { ClientLookup } from '#adapters/dynamo/clients';
import { httpHandler, json } from '#adapters/http/edge';
import type { Logger } from '#adapters/logger';
import { authenticatedClientRequest } from '#core/clients/authentication';
import type { TokenState } from '#core/oauth/token-state';

/** POST /introspect (RFC 7662): `{"active":false}` for anything not live, claims otherwise. */
export const createIntrospectHandler = (clients: ClientLookup, tokens: TokenState, logger: Logger) =>
  httpHandler(
    async (request) => {
      const { client, form } = await authenticatedClientRequest(clients, request);
      return json(200, await tokens.introspect(client, form));
    },
    { logger },
  );
