import { httpHandler, json } from '#commons/http';
import type { Logger } from '#commons/logger';
import { authenticatedClientRequest } from '#domain/client-authentication';
import type { TokenState } from '#domain/token-revocation';
import type { ClientLookup } from '#stores/clients';

/** POST /introspect (RFC 7662): `{"active":false}` for anything not live, claims otherwise. */
export const createIntrospectHandler = (clients: ClientLookup, tokens: TokenState, logger: Logger) =>
  httpHandler(
    async (request) => {
      const { client, form } = await authenticatedClientRequest(clients, request);
      return json(200, await tokens.introspect(client, form));
    },
    { logger },
  );
